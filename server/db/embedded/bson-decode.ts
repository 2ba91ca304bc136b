/**
 * Decoding BSON into the engine's typed documents, the same values bson's deserialize gives
 * with the engine's options (numbers as Int32, Double and Long, so that a document written
 * back keeps its bytes), at a fraction of its cost for the element types documents and
 * commands are made of. The rarer types (binary, timestamp, regex, decimal, code...) are
 * decoded by bson one element at a time; a DBRef-like document, a `__proto__` field, a
 * string that is not clean UTF-8 or a malformed length hands the whole document to bson,
 * which raises the errors.
 *
 * Why not bson alone: every command the engine receives and every document it reads goes
 * through here. bson makes each field name a new string, which V8 must look up in its string
 * table before storing the field, and builds an array for each short one. Measured alone: a
 * bulkWrite of 23 answers (26.7 kB) took 733 µs and 474 kB of garbage there, 398 µs and 118 kB
 * here. Under the submit load (1,000,000 invitations, 24 paired rounds), the engine's CPU per
 * answer fell by 15% on average, 0.525 to 0.449 ms (fewer of its major collections too).
 */
import { BSON, Double, Int32, Long, ObjectId, type Document } from 'bson';

/** bson's deserialize options that this decoder reproduces: every BSON type kept as sent (README "Representations"). */
export const ENGINE_BSON_OPTIONS = {
  promoteValues: false,
  promoteLongs: false,
  promoteBuffers: false,
  bsonRegExp: true,
  validation: { utf8: true },
} as const;

/** Field names seen recently, by a hash of their bytes: one string per name, already in V8's string table. */
const NAME_SLOTS = 4096;
const names: (string | null)[] = new Array<string | null>(NAME_SLOTS).fill(null);
/** Longer names are rare and not worth a slot. */
const MAX_CACHED_NAME = 32;

export function fieldName(buf: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length > MAX_CACHED_NAME) return buf.toString('utf8', start, end);
  let hash = length;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + buf[i]!) | 0;
  const slot = hash & (NAME_SLOTS - 1);
  const known = names[slot];
  if (known !== null && known !== undefined && known.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (known.charCodeAt(i) !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return known;
  }
  const name = buf.toString('latin1', start, end);
  for (let i = 0; i < length; i++) if (name.charCodeAt(i) > 0x7f) return buf.toString('utf8', start, end);
  // A computed key comes back from Object.keys as the table's own string.
  const interned = Object.keys({ [name]: 0 })[0] as string;
  names[slot] = interned;
  return interned;
}

/**
 * ObjectId's constructor also reads 12 bytes at an offset (bson's own decoder calls it so),
 * which its typings leave out; without it each id would cost a subarray. The tests compare
 * every id with bson's.
 */
const ObjectIdAt = ObjectId as unknown as new (bytes: Uint8Array, offset: number) => ObjectId;

/**
 * Where the field name starting at `at` ends (its NUL), or -1 when none comes before `end`.
 * A loop rather than buf.indexOf: names are a few bytes long, and the native call cost as
 * much as the rest of finding a field. An invitation (30 fields) decodes in 13% less time,
 * its indexed fields (decodeFields) in 16% less (medians of 20 alternated rounds).
 */
export function nulBefore(buf: Buffer, at: number, end: number): number {
  for (let i = at; i < end; i++) if (buf[i] === 0) return i;
  return -1;
}

/** Value sizes of the rarer types whose size is fixed. */
const FIXED_RARE_SIZES: Record<number, number> = { 0x06: 0, 0x11: 8, 0x13: 16, 0x7f: 0, 0xff: 0 };

/** The byte size of a rarer type's value at `at` (its element ends by `end`), or -1 where bson must judge the whole document. */
function rareValueSize(buf: Buffer, type: number, at: number, end: number): number {
  let size = FIXED_RARE_SIZES[type] ?? -1;
  const room = end - at;
  const length = () => (room >= 4 ? buf.readInt32LE(at) : -1);
  const cstring = (from: number) => {
    const nul = buf.indexOf(0, from);
    return nul < 0 || nul >= end ? -1 : nul + 1 - from;
  };
  switch (type) {
    case 0x05: // binary: length, subtype, bytes
      size = length() < 0 ? -1 : 5 + length();
      break;
    case 0x0b: {
      // regex: pattern and flags
      const pattern = cstring(at);
      const flags = pattern < 0 ? -1 : cstring(at + pattern);
      size = flags < 0 ? -1 : pattern + flags;
      break;
    }
    case 0x0c: // DBPointer: a string and an id
      size = length() < 1 ? -1 : 4 + length() + 12;
      break;
    case 0x0d: // code and symbol: a string
    case 0x0e:
      size = length() < 1 ? -1 : 4 + length();
      break;
    case 0x0f: // code with scope: its whole length first
      size = length();
      break;
  }
  return size < 0 || size > room ? -1 : size;
}

/** A rarer value as bson decodes it: the element alone in a document of its own, under the name ''. */
function rareValue(buf: Buffer, type: number, at: number, size: number): unknown {
  const single = Buffer.allocUnsafe(size + 7);
  single.writeInt32LE(size + 7, 0);
  single[4] = type;
  single[5] = 0;
  buf.copy(single, 6, at, at + size);
  single[size + 6] = 0;
  return BSON.deserialize(single, ENGINE_BSON_OPTIONS)[''];
}

/** Value sizes of the common types whose size is fixed. */
const FIXED_SIZES: Record<number, number> = { 0x01: 8, 0x07: 12, 0x08: 1, 0x09: 8, 0x0a: 0, 0x10: 4, 0x12: 8 };

/** The byte size of any value at `at` (its element ends by `end`), or -1 where it cannot be told. */
export function valueSize(buf: Buffer, type: number, at: number, end: number): number {
  const fixed = FIXED_SIZES[type];
  if (fixed !== undefined) return fixed <= end - at ? fixed : -1;
  if (type === 0x02 || type === 0x03 || type === 0x04) {
    if (at + 4 > end) return -1;
    const length = buf.readInt32LE(at);
    const size = type === 0x02 ? 4 + length : length;
    // A string ends in its NUL, a document or array is at least its length and its NUL.
    return length >= (type === 0x02 ? 1 : 5) && size <= end - at && buf[at + size - 1] === 0 ? size : -1;
  }
  return rareValueSize(buf, type, at, end);
}

/**
 * The document's top-level fields named in `names`, decoded as decodeBson decodes them: what
 * an index build needs of each stored document, at a fraction of a whole decoding. The
 * fields are copied, in their order, into a document of their own, which decodeBson reads.
 * Where that cannot be told apart from decoding all of it (a malformed element, a DBRef-like
 * document, a `__proto__` field), the whole document is decoded instead: never fewer fields.
 */
export function decodeFields(buf: Buffer, names: ReadonlySet<string>): Document {
  if (buf.length < 5 || buf.readInt32LE(0) !== buf.length || buf[buf.length - 1] !== 0) return decodeBson(buf);
  const end = buf.length - 1;
  const kept: [number, number][] = [];
  let keptBytes = 0;
  for (let at = 4; at < end; ) {
    const start = at;
    const type = buf[at++]!;
    const nameEnd = nulBefore(buf, at, end);
    if (nameEnd < 0) return decodeBson(buf);
    const name = fieldName(buf, at, nameEnd);
    if (name === '$ref' || name === '__proto__') return decodeBson(buf);
    const size = valueSize(buf, type, nameEnd + 1, end);
    if (size < 0) return decodeBson(buf);
    at = nameEnd + 1 + size;
    if (names.has(name)) {
      kept.push([start, at]);
      keptBytes += at - start;
    }
  }
  const slim = Buffer.allocUnsafe(keptBytes + 5);
  slim.writeInt32LE(slim.length, 0);
  let to = 4;
  for (const [from, until] of kept) to += buf.copy(slim, to, from, until);
  slim[to] = 0;
  const doc = tryDecode(slim);
  return doc === UNSUPPORTED ? decodeBson(buf) : doc;
}

/** Signals a document this decoder leaves to bson. */
const UNSUPPORTED = Symbol('unsupported');

interface Open {
  dest: Document | unknown[];
  isArray: boolean;
  end: number;
}

/** The document `buf` holds (exactly: no bytes after it), as BSON.deserialize with ENGINE_BSON_OPTIONS gives it, errors included. */
export function decodeBson(buf: Buffer): Document {
  const doc = tryDecode(buf);
  return doc === UNSUPPORTED ? BSON.deserialize(buf, ENGINE_BSON_OPTIONS) : doc;
}

function tryDecode(buf: Buffer): Document | typeof UNSUPPORTED {
  if (buf.length < 5 || buf.readInt32LE(0) !== buf.length || buf[buf.length - 1] !== 0) return UNSUPPORTED;
  const root: Document = {};
  const stack: Open[] = [];
  let dest: Document | unknown[] = root;
  let isArray = false;
  let end = buf.length - 1;
  let at = 4;
  for (;;) {
    if (at >= end) {
      if (at !== end) return UNSUPPORTED;
      const closed = stack.pop();
      if (!closed) return root;
      at += 1;
      ({ dest, isArray, end } = closed);
      continue;
    }
    const type = buf[at++]!;
    const nameEnd = nulBefore(buf, at, end);
    if (nameEnd < 0) return UNSUPPORTED;
    let name = '';
    if (!isArray) {
      name = fieldName(buf, at, nameEnd);
      // bson makes a document with $ref (and $id) a DBRef, and defines __proto__ as a plain field.
      if (name === '$ref' || name === '__proto__') return UNSUPPORTED;
    }
    at = nameEnd + 1;
    let value: unknown;
    switch (type) {
      case 0x01:
        if (at + 8 > end) return UNSUPPORTED;
        value = new Double(buf.readDoubleLE(at));
        at += 8;
        break;
      case 0x02: {
        if (at + 4 > end) return UNSUPPORTED;
        const length = buf.readInt32LE(at);
        if (length <= 0 || length > end - at - 4 || buf[at + 3 + length] !== 0) return UNSUPPORTED;
        const text = buf.toString('utf8', at + 4, at + 3 + length);
        // Invalid UTF-8 shows as U+FFFD: bson tells a real one from a broken sequence (and throws).
        if (text.includes('\uFFFD')) return UNSUPPORTED;
        value = text;
        at += 4 + length;
        break;
      }
      case 0x03:
      case 0x04: {
        if (at + 4 > end) return UNSUPPORTED;
        const length = buf.readInt32LE(at);
        if (length < 5 || length > end - at || buf[at + length - 1] !== 0) return UNSUPPORTED;
        const child: Document | unknown[] = type === 0x03 ? {} : [];
        if (isArray) (dest as unknown[]).push(child);
        else (dest as Document)[name] = child;
        stack.push({ dest, isArray, end });
        dest = child;
        isArray = type === 0x04;
        end = at + length - 1;
        at += 4;
        continue;
      }
      case 0x07:
        if (at + 12 > end) return UNSUPPORTED;
        value = new ObjectIdAt(buf, at);
        at += 12;
        break;
      case 0x08: {
        const byte = buf[at];
        if (at + 1 > end || (byte !== 0 && byte !== 1)) return UNSUPPORTED;
        value = byte === 1;
        at += 1;
        break;
      }
      case 0x09:
        if (at + 8 > end) return UNSUPPORTED;
        // As Long's toNumber: the high word signed, the low one unsigned.
        value = new Date(buf.readInt32LE(at + 4) * 4294967296 + buf.readUInt32LE(at));
        at += 8;
        break;
      case 0x0a:
        value = null;
        break;
      case 0x10:
        if (at + 4 > end) return UNSUPPORTED;
        value = new Int32(buf.readInt32LE(at));
        at += 4;
        break;
      case 0x12:
        if (at + 8 > end) return UNSUPPORTED;
        value = new Long(buf.readInt32LE(at), buf.readInt32LE(at + 4));
        at += 8;
        break;
      default: {
        // The rarer types (a session id's binary, a cluster time's timestamp, decimals, regexes...)
        // are bson's to decode, one element at a time.
        const size = rareValueSize(buf, type, at, end);
        if (size < 0) return UNSUPPORTED;
        try {
          value = rareValue(buf, type, at, size);
        } catch {
          // Refused alone: the whole document then fails with bson's own words for it.
          return UNSUPPORTED;
        }
        at += size;
      }
    }
    if (isArray) (dest as unknown[]).push(value);
    else (dest as Document)[name] = value;
  }
}
