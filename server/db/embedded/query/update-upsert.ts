/**
 * The document an upsert starts from: the equality predicates of the query (plain values,
 * $eq, single-value $in, each value of $all, through $and and one-clause $or), written at
 * their dotted paths. The caller then applies the update with `isInsert: true`.
 */
import { fail } from '../errors';
import { serverError } from './update-format';
import { bsonType, cloneValue, isPlainObject, type Doc } from './values';

type Equalities = Map<string, unknown>;

function isRegex(v: unknown): boolean {
  return bsonType(v) === 'regex';
}

function isOperatorObject(v: unknown): v is Doc {
  if (!isPlainObject(v)) return false;
  const first = Object.keys(v)[0];
  return first !== undefined && first.startsWith('$');
}

function addEquality(eq: Equalities, path: string, value: unknown): void {
  const parts = path.split('.');
  // An equality on a path or on one of its prefixes was already seen: MongoDB cannot tell which wins.
  for (let i = parts.length; i >= 1; i--) {
    const prefix = parts.slice(0, i).join('.');
    if (!eq.has(prefix)) continue;
    const message = i === parts.length
      ? `cannot infer query fields to set, path '${path}' is matched twice`
      : `cannot infer query fields to set, both paths '${path}' and '${prefix}' are matched`;
    throw fail('NotSingleValueField', message);
  }
  eq.set(path, value);
}

/** The equalities one field's predicate implies, as MongoDB's canonical query exposes them. */
function fieldEqualities(eq: Equalities, path: string, predicate: unknown): void {
  if (!isOperatorObject(predicate)) {
    if (!isRegex(predicate)) addEquality(eq, path, predicate);
    return;
  }
  for (const op of Object.keys(predicate)) {
    const arg = predicate[op];
    if (op === '$eq') addEquality(eq, path, arg);
    else if (op === '$in' && Array.isArray(arg) && arg.length === 1 && !isRegex(arg[0])) addEquality(eq, path, arg[0]);
    else if (op === '$all' && Array.isArray(arg)) {
      // $all is an AND of equalities: one value seeds the field, two collide.
      for (const v of arg) if (!isRegex(v) && !isOperatorObject(v)) addEquality(eq, path, v);
    }
  }
}

function collect(eq: Equalities, filter: Doc): void {
  for (const key of Object.keys(filter)) {
    const value = filter[key];
    if (key === '$and' && Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) collect(eq, clause);
    } else if ((key === '$or' || key === '$nor') && Array.isArray(value)) {
      // A one-clause $or is that clause once the query is canonicalised; $nor never seeds.
      if (key === '$or' && value.length === 1 && isPlainObject(value[0])) collect(eq, value[0]);
    } else if (key === '$expr') {
      throw serverError(224, 'QueryFeatureNotAllowed', '$expr is not allowed in the query predicate for an upsert');
    } else if (!key.startsWith('$')) {
      fieldEqualities(eq, key, value);
    }
  }
}

function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Doc = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (next === undefined) {
      const created: Doc = {};
      cur[parts[i]] = created;
      cur = created;
    } else if (isPlainObject(next)) {
      cur = next;
    } else {
      throw fail('PathNotViable', `cannot use the part (${parts[i + 1]} of ${path}) to traverse the element ({${parts[i]}: ${String(next)}})`);
    }
  }
  cur[parts[parts.length - 1]] = cloneValue(value);
}

/**
 * The starting document of an upsert. For a replacement update only `_id` is taken from
 * the query (the replacement supplies the rest), as in MongoDB.
 */
export function upsertSeed(filter: Doc, update?: Doc | Doc[]): Doc {
  const eq: Equalities = new Map();
  collect(eq, filter ?? {});
  const replacement = update !== undefined && !Array.isArray(update) && !(Object.keys(update)[0] ?? '').startsWith('$');
  const seed: Doc = {};
  // MongoDB fills equalities in path order, which also puts `_id` ahead of lower-case fields.
  for (const path of [...eq.keys()].sort()) {
    if (replacement && path !== '_id' && !path.startsWith('_id.')) continue;
    setPath(seed, path, eq.get(path));
  }
  return seed;
}
