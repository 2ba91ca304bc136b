/**
 * Where the documents of a bulkWrite command's inserts lie in its message, so that each can
 * be stored as it arrived (Collection.insert) instead of being serialised again from its
 * decoded form: a survey group inserts a response per submit. Walks BSON that checkBson
 * has already accepted, so lengths are trusted here.
 */
import { FIXED_SIZE } from './bson-check';

/** Where the value of an element of `type` starting at `p` ends (types without a fixed size carry their length). */
function valueEnd(buf: Buffer, type: number, p: number): number {
  const fixed = FIXED_SIZE[type];
  if (fixed !== undefined) return p + fixed;
  switch (type) {
    case 0x02: case 0x0d: case 0x0e: return p + 4 + buf.readInt32LE(p); // string, code, symbol
    case 0x03: case 0x04: case 0x0f: return p + buf.readInt32LE(p); // document, array, code with scope
    case 0x05: return p + 5 + buf.readInt32LE(p); // binary
    case 0x0b: return buf.indexOf(0, buf.indexOf(0, p) + 1) + 1; // regex: two C strings
    case 0x0c: return p + 4 + buf.readInt32LE(p) + 12; // DBPointer
  }
  throw new Error(`unknown BSON element type 0x${type.toString(16)}`);
}

/** Calls `each(name, type, valueStart, valueEnd)` for the elements of the document at `start`. */
function forEachElement(buf: Buffer, start: number, each: (name: string, type: number, from: number, to: number) => void): void {
  const end = start + buf.readInt32LE(start) - 1;
  for (let p = start + 4; p < end; ) {
    const type = buf[p];
    const nul = buf.indexOf(0, p + 1);
    const name = buf.toString('latin1', p + 1, nul);
    const to = valueEnd(buf, type, nul + 1);
    each(name, type, nul + 1, to);
    p = to;
  }
}

/** The bytes of an operation's `document` when it is an insert (its first field `insert`), else undefined. */
export function insertDocumentOf(buf: Buffer, opStart: number): Buffer | undefined {
  let first = true;
  let isInsert = false;
  let document: Buffer | undefined;
  forEachElement(buf, opStart, (name, type, from, to) => {
    if (first) isInsert = name === 'insert';
    first = false;
    if (isInsert && name === 'document' && type === 0x03) document = buf.subarray(from, to);
  });
  return document;
}

/** For each element of the `ops` array of the body document at `bodyStart`: its insert's document bytes, or undefined. */
export function insertDocumentsInBody(buf: Buffer, bodyStart: number): (Buffer | undefined)[] {
  const found: (Buffer | undefined)[] = [];
  forEachElement(buf, bodyStart, (name, type, from) => {
    if (name !== 'ops' || type !== 0x04) return;
    forEachElement(buf, from, (_index, opType, opFrom) => found.push(opType === 0x03 ? insertDocumentOf(buf, opFrom) : undefined));
  });
  return found;
}
