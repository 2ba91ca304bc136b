/**
 * Index key extraction with MongoDB's rules: dotted paths through sub-documents, one key per
 * array element (multikey), at most one array per key (several paths may share it, two
 * different arrays are "parallel arrays"), empty arrays as their own key, and missing
 * fields told apart from null (sparse indexes skip keys that are all missing).
 */
import { isPlainObject } from '../query/values';
import { cannotIndexParallelArrays, serverError } from './codes';

/** Stands for an empty array in a key tuple: MongoDB indexes it as `undefined`, not null. */
export const EMPTY_ARRAY = Object.freeze({ emptyArray: true });

/** The keys of one document: tuples of values (undefined = missing), one per index entry. */
export interface ExtractedKeys {
  tuples: unknown[][];
  /** The document put an array on an indexed path (which makes the index multikey). */
  multikey: boolean;
}

interface Cursor {
  value: unknown;
  /** The next path component to read; `path.length` once the value is final. */
  at: number;
  /** The value is an element of an expanded leaf array: index it whole, even an array. */
  fixed: boolean;
  /** The field name that led to `value`, for the parallel-arrays message. */
  name: string;
}

const POSITION = /^(0|[1-9]\d*)$/;

/** Splits every key pattern path once, when the index is built. */
export function splitPaths(fields: readonly string[]): string[][] {
  return fields.map((f) => f.split('.'));
}

/**
 * The key tuples of `doc` for the paths of one index. `hashed[i]` marks hashed fields, which
 * refuse arrays like MongoDB's hashed indexes do.
 */
export function extractKeys(doc: unknown, paths: readonly string[][], hashed?: readonly boolean[]): ExtractedKeys {
  const result: ExtractedKeys = { tuples: [], multikey: false };
  const start = paths.map((): Cursor => ({ value: doc, at: 0, fixed: false, name: '' }));
  expand(start, paths, hashed, result);
  return result;
}

function expand(cursors: Cursor[], paths: readonly string[][], hashed: readonly boolean[] | undefined, out: ExtractedKeys): void {
  const advanced = cursors.map((c, f) => (c.fixed ? c : advance(c, paths[f])));
  // Find the array the key depends on; a second, different array is an error.
  let array: unknown[] | undefined;
  let arrayName = '';
  const sharing: number[] = [];
  for (let f = 0; f < advanced.length; f++) {
    const c = advanced[f];
    if (c.fixed || !Array.isArray(c.value)) continue;
    if (hashed?.[f]) {
      throw serverError(16766, 'Location16766', `hashed indexes do not currently support array values. Found array at path: ${paths[f].join('.')}`);
    }
    if (array === undefined) {
      array = c.value;
      arrayName = c.name;
    } else if (array !== c.value) {
      throw cannotIndexParallelArrays(c.name, arrayName);
    }
    sharing.push(f);
  }
  if (array === undefined) {
    out.tuples.push(advanced.map((c) => c.value));
    return;
  }
  out.multikey = true;
  if (array.length === 0) {
    const next = advanced.slice();
    for (const f of sharing) next[f] = { value: EMPTY_ARRAY, at: paths[f].length, fixed: true, name: advanced[f].name };
    expand(next, paths, hashed, out);
    return;
  }
  for (const element of array) {
    const next = advanced.slice();
    for (const f of sharing) next[f] = step(advanced[f], element, paths[f]);
    expand(next, paths, hashed, out);
  }
}

/** Follows the path through sub-documents (and positional components) up to an array. */
function advance(c: Cursor, path: readonly string[]): Cursor {
  let { value, at, name } = c;
  while (at < path.length) {
    if (Array.isArray(value)) {
      // "a.0" reads the first element instead of expanding the array.
      if (!POSITION.test(path[at])) break;
      value = value[Number(path[at])];
    } else if (isPlainObject(value)) {
      value = value[path[at]];
    } else {
      // A scalar, null or nothing where the path goes on: the field is missing.
      return { value: undefined, at: path.length, fixed: true, name: path[at] };
    }
    name = path[at];
    at++;
  }
  return { value, at, fixed: false, name };
}

/** The cursor of a path through one element of the array it stopped at. */
function step(c: Cursor, element: unknown, path: readonly string[]): Cursor {
  if (c.at >= path.length) return { value: element, at: c.at, fixed: true, name: c.name };
  // Mid-path, only sub-documents lead on; MongoDB does not look into nested arrays there.
  if (isPlainObject(element)) return { value: element, at: c.at, fixed: false, name: c.name };
  return { value: undefined, at: path.length, fixed: true, name: c.name };
}
