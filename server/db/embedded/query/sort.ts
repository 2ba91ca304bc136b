/**
 * Sort specifications: `compileSort(spec)` validates `{ field: 1 | -1, ... }` with
 * MongoDB's codes and returns a comparator of typed documents. An array field sorts by
 * its smallest element ascending and its largest descending; missing sorts as null.
 */
import { unsupported } from '../errors';
import { bsonType, compareStrings, compareValues, isNumeric, isPlainObject, numberValue, type Doc } from './values';
import { getField, isArrayIndex, isDocument } from './paths';
import { describeValue, locationError } from './match-errors';

/** The key of an empty array: below null, above MinKey (MongoDB indexes it as undefined). */
const EMPTY_ARRAY = Symbol('empty array');

interface SortKey {
  parts: string[];
  dir: 1 | -1;
}

/** Checks a field path the way MongoDB's FieldPath does. */
export function validateFieldPath(path: string): string[] {
  if (path.length === 0) throw locationError(40352, 'FieldPath cannot be constructed with empty string');
  const parts = path.split('.');
  for (const part of parts) {
    if (part.length === 0) throw locationError(15998, 'FieldPath field names may not be empty strings.');
    if (part.startsWith('$')) {
      throw locationError(16410, "FieldPath field names may not start with '$'. Consider using $getField or $setField.");
    }
  }
  return parts;
}

/** `{$natural: 1 | -1}` asks for (reverse) insertion order; the caller orders, the comparator ignores it. */
export function naturalSortDirection(spec: Doc | null | undefined): 1 | -1 | undefined {
  if (!spec || !('$natural' in spec)) return undefined;
  return isNumeric(spec.$natural) && numberValue(spec.$natural) < 0 ? -1 : 1;
}

function parseSpec(spec: Doc): SortKey[] {
  const keys: SortKey[] = [];
  for (const field of Object.keys(spec)) {
    const value = spec[field];
    if (isPlainObject(value)) {
      const first = Object.keys(value)[0];
      if (first !== '$meta') throw locationError(17312, '$meta is the only expression supported by $sort right now');
      throw unsupported(`$meta sort ("${String(value.$meta)}")`);
    }
    if (!isNumeric(value)) {
      throw locationError(15974, `Illegal key in $sort specification: ${field}: ${describeValue(value)}`);
    }
    const n = numberValue(value);
    if (n !== 1 && n !== -1) {
      throw locationError(15975, '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
    }
    if (field === '$natural') continue;
    keys.push({ parts: validateFieldPath(field), dir: n === 1 ? 1 : -1 });
  }
  return keys;
}

/** A JS number for plain numbers and Int32/Double wrappers (the common sort keys), else undefined. */
function fastNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === null || typeof v !== 'object') return undefined;
  const t = (v as { _bsontype?: string })._bsontype;
  return t === 'Int32' || t === 'Double' ? (v as { value: number }).value : undefined;
}

function isObjectId(v: unknown): v is { id: Uint8Array } {
  return v !== null && typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'ObjectId';
}

/** Orders sort keys: BSON order, with the empty-array key just above MinKey. */
function compareKeys(a: unknown, b: unknown): number {
  // Fast paths for the usual keys; everything else goes through compareValues.
  if (typeof a === 'string' && typeof b === 'string') return a === b ? 0 : compareStrings(a, b);
  const x = fastNumber(a);
  const y = x === undefined ? undefined : fastNumber(b);
  if (x !== undefined && y !== undefined && x === x && y === y) return x < y ? -1 : x > y ? 1 : 0;
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  if (isObjectId(a) && isObjectId(b)) {
    for (let i = 0; i < 12; i++) if (a.id[i] !== b.id[i]) return a.id[i] < b.id[i] ? -1 : 1;
    return 0;
  }
  if (a === EMPTY_ARRAY || b === EMPTY_ARRAY) {
    if (a === b) return 0;
    const other = a === EMPTY_ARRAY ? b : a;
    const sign = a === EMPTY_ARRAY ? -1 : 1;
    return bsonType(other) === 'minKey' ? -sign : sign;
  }
  return compareValues(a, b);
}

/**
 * Every key a document yields for a path, as index key generation does: leaf arrays give
 * their elements (an empty one the EMPTY_ARRAY key), array elements without the field and
 * paths that stop at a scalar give null.
 */
function visitKeys(v: unknown, parts: readonly string[], i: number, visit: (key: unknown) => void): void {
  for (; i < parts.length; i++) {
    if (Array.isArray(v)) {
      if (isArrayIndex(parts[i]) && Number(parts[i]) < v.length) {
        visitKeys(v[Number(parts[i])], parts, i + 1, visit);
        return;
      }
      if (v.length === 0) visit(null);
      for (const el of v) {
        if (isDocument(el)) visitKeys(el, parts, i, visit);
        else visit(null);
      }
      return;
    }
    if (!isDocument(v)) {
      visit(null);
      return;
    }
    v = getField(v, parts[i]);
  }
  if (Array.isArray(v)) {
    if (v.length === 0) visit(EMPTY_ARRAY);
    for (const el of v) visit(el);
    return;
  }
  visit(v === undefined ? null : v);
}

/** The value a document sorts by: its smallest key ascending, its largest descending. */
function sortKeyOf(doc: Doc, key: SortKey): unknown {
  let v: unknown = doc;
  const { parts } = key;
  // Fast path: no arrays along the path, so there is exactly one key.
  for (let i = 0; i < parts.length; i++) {
    if (Array.isArray(v)) return slowSortKey(doc, key);
    if (!isDocument(v)) return null;
    v = getField(v, parts[i]);
  }
  if (Array.isArray(v)) return slowSortKey(doc, key);
  return v === undefined ? null : v;
}

function slowSortKey(doc: Doc, key: SortKey): unknown {
  let best: unknown;
  let found = false;
  visitKeys(doc, key.parts, 0, (k) => {
    if (!found || compareKeys(k, best) * key.dir < 0) {
      best = k;
      found = true;
    }
  });
  return found ? best : null;
}

/** A comparator for `Array.prototype.sort` (stable, so ties keep their incoming order). */
export function compileSort(spec: Doc): (a: Doc, b: Doc) => number {
  const keys = parseSpec(spec ?? {});
  if (keys.length === 0) return () => 0;
  return (a, b) => {
    for (const key of keys) {
      const c = compareKeys(sortKeyOf(a, key), sortKeyOf(b, key));
      if (c !== 0) return c * key.dir;
    }
    return 0;
  };
}
