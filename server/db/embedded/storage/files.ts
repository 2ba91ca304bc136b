/**
 * The data directory's file names and the checksummed frame that journals and snapshots
 * are made of: [u32 LE payload length][u32 LE crc32 of (length bytes + payload)][payload].
 * Reads go through one reusable buffer so recovery never holds a whole file in memory.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';

export const FRAME_HEADER = 8;
const GEN_DIGITS = 16;
const JOURNAL_RE = /^journal-(\d{16})\.log$/;
const SNAPSHOT_RE = /^snapshot-(\d{16})\.bin$/;
const SNAPSHOT_TMP_RE = /^snapshot-\d{16}\.tmp$/;

export const journalName = (gen: number): string => `journal-${String(gen).padStart(GEN_DIGITS, '0')}.log`;
export const snapshotName = (gen: number): string => `snapshot-${String(gen).padStart(GEN_DIGITS, '0')}.bin`;
export const snapshotTempName = (gen: number): string => `snapshot-${String(gen).padStart(GEN_DIGITS, '0')}.tmp`;

export interface DirListing {
  /** Generations, ascending. */
  journals: number[];
  /** Generations, descending (newest first). */
  snapshots: number[];
  /** Leftovers of interrupted snapshot writes. */
  temps: string[];
}

export async function listDir(dir: string): Promise<DirListing> {
  const listing: DirListing = { journals: [], snapshots: [], temps: [] };
  for (const name of await fs.readdir(dir)) {
    const journal = JOURNAL_RE.exec(name);
    const snapshot = SNAPSHOT_RE.exec(name);
    if (journal) listing.journals.push(Number(journal[1]));
    else if (snapshot) listing.snapshots.push(Number(snapshot[1]));
    else if (SNAPSHOT_TMP_RE.test(name)) listing.temps.push(name);
  }
  listing.journals.sort((a, b) => a - b);
  listing.snapshots.sort((a, b) => b - a);
  return listing;
}

/** Makes creations, renames and deletions in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function removeFiles(dir: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  for (const name of names) await fs.rm(path.join(dir, name), { force: true });
  await fsyncDir(dir);
}

/** The checksum of a frame: it covers the length field too, so a damaged length is caught. */
export function frameChecksum(length: number, parts: readonly Uint8Array[]): number {
  const lengthBytes = Buffer.allocUnsafe(4);
  lengthBytes.writeUInt32LE(length, 0);
  let crc = zlib.crc32(lengthBytes);
  for (const part of parts) crc = zlib.crc32(part, crc);
  return crc;
}

/** One frame holding the concatenation of `parts`, ready to append. */
export function encodeFrame(parts: readonly Uint8Array[]): Buffer {
  let length = 0;
  for (const part of parts) length += part.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER + length);
  frame.writeUInt32LE(length, 0);
  frame.writeUInt32LE(frameChecksum(length, parts), 4);
  let at = FRAME_HEADER;
  for (const part of parts) {
    frame.set(part, at);
    at += part.length;
  }
  return frame;
}

/** Writes all of `data`: a regular file may accept a write only in part. */
export async function writeAll(handle: fs.FileHandle, data: Buffer): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done);
    done += bytesWritten;
  }
}

export type FrameRead = { ok: true; payload: Buffer; next: number } | { ok: false; reason: string };

/** Random-access reads of one file through a reusable buffer (views stay valid until the next read). */
export class FrameReader {
  private buf: Buffer;
  private bufPos = 0;
  private bufLen = 0;

  constructor(
    private readonly handle: fs.FileHandle,
    readonly size: number,
    chunkSize = 8 * 1024 * 1024,
  ) {
    this.buf = Buffer.allocUnsafe(chunkSize);
  }

  /** `n` bytes at `pos`; the caller checks that they lie inside the file. */
  async bytes(pos: number, n: number): Promise<Buffer> {
    if (pos >= this.bufPos && pos + n <= this.bufPos + this.bufLen) {
      return this.buf.subarray(pos - this.bufPos, pos - this.bufPos + n);
    }
    if (n > this.buf.length) {
      const big = Buffer.allocUnsafe(n);
      await this.fill(big, pos, n);
      return big;
    }
    this.bufLen = await this.fill(this.buf, pos, Math.min(this.buf.length, this.size - pos));
    this.bufPos = pos;
    return this.buf.subarray(0, n);
  }

  private async fill(target: Buffer, pos: number, n: number): Promise<number> {
    let got = 0;
    while (got < n) {
      const { bytesRead } = await this.handle.read(target, got, n - got, pos + got);
      if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${pos + got}`);
      got += bytesRead;
    }
    return got;
  }

  /** The frame at `pos`, checked; `minLength` rejects payloads too short to be real. */
  async frameAt(pos: number, minLength = 1): Promise<FrameRead> {
    if (pos + FRAME_HEADER > this.size) return { ok: false, reason: 'incomplete frame header' };
    const header = await this.bytes(pos, FRAME_HEADER);
    const length = header.readUInt32LE(0);
    const expected = header.readUInt32LE(4);
    if (length < minLength) return { ok: false, reason: `impossible frame length ${length}` };
    if (pos + FRAME_HEADER + length > this.size) return { ok: false, reason: 'frame runs past the end of the file' };
    const payload = await this.bytes(pos + FRAME_HEADER, length);
    if (frameChecksum(length, [payload]) !== expected) return { ok: false, reason: 'checksum mismatch' };
    return { ok: true, payload, next: pos + FRAME_HEADER + length };
  }
}
