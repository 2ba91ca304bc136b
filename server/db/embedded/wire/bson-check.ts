/**
 * Structural check of untrusted BSON before it is deserialized: lengths, terminators,
 * element types and nesting depth, walked without recursion so hostile input cannot
 * exhaust the stack. Value contents (UTF-8, booleans...) are left to the decoder (bson-decode.ts).
 */
import { ProtocolError } from './protocol';

/** Raised for documents nested deeper than MongoDB allows; the command fails, the connection stays. */
export class DepthError extends Error {
  constructor(readonly maxDepth: number) {
    super(`BSONObj exceeds maximum nested object depth: ${maxDepth}`);
    this.name = 'DepthError';
  }
}

/** Fixed value sizes by element type; -1 marks types whose size is read from the data. */
export const FIXED_SIZE: Record<number, number> = {
  0x01: 8, 0x06: 0, 0x07: 12, 0x08: 1, 0x09: 8, 0x0a: 0, 0x10: 4, 0x11: 8, 0x12: 8, 0x13: 16, 0x7f: 0, 0xff: 0,
};

// Module-level helpers rather than closures: a check runs once per document of a bulk write,
// and closures would be re-created (and wrapped for their names by tsx) on every call.
function bad(offset: number, why: string): never {
  throw new ProtocolError(`invalid BSON at byte ${offset}: ${why}`);
}

function readLength(buf: Buffer, offset: number, at: number, limit: number): number {
  if (at + 4 > limit) bad(offset, 'truncated length');
  return buf.readInt32LE(at);
}

function skipCString(buf: Buffer, offset: number, at: number, limit: number): number {
  const nul = buf.indexOf(0, at);
  if (nul < 0 || nul >= limit) bad(offset, 'unterminated string');
  return nul + 1;
}

function skipString(buf: Buffer, offset: number, at: number, limit: number): number {
  const len = readLength(buf, offset, at, limit);
  if (len < 1 || at + 4 + len > limit || buf[at + 3 + len] !== 0) bad(offset, 'bad string length');
  return at + 4 + len;
}

/**
 * Checks the document that starts at `offset` and must end exactly at `end`.
 * Throws ProtocolError when it is malformed, DepthError when it nests deeper than `maxDepth`.
 */
export function checkBson(buf: Buffer, offset: number, end: number, maxDepth: number): void {
  const rootLength = readLength(buf, offset, offset, end);
  if (rootLength < 5 || offset + rootLength !== end) bad(offset, 'document length does not match its frame');
  const ends: number[] = [end]; // one entry per open document: where it must finish
  let p = offset + 4;
  while (ends.length > 0) {
    const docEnd = ends[ends.length - 1];
    if (p >= docEnd) bad(offset, 'missing terminator');
    const type = buf[p++];
    if (type === 0) {
      if (p !== docEnd) bad(offset, 'terminator before the end of the document');
      ends.pop();
      continue;
    }
    p = skipCString(buf, offset, p, docEnd - 1);
    const fixed = FIXED_SIZE[type];
    if (fixed !== undefined) {
      if (type === 0x08 && buf[p] > 1) bad(offset, 'bad boolean');
      p += fixed;
    } else if (type === 0x02 || type === 0x0d || type === 0x0e) {
      p = skipString(buf, offset, p, docEnd - 1);
    } else if (type === 0x03 || type === 0x04) {
      const len = readLength(buf, offset, p, docEnd - 1);
      if (len < 5 || p + len > docEnd - 1) bad(offset, 'bad embedded document length');
      if (ends.length > maxDepth) throw new DepthError(maxDepth);
      ends.push(p + len);
      p += 4;
    } else if (type === 0x05) {
      const len = readLength(buf, offset, p, docEnd - 1);
      if (len < 0 || p + 5 + len > docEnd - 1) bad(offset, 'bad binary length');
      if (buf[p + 4] === 0x02 && (len < 4 || buf.readInt32LE(p + 5) !== len - 4)) bad(offset, 'bad old binary length');
      p += 5 + len;
    } else if (type === 0x0b) {
      p = skipCString(buf, offset, skipCString(buf, offset, p, docEnd - 1), docEnd - 1);
    } else if (type === 0x0c) {
      p = skipString(buf, offset, p, docEnd - 1) + 12;
    } else if (type === 0x0f) {
      const total = readLength(buf, offset, p, docEnd - 1);
      const scopeAt = total >= 14 ? skipString(buf, offset, p + 4, Math.min(p + total, docEnd - 1)) : bad(offset, 'bad code with scope');
      if (p + total > docEnd - 1 || readLength(buf, offset, scopeAt, docEnd - 1) !== p + total - scopeAt) bad(offset, 'bad code with scope');
      if (ends.length > maxDepth) throw new DepthError(maxDepth);
      ends.push(p + total);
      p = scopeAt + 4;
    } else {
      bad(offset, `unknown element type 0x${type.toString(16)}`);
    }
    if (p > docEnd - 1) bad(offset, 'element runs past the end of its document');
  }
}
