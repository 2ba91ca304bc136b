/**
 * Values printed the way MongoDB prints them inside error messages ("{_id: 1}",
 * "a: [ 1, 2 ]"), the identity test behind nModified, and server errors whose codes
 * errors.ts does not list.
 */
import { MongoServerError } from '../errors';
import { bsonType, compareValues, isPlainObject, numberValue, type Doc } from './values';

/** A MongoServerError with a code/codeName pair that errors.ts does not (yet) know. */
export function serverError(code: number, codeName: string, message: string): MongoServerError {
  const err = new MongoServerError('BadValue', message);
  // errors.ts keys codes by name; these few are set directly so the reply carries MongoDB's code.
  Object.defineProperty(err, 'code', { value: code });
  Object.defineProperty(err, 'codeName', { value: codeName });
  return err;
}

interface Wrapper {
  toHexString(): string; toString(): string; value: unknown; sub_type: number;
  buffer: Uint8Array; pattern: string; options: string; high: number; low: number;
}

function formatDouble(n: number): string {
  if (Number.isNaN(n)) return 'nan.0';
  if (!Number.isFinite(n)) return n > 0 ? 'inf.0' : '-inf.0';
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? n.toFixed(1) : String(n);
}

/** One value in MongoDB's BSON toString() notation. */
export function formatValue(v: unknown): string {
  const w = v as Wrapper;
  switch (bsonType(v)) {
    case 'missing': return 'MISSING';
    case 'null': return 'null';
    case 'undefined': return 'undefined';
    case 'bool': return String(v);
    case 'int': return String(numberValue(v));
    case 'long': return String(typeof v === 'bigint' ? v : w.toString());
    case 'double': return formatDouble(numberValue(v));
    case 'decimal': return `NumberDecimal("${w.toString()}")`;
    case 'string': return JSON.stringify(typeof v === 'string' ? v : String(w.value));
    case 'symbol': return JSON.stringify(String(w.value));
    case 'objectId': return `ObjectId('${w.toHexString()}')`;
    case 'date': return `new Date(${(v as Date).getTime()})`;
    case 'timestamp': return `Timestamp(${w.high >>> 0}, ${w.low >>> 0})`;
    case 'regex': return v instanceof RegExp ? `/${v.source}/${v.flags}` : `/${w.pattern}/${w.options}`;
    case 'binData': return `BinData(${w.sub_type}, ${Buffer.from(w.buffer).toString('hex').toUpperCase()})`;
    case 'minKey': return 'MinKey';
    case 'maxKey': return 'MaxKey';
    case 'array': {
      const items = (v as unknown[]).map(formatValue);
      return items.length ? `[ ${items.join(', ')} ]` : '[]';
    }
    case 'object': {
      if (!isPlainObject(v)) return String(v);
      const parts = Object.keys(v).map((k) => `${k}: ${formatValue(v[k])}`);
      return parts.length ? `{ ${parts.join(', ')} }` : '{}';
    }
    default: return String(v);
  }
}

/** A field as MongoDB prints a BSONElement: `name: value`. */
export function formatElement(name: string, v: unknown): string {
  return `${name}: ${formatValue(v)}`;
}

/** The `_id: ...` part that several update errors quote, or "no id". */
export function formatId(doc: Doc): string {
  return Object.prototype.hasOwnProperty.call(doc, '_id') ? formatElement('_id', doc._id) : 'no id';
}

/** MongoDB's type names as error messages spell them. */
export function typeName(v: unknown): string {
  const t = bsonType(v);
  return t === 'missing' ? 'missing' : t;
}

/**
 * "Binary" identity: same BSON type and same value (and, for documents, the same field
 * order). MongoDB counts an update as a no-op only when the bytes would not change.
 */
export function identical(a: unknown, b: unknown): boolean {
  // The common cases first: strings, and counters of one type (a symbol is not a string).
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  const wa = (a as { _bsontype?: unknown } | null)?._bsontype;
  if ((wa === 'Int32' || wa === 'Double') && wa === (b as { _bsontype?: unknown } | null)?._bsontype) {
    return Object.is((a as { value: number }).value, (b as { value: number }).value);
  }
  const ta = bsonType(a);
  if (ta !== bsonType(b)) return false;
  switch (ta) {
    case 'double': return Object.is(numberValue(a), numberValue(b));
    case 'decimal': return String(a) === String(b);
    case 'array': {
      const x = a as unknown[];
      const y = b as unknown[];
      return x.length === y.length && x.every((e, i) => identical(e, y[i]));
    }
    case 'object': {
      if (!isPlainObject(a) || !isPlainObject(b)) return compareValues(a, b) === 0;
      const ka = Object.keys(a);
      const kb = Object.keys(b);
      return ka.length === kb.length && ka.every((k, i) => k === kb[i] && identical(a[k], b[k]));
    }
    case 'regex': return formatValue(a) === formatValue(b);
    default: return compareValues(a, b) === 0;
  }
}
