/**
 * Journal format, version 1 — files `journal-<generation>.log`, appended to, never rewritten:
 * a sequence of frames (files.ts), one per group flush; a frame's payload is that flush's
 * commits in commit() order, each one BSON document { ops: [...] } with document bodies as
 * BSON Binary. This file encodes commits and replays a journal file into a CatalogState.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Binary, deserialize, serialize } from 'bson';
import type { Logger } from 'pino';
import { ENGINE_BSON_OPTIONS } from '../bson-decode';
import { applyOp } from './apply-op';
import type { CatalogState, Doc, JournalOp } from './types';
import { FRAME_HEADER, FrameReader } from './files';

// The checksum covers a whole flush: a flush torn by a crash is dropped whole, and a damaged
// frame followed by a valid one cannot be a torn write (a flush starts only after the previous
// one is fsynced), so it is real damage and recovery refuses to hide it.

/** The smallest BSON document: its length and its closing NUL. */
const MIN_BSON = 5;

// BSON strings are UTF-8, which cannot carry a lone surrogate; id keys are arbitrary JS
// strings, so such a key is stored as its UTF-16 code units instead.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const needsUtf16 = (key: string): boolean => LONE_SURROGATE.test(key);

function keyField(key: string): Doc {
  return needsUtf16(key) ? { keyU16: Buffer.from(key, 'utf16le') } : { key };
}

function encodeOp(op: JournalOp): Doc {
  switch (op.op) {
    case 'createCollection': return { op: op.op, ns: op.ns, options: op.options };
    case 'dropCollection': return { op: op.op, ns: op.ns };
    case 'renameCollection': return { op: op.op, from: op.from, to: op.to };
    case 'dropDatabase': return { op: op.op, db: op.db };
    case 'createIndex': return { op: op.op, ns: op.ns, spec: op.spec };
    case 'dropIndex': return { op: op.op, ns: op.ns, name: op.name };
    case 'put': return { op: op.op, ns: op.ns, ...keyField(op.key), doc: op.doc };
    case 'delete': return { op: op.op, ns: op.ns, ...keyField(op.key) };
  }
  throw new Error(`unknown journal operation ${JSON.stringify((op as { op: unknown }).op)}`);
}

/**
 * One commit's record (BSON), encoded at commit() time so later changes by the caller cannot leak in.
 * The bytes are exactly `serialize({ ops: ops.map(encodeOp) })`; `put` ops, nearly every op of a
 * bulk write, are framed by hand around their document bytes, which skips building an object per op
 * and bson's copy through its scratch buffer.
 */
export function encodeCommit(ops: readonly JournalOp[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let arrayLength = 4 + 1; // length and terminator
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const body = op.op === 'put' && !needsUtf16(op.key) ? encodePut(op.ns, op.key, op.doc) : serialize(encodeOp(op));
    parts.push(body);
    arrayLength += 1 + Buffer.byteLength(String(i)) + 1 + body.byteLength;
  }
  const total = 4 + OPS_ELEMENT.length + arrayLength + 1;
  const out = Buffer.allocUnsafe(total);
  out.writeInt32LE(total, 0);
  let at = 4;
  at += OPS_ELEMENT.copy(out, at);
  out.writeInt32LE(arrayLength, at);
  at += 4;
  for (let i = 0; i < parts.length; i++) {
    out[at++] = 0x03; // embedded document
    at += out.write(String(i), at, 'latin1');
    out[at++] = 0;
    out.set(parts[i], at);
    at += parts[i].byteLength;
  }
  out[at] = 0; // end of the array
  out[at + 1] = 0; // end of the record
  return out;
}

// { op: 'put', ns, key, doc: Binary } as bson lays it out: the constant `op` element, then
// strings as [i32 length incl. NUL][utf8][NUL] and the document as Binary subtype 0.
const PUT_OP_ELEMENT = Buffer.from('\x02op\x00\x04\x00\x00\x00put\x00', 'latin1');

function encodePut(ns: string, key: string, doc: Buffer): Buffer {
  const nsBytes = Buffer.byteLength(ns);
  const keyBytes = Buffer.byteLength(key);
  const total = 4 + PUT_OP_ELEMENT.length + (1 + 3 + 4 + nsBytes + 1) + (1 + 4 + 4 + keyBytes + 1) + (1 + 4 + 4 + 1 + doc.length) + 1;
  const out = Buffer.allocUnsafe(total);
  out.writeInt32LE(total, 0);
  let at = 4 + PUT_OP_ELEMENT.copy(out, 4);
  at = writeString(out, at, 'ns', ns, nsBytes);
  at = writeString(out, at, 'key', key, keyBytes);
  out[at++] = 0x05; // binary
  at += out.write('doc', at, 'latin1');
  out[at++] = 0;
  out.writeInt32LE(doc.length, at);
  out[at + 4] = 0x00; // generic subtype, as bson writes a Buffer
  at += 5;
  out.set(doc, at);
  at += doc.length;
  out[at] = 0;
  return out;
}

function writeString(out: Buffer, at: number, name: string, value: string, bytes: number): number {
  out[at++] = 0x02; // string
  at += out.write(name, at, 'latin1');
  out[at++] = 0;
  out.writeInt32LE(bytes + 1, at);
  at += 4;
  at += out.write(value, at, 'utf8');
  out[at++] = 0;
  return at;
}

class Unreadable extends Error {}

function text(raw: Doc, field: string): string {
  const value: unknown = raw[field];
  if (typeof value !== 'string') throw new Unreadable(`field ${field} of a ${String(raw.op)} operation is not a string`);
  return value;
}

function subdoc(raw: Doc, field: string): Doc {
  const value: unknown = raw[field];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Unreadable(`field ${field} of a ${String(raw.op)} operation is not a document`);
  }
  return value as Doc;
}

function bytes(raw: Doc, field: string): Uint8Array {
  const value: unknown = raw[field];
  if (!(value instanceof Binary)) throw new Unreadable(`field ${field} of a ${String(raw.op)} operation is not binary`);
  return value.buffer;
}

function decodeKey(raw: Doc): string {
  if (raw.keyU16 === undefined) return text(raw, 'key');
  const units = bytes(raw, 'keyU16');
  return Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString('utf16le');
}

function decodeOp(raw: Doc): JournalOp {
  switch (raw.op) {
    case 'createCollection': return { op: raw.op, ns: text(raw, 'ns'), options: subdoc(raw, 'options') };
    case 'dropCollection': return { op: raw.op, ns: text(raw, 'ns') };
    case 'renameCollection': return { op: raw.op, from: text(raw, 'from'), to: text(raw, 'to') };
    case 'dropDatabase': return { op: raw.op, db: text(raw, 'db') };
    case 'createIndex': return { op: raw.op, ns: text(raw, 'ns'), spec: subdoc(raw, 'spec') };
    case 'dropIndex': return { op: raw.op, ns: text(raw, 'ns'), name: text(raw, 'name') };
    // Copied out: the Binary is a view into the whole frame, which must not stay pinned.
    case 'put': return { op: raw.op, ns: text(raw, 'ns'), key: decodeKey(raw), doc: Buffer.from(bytes(raw, 'doc')) };
    case 'delete': return { op: raw.op, ns: text(raw, 'ns'), key: decodeKey(raw) };
  }
  throw new Unreadable(`unknown operation ${JSON.stringify(raw.op)}`);
}

/** The commits of one checksummed frame, each a list of operations. Throws Unreadable. */
export function decodeFrame(payload: Buffer): JournalOp[][] {
  const commits: JournalOp[][] = [];
  for (let at = 0; at < payload.length; ) {
    const length = at + 4 <= payload.length ? payload.readInt32LE(at) : -1;
    if (length < MIN_BSON || at + length > payload.length) throw new Unreadable(`bad record length at payload byte ${at}`);
    let record: Doc;
    try {
      record = deserialize(payload.subarray(at, at + length), ENGINE_BSON_OPTIONS);
    } catch (err) {
      throw new Unreadable(`record is not valid BSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(record.ops)) throw new Unreadable('record has no ops array');
    commits.push(record.ops.map((raw: unknown) => decodeOp(raw as Doc)));
    at += length;
  }
  return commits;
}

// Every record opens with its `ops` array: BSON type 0x04, then the name "ops" and its NUL.
const OPS_ELEMENT = Buffer.from([0x04, 0x6f, 0x70, 0x73, 0x00]);

/**
 * The offset of the first valid frame at or after `from`, or -1: tells a torn tail from damage.
 * Only offsets that look like a frame start (plausible lengths, the `ops` element) pay for a checksum.
 */
async function findValidFrame(reader: FrameReader, from: number): Promise<number> {
  const window = 1024 * 1024;
  const probe = FRAME_HEADER + 4 + OPS_ELEMENT.length;
  for (let start = from; start + probe <= reader.size; start += window) {
    const view = Buffer.from(await reader.bytes(start, Math.min(window + probe, reader.size - start)));
    for (let i = 0; i + probe <= view.length && i < window; i++) {
      const length = view.readUInt32LE(i);
      if (length < MIN_BSON || start + i + FRAME_HEADER + length > reader.size) continue;
      const first = view.readInt32LE(i + FRAME_HEADER); // a payload opens with its first record's length
      if (first < MIN_BSON || first > length) continue;
      if (view.compare(OPS_ELEMENT, 0, OPS_ELEMENT.length, i + FRAME_HEADER + 4, i + probe) !== 0) continue;
      if ((await reader.frameAt(start + i, MIN_BSON)).ok) return start + i;
    }
  }
  return -1;
}

/**
 * Replays one journal file into `state` and returns its valid length. A damaged tail of the
 * last journal is a write torn by a crash: it is cut off (so appends follow clean data) and
 * logged. Damage anywhere else, or a checksummed record that cannot be read, throws.
 */
export async function replayJournal(file: string, state: CatalogState, isLast: boolean, log: Logger): Promise<number> {
  const handle = await fs.open(file, isLast ? 'r+' : 'r');
  try {
    const { size } = await handle.stat();
    const reader = new FrameReader(handle, size);
    for (let pos = 0; pos < size; ) {
      const frame = await reader.frameAt(pos, MIN_BSON);
      if (!frame.ok) {
        const name = path.basename(file);
        const later = await findValidFrame(reader, pos + 1);
        if (later >= 0 || !isLast) {
          const what = later >= 0 ? `valid records follow at byte ${later}` : 'newer journal files follow';
          throw new Error(
            `journal ${file} is damaged at byte ${pos} (${frame.reason}) and ${what}; refusing to start because ` +
              `skipping it would silently lose acknowledged writes. Restore the data directory from a backup.`,
          );
        }
        await handle.truncate(pos);
        await handle.sync();
        log.warn({ journal: name, offset: pos, droppedBytes: size - pos, reason: frame.reason },
          `journal ${name}: dropped a torn tail of ${size - pos} bytes left by an interrupted write`);
        return pos;
      }
      let commits: JournalOp[][];
      try {
        commits = decodeFrame(frame.payload);
      } catch (err) {
        if (!(err instanceof Unreadable)) throw err;
        throw new Error(`journal ${file}: the record at byte ${pos} passed its checksum but cannot be read (${err.message}); refusing to start`, { cause: err });
      }
      for (const ops of commits) for (const op of ops) applyOp(state, op);
      pos = frame.next;
    }
    return size;
  } finally {
    await handle.close();
  }
}
