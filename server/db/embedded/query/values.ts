/**
 * BSON values as the engine sees them: type names, MongoDB's comparison order
 * (numbers compared by value across Int32, Int64, Double and Decimal128), and the
 * conversions between stored bytes, typed documents and mingo's plain documents.
 */
import { BSON, Decimal128, Double, Int32, Long } from 'bson';
import type { Document } from 'bson';
import { decodeBson } from '../bson-decode';
import { compareNumbers, isNumeric, numberValue } from './numbers';

export { compareNumbers, isNumeric, numberValue };

export type Doc = Document;

export type BsonTypeName =
  | 'double' | 'string' | 'object' | 'array' | 'binData' | 'undefined' | 'objectId'
  | 'bool' | 'date' | 'null' | 'regex' | 'dbPointer' | 'javascript' | 'symbol'
  | 'javascriptWithScope' | 'int' | 'timestamp' | 'long' | 'decimal' | 'minKey' | 'maxKey'
  | 'missing';

/** BSON type numbers, as `$type` accepts them. */
export const BSON_TYPE_NUMBERS: Record<Exclude<BsonTypeName, 'missing'>, number> = {
  double: 1, string: 2, object: 3, array: 4, binData: 5, undefined: 6, objectId: 7, bool: 8,
  date: 9, null: 10, regex: 11, dbPointer: 12, javascript: 13, symbol: 14,
  javascriptWithScope: 15, int: 16, timestamp: 17, long: 18, decimal: 19, minKey: -1, maxKey: 127,
};

/** Stored bytes → typed document (BSON types kept, so re-serialising gives the same bytes). */
export function deserializeDoc(buf: Uint8Array): Doc {
  return decodeBson(Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
}

/** Typed document → bytes (bson hands back a Node Buffer already; no copy needed). */
export function serializeDoc(doc: Doc): Buffer {
  const bytes = BSON.serialize(doc, { checkKeys: false, ignoreUndefined: false });
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function bsontype(v: object): string | undefined {
  return (v as { _bsontype?: string })._bsontype;
}

/** The BSON type of a value; `undefined` (an absent field) is `'missing'`. */
export function bsonType(v: unknown): BsonTypeName {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'number': return Number.isInteger(v) && Math.abs(v) <= 0x7fffffff && !Object.is(v, -0) ? 'int' : 'double';
    case 'bigint': return 'long';
    case 'function': return 'javascript';
    case 'object': break;
    default: return 'object';
  }
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  switch (bsontype(v as object)) {
    case 'Int32': return 'int';
    case 'Double': return 'double';
    case 'Long': return 'long';
    case 'Decimal128': return 'decimal';
    case 'ObjectId': return 'objectId';
    case 'Binary': return 'binData';
    case 'Timestamp': return 'timestamp';
    case 'BSONRegExp': return 'regex';
    case 'MinKey': return 'minKey';
    case 'MaxKey': return 'maxKey';
    case 'Code': return (v as { scope?: unknown }).scope ? 'javascriptWithScope' : 'javascript';
    case 'BSONSymbol': return 'symbol';
    default: return 'object';
  }
}

/**
 * `target` with the fields of `doc` added in their order (those in `target` already keep
 * their place and take the new value). A decoded document of more than a dozen fields is a
 * dictionary to V8, which copies it with a spread five times slower than with this loop.
 */
export function copyFields(doc: Doc, target: Doc = {}): Doc {
  const keys = Object.keys(doc);
  for (let i = 0; i < keys.length; i++) setField(target, keys[i], doc[keys[i]]);
  return target;
}

/** Sets a field without tripping over `__proto__` (a plain assignment would set the prototype). */
export function setField(obj: Doc, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** A plain sub-document: not an array, not a BSON wrapper, not a Date or RegExp. */
export function isPlainObject(v: unknown): v is Doc {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  if (v instanceof Date || v instanceof RegExp) return false;
  const t = bsontype(v);
  return t === undefined || t === 'DBRef';
}

/** Position in MongoDB's cross-type order; values of different ranks never compare equal. */
export function typeRank(v: unknown): number {
  switch (bsonType(v)) {
    case 'minKey': return 1;
    case 'missing': case 'undefined': case 'null': return 2;
    case 'int': case 'long': case 'double': case 'decimal': return 3;
    case 'string': case 'symbol': return 4;
    case 'object': return 5;
    case 'array': return 6;
    case 'binData': return 7;
    case 'objectId': return 8;
    case 'bool': return 9;
    case 'date': return 10;
    case 'timestamp': return 11;
    case 'regex': return 12;
    case 'dbPointer': return 13;
    case 'javascript': return 14;
    case 'javascriptWithScope': return 15;
    case 'maxKey': return 16;
  }
}

/** String order of MongoDB: by UTF-8 bytes, which differs from UTF-16 only around surrogates. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca >= 0xd800 && cb >= 0xd800) {
      // Surrogates encode code points above U+FFFF, so they sort after U+E000..U+FFFF.
      ca = ca < 0xe000 ? ca + 0x2000 : ca - 0x800;
      cb = cb < 0xe000 ? cb + 0x2000 : cb - 0x800;
    }
    return ca < cb ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function compareDocs(a: Doc, b: Doc): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const va = a[ka[i]];
    const vb = b[kb[i]];
    const byType = typeRank(va) - typeRank(vb);
    if (byType !== 0) return sign(byType);
    const byName = compareStrings(ka[i], kb[i]);
    if (byName !== 0) return byName;
    const byValue = compareValues(va, vb);
    if (byValue !== 0) return byValue;
  }
  return sign(ka.length - kb.length);
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return sign(a.length - b.length);
}

interface Wrapped {
  buffer: Uint8Array; sub_type: number; id: Uint8Array; source: string; pattern: string;
  options: string; flags: string; code: string | { toString(): string }; value: string;
  high: number; low: number;
}

/** MongoDB's comparison of two BSON values: negative, zero or positive. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return sign(ra - rb);
  switch (ra) {
    case 1: case 2: case 16: return 0;
    case 3: return compareNumbers(a, b);
    case 4: return compareStrings(String(typeof a === 'string' ? a : (a as Wrapped).value), String(typeof b === 'string' ? b : (b as Wrapped).value));
    case 5: return compareDocs(a as Doc, b as Doc);
    case 6: return compareArrays(a as unknown[], b as unknown[]);
    case 7: {
      const x = a as Wrapped;
      const y = b as Wrapped;
      const bx = x.buffer.subarray(0, (x as unknown as { position: number }).position ?? x.buffer.length);
      const by = y.buffer.subarray(0, (y as unknown as { position: number }).position ?? y.buffer.length);
      if (bx.length !== by.length) return sign(bx.length - by.length);
      if (x.sub_type !== y.sub_type) return sign(x.sub_type - y.sub_type);
      return compareBytes(bx, by);
    }
    case 8: return compareBytes((a as Wrapped).id, (b as Wrapped).id);
    case 9: return sign(Number(a) - Number(b));
    case 10: return sign((a as Date).getTime() - (b as Date).getTime());
    case 11: {
      const x = a as Wrapped;
      const y = b as Wrapped;
      // Timestamps compare as unsigned (seconds, increment) pairs.
      if (x.high !== y.high) return (x.high >>> 0) < (y.high >>> 0) ? -1 : 1;
      if (x.low === y.low) return 0;
      return (x.low >>> 0) < (y.low >>> 0) ? -1 : 1;
    }
    case 12: {
      const [pa, fa] = regexParts(a);
      const [pb, fb] = regexParts(b);
      return compareStrings(pa, pb) || compareStrings(fa, fb);
    }
    default:
      return compareStrings(String((a as Wrapped).code), String((b as Wrapped).code));
  }
}

function regexParts(v: unknown): [string, string] {
  if (v instanceof RegExp) return [v.source, v.flags];
  const r = v as Wrapped;
  return [r.pattern, r.options];
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0;
}

/** Deep copy of plain objects and arrays; BSON wrappers are immutable and shared. */
export function cloneValue<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneValue) as T;
  if (isPlainObject(v) && bsontype(v) === undefined) {
    const out: Doc = {};
    for (const k of Object.keys(v)) out[k] = cloneValue(v[k]);
    return out as T;
  }
  return v;
}

/** Typed → plain for mingo: Int32/Double become numbers, safe Longs numbers; other types stay. */
export function toPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toPlain);
  if (v === null || typeof v !== 'object') return v;
  switch (bsontype(v)) {
    case 'Int32': case 'Double': return (v as Int32 | Double).value;
    case 'Long': {
      const n = (v as Long).toNumber();
      return Number.isSafeInteger(n) ? n : v;
    }
    case undefined: {
      if (v instanceof Date || v instanceof RegExp) return v;
      const out: Doc = {};
      for (const k of Object.keys(v)) out[k] = toPlain((v as Doc)[k]);
      return out;
    }
    default: return v;
  }
}

/**
 * Plain → typed: integers become Int32 (Int64 past 32 bits), other numbers Double.
 * When `like` (the value before mingo saw it) holds an equal number at the same place,
 * its original type is kept, so fields a pipeline passes through keep their types.
 */
export function fromPlain(v: unknown, like?: unknown): unknown {
  if (typeof v === 'number') {
    if (like !== undefined && isNumeric(like) && typeof like === 'object' && numberValue(like) === v && !Number.isNaN(v)) return like;
    if (Number.isInteger(v) && !Object.is(v, -0)) {
      return Math.abs(v) <= 0x7fffffff ? new Int32(v) : Long.fromNumber(v);
    }
    return new Double(v);
  }
  if (typeof v === 'bigint') return Long.fromBigInt(v);
  if (Array.isArray(v)) {
    const likeArr = Array.isArray(like) ? like : undefined;
    return v.map((x, i) => fromPlain(x, likeArr?.[i]));
  }
  if (isPlainObject(v) && bsontype(v) === undefined) {
    const likeDoc = isPlainObject(like) ? like : undefined;
    const out: Doc = {};
    for (const k of Object.keys(v)) {
      if (v[k] !== undefined) out[k] = fromPlain(v[k], likeDoc?.[k]);
    }
    return out;
  }
  return v;
}

export { Decimal128 };
