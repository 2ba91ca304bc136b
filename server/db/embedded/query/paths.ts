/**
 * Dotted paths as MongoDB's query matcher reads them: `a.b` walks through arrays of
 * sub-documents, a numeric component addresses an array element *and* a field of that
 * name in the array's sub-documents, and a leaf array is tried element by element and
 * then whole. Also the plain getters projection and sort build on.
 */
import type { Doc } from './values';

/** `matchPath` results: no candidate matched, or matched without passing through an array. */
export const NO_MATCH = -2;
export const MATCH = -1;

export type ValuePred = (v: unknown) => boolean;

/** A sub-document that paths can enter: not an array, Date, RegExp or BSON scalar wrapper. */
export function isDocument(v: unknown): v is Doc {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date || v instanceof RegExp) return false;
  const t = (v as { _bsontype?: string })._bsontype;
  return t === undefined || t === 'DBRef';
}

interface DBRefLike { collection: string; oid: unknown; db?: string; fields?: Doc }

/** One field of a document; DBRef objects expose `$ref`/`$id`/`$db` as stored in BSON. */
export function getField(doc: Doc, name: string): unknown {
  if ((doc as { _bsontype?: string })._bsontype !== 'DBRef') return Object.prototype.hasOwnProperty.call(doc, name) ? doc[name] : undefined;
  const ref = doc as unknown as DBRefLike;
  if (name === '$ref') return ref.collection;
  if (name === '$id') return ref.oid;
  if (name === '$db') return ref.db;
  return ref.fields?.[name];
}

/** The fields of a document in stored order (DBRef included). */
export function fieldNames(doc: Doc): string[] {
  if ((doc as { _bsontype?: string })._bsontype !== 'DBRef') return Object.keys(doc);
  const ref = doc as unknown as DBRefLike;
  return ['$ref', '$id', ...(ref.db !== undefined ? ['$db'] : []), ...Object.keys(ref.fields ?? {})];
}

/** An array seen as the document `{ "0": ..., "1": ... }` that BSON stores it as. */
export function arrayAsDocument(arr: unknown[]): Doc {
  const out: Doc = {};
  for (let i = 0; i < arr.length; i++) out[String(i)] = arr[i];
  return out;
}

/** A path component that can address an array element: digits without a leading zero. */
export function isArrayIndex(part: string): boolean {
  const n = part.length;
  if (n === 0 || n > 9 || (n > 1 && part.charCodeAt(0) === 48)) return false;
  for (let i = 0; i < n; i++) {
    const c = part.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Tries `pred` on every value the path reaches in `value`, as MongoDB's matcher does,
 * stopping at the first hit. Returns NO_MATCH, MATCH, or the index in the first
 * (outermost) array traversed — what the positional `$` operator uses.
 * `expandLeaf`: whether a leaf array is also tried element by element (false for
 * $size and $elemMatch, which look at the array itself). A path that stops at a
 * scalar or a missing field offers `undefined` (missing), which null-equality matches.
 */
export function matchPath(
  value: unknown, parts: readonly string[], i: number, pred: ValuePred, expandLeaf: boolean, pos: number,
): number {
  for (; i < parts.length; i++) {
    if (Array.isArray(value)) return matchInArray(value, parts, i, pred, expandLeaf, pos);
    if (!isDocument(value)) return pred(undefined) ? pos : NO_MATCH;
    value = getField(value, parts[i]);
  }
  if (expandLeaf && Array.isArray(value)) {
    for (let j = 0; j < value.length; j++) {
      if (pred(value[j])) return pos >= 0 ? pos : j;
    }
  }
  return pred(value) ? pos : NO_MATCH;
}

function matchInArray(
  arr: unknown[], parts: readonly string[], i: number, pred: ValuePred, expandLeaf: boolean, pos: number,
): number {
  const part = parts[i];
  const index = isArrayIndex(part) ? Number(part) : -1;
  const last = i + 1 === parts.length;
  for (let j = 0; j < arr.length; j++) {
    const el = arr[j];
    const p = pos >= 0 ? pos : j;
    if (j === index) {
      // `a.0`: the element itself; an explicitly addressed leaf is not expanded further.
      let r = NO_MATCH;
      if (last) r = pred(el) ? p : NO_MATCH;
      else if (isDocument(el) || Array.isArray(el)) r = matchPath(el, parts, i + 1, pred, expandLeaf, p);
      if (r !== NO_MATCH) return r;
    }
    // Sub-documents are searched for the component as a field name (so `a.0` also finds {"0": ...}).
    // Nested arrays and scalars are not entered: {a: [[{b: 1}]]} has no value at `a.b`.
    if (isDocument(el)) {
      const r = matchPath(el, parts, i, pred, expandLeaf, p);
      if (r !== NO_MATCH) return r;
    }
  }
  return NO_MATCH;
}

/** One value a path reaches; `fromArray` when it is an element of an expanded leaf array. */
export interface PathValue { value: unknown; fromArray: boolean; index?: number }

/**
 * Every candidate value of a path, in the order the matcher tries them: a leaf array
 * gives its elements (fromArray) and then itself; `index` is the outermost array index.
 * For callers that need all candidates (index keys, distinct); matching uses matchPath.
 */
export function pathValues(doc: unknown, path: string | readonly string[]): PathValue[] {
  const out: PathValue[] = [];
  walkAll(doc, typeof path === 'string' ? path.split('.') : path, 0, -1, true, (value, fromArray, index) => {
    out.push(index >= 0 ? { value, fromArray, index } : { value, fromArray });
  });
  return out;
}

/**
 * The values a path reaches through sub-documents and intermediate arrays, leaf arrays
 * left whole (what distinct flattens, what $merge's `on` reads); `undefined` where missing.
 */
export function getPathValues(doc: unknown, path: string | readonly string[]): unknown[] {
  const out: unknown[] = [];
  walkAll(doc, typeof path === 'string' ? path.split('.') : path, 0, -1, false, (value) => {
    out.push(value);
  });
  return out;
}

function walkAll(value: unknown, parts: readonly string[], i: number, pos: number, expandLeaf: boolean,
  emit: (v: unknown, fromArray: boolean, index: number) => void): void {
  for (; i < parts.length; i++) {
    if (Array.isArray(value)) {
      const index = isArrayIndex(parts[i]) ? Number(parts[i]) : -1;
      value.forEach((el, j) => {
        const p = pos >= 0 ? pos : j;
        if (j === index) {
          if (i + 1 === parts.length) emit(el, false, p);
          else if (isDocument(el) || Array.isArray(el)) walkAll(el, parts, i + 1, p, expandLeaf, emit);
        }
        if (isDocument(el)) walkAll(el, parts, i, p, expandLeaf, emit);
      });
      return;
    }
    if (!isDocument(value)) {
      emit(undefined, false, pos);
      return;
    }
    value = getField(value, parts[i]);
  }
  if (expandLeaf && Array.isArray(value)) value.forEach((el, j) => emit(el, true, pos >= 0 ? pos : j));
  emit(value, false, pos);
}

/** The value at a dotted path through sub-documents only (no array traversal); undefined if absent. */
export function getPath(doc: unknown, parts: readonly string[]): unknown {
  let v = doc;
  for (const part of parts) {
    if (!isDocument(v)) return undefined;
    v = getField(v, part);
  }
  return v;
}

/**
 * Aggregation field-path semantics (`"$a.b"` in an expression): arrays map to the
 * values found in their sub-documents (nested arrays stay nested), missing values drop out.
 */
export function getAggregatePath(value: unknown, parts: readonly string[], i = 0): unknown {
  for (; i < parts.length; i++) {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const el of value) {
        if (!isDocument(el) && !Array.isArray(el)) continue;
        const r = getAggregatePath(el, parts, i);
        if (r !== undefined) out.push(r);
      }
      return out;
    }
    if (!isDocument(value)) return undefined;
    value = getField(value, parts[i]);
  }
  return value;
}
