/**
 * Query planning: which index (and which keys or key range) yields a superset of a filter's
 * matches, so a find need not scan the collection; and an index order for a sort. Callers
 * re-check every candidate with the full matcher (a plan may give extra ids, never miss
 * one), unless the plan is exact: plain equalities on every field of the index.
 */
import { identical } from '../query/update-format';
import { bsonType, isNumeric, isPlainObject, numberValue, typeRank, type Doc } from '../query/values';
import type { Index, KeyRange } from './index';
import { EMPTY_ARRAY_KEY, NULL_KEY, encodeKey, invertKey, rankPrefix } from './key-encoding';

export interface Plan {
  /** 'id': `_id` equality, answered from the collection's id keys; else an index lookup. */
  kind: 'id' | 'eq' | 'range';
  index?: Index;
  indexName: string;
  /** Number of candidates at most (exact for equality). */
  estimate: number;
  /**
   * The candidates are exactly the matching documents, so they need no re-check: the filter
   * is plain equalities (plainConditions) on every field of an index that holds every
   * document under each of its values (not partial, not hashed). An array's elements are
   * its values there as in the filter's matching, and a plain value never equals a null,
   * a nested array, a document or a number of another type.
   */
  exact?: boolean;
  /**
   * Candidate id keys, each once. An 'id' plan's keys may name no document. Consume the
   * iterable before the next write to the collection.
   */
  candidates(): Iterable<string>;
}

export interface SortPlan {
  index: Index;
  indexName: string;
  /** Every indexed id in sort order; consume before the next write. */
  ids(): Iterable<string>;
}

interface Bound {
  key: string;
  rank: number;
}

/** What a filter requires of one path: equalities (each a list of alternative keys), bounds. */
interface PathConditions {
  eq: string[][];
  lower: Bound[];
  upper: Bound[];
}

// Range operands that bracket by type as MongoDB does; null, arrays, documents, regexes
// and MinKey/MaxKey have comparison rules of their own, so they are left to a scan.
const RANGE_RANKS = new Set([3, 4, 7, 8, 9, 10, 11]);
const MAX_PREFIXES = 1000;
const POSITIONAL = /(^|\.)\d+(\.|$)/;

/** The best plan for `filter` over `indexes`, or null when only a collection scan is safe. */
export function planQuery(filter: Doc, indexes: readonly Index[]): Plan | null {
  const conditions = new Map<string, PathConditions>();
  collect(filter, conditions);
  if (conditions.size === 0) return null;
  const id = conditions.get('_id');
  if (id !== undefined && id.eq.length > 0) {
    const keys = fewest(id.eq).filter((k) => k !== EMPTY_ARRAY_KEY);
    return { kind: 'id', indexName: '_id_', estimate: keys.length, candidates: () => keys };
  }
  let best: Plan | null = null;
  // Worked out once an equality plan on a whole key is found (most filters have none).
  let plain: string[] | null | undefined;
  const candidates = indexes.filter((ix) => !ix.hidden && conditions.has(ix.fields[0]) && !POSITIONAL.test(ix.fields[0]) && (!ix.partial || coversPartial(filter, ix)));
  // Unique indexes first: an equality on every field of one is the plan whatever the others
  // hold, so the others need not be counted (a write by its unique key, the common case).
  candidates.sort((a, b) => Number(b.unique) - Number(a.unique));
  // Equality plans first: they count cheaply and give later counts a low cap.
  for (const index of candidates) {
    const plan = equalityPlan(index, conditions, best?.estimate ?? Infinity);
    if (plan === undefined) continue;
    if (plan.fullKey && !index.partial && !index.hashed) {
      if (plain === undefined) plain = plainConditions(filter);
      if (plain?.length === index.fields.length) plan.plan.exact = true;
    }
    if (index.unique && !index.multikey && plan.fullKey) return plan.plan;
    if (best === null || plan.plan.estimate < best.estimate || (plan.plan.estimate === best.estimate && index.unique && !best.index?.unique)) {
      best = plan.plan;
    }
  }
  for (const index of candidates) {
    const plan = rangePlan(index, conditions.get(index.fields[0]) as PathConditions, best?.estimate ?? Infinity);
    if (plan !== undefined && (best === null || plan.estimate < best.estimate)) best = plan;
  }
  return best;
}

/**
 * The fields of a filter made only of equalities to plain values (strings, booleans, valid
 * dates, ObjectIds), each one value or an $in of them, on top-level field names; or null.
 * Such a filter cannot be malformed, and a document matches it exactly when it holds one
 * of those values on each field (as itself or as an array element): no type bracketing or
 * numeric conversion is involved.
 */
export function plainConditions(filter: Doc): string[] | null {
  const fields = Object.keys(filter);
  for (const field of fields) {
    if (field.length === 0 || field.startsWith('$') || field.includes('.')) return null;
    const value = filter[field];
    if (isPlainValue(value)) continue;
    if (!isPlainObject(value)) return null;
    const keys = Object.keys(value);
    const alternatives = value.$in;
    if (keys.length !== 1 || keys[0] !== '$in' || !Array.isArray(alternatives) || !alternatives.every(isPlainValue)) return null;
  }
  return fields;
}

function isPlainValue(value: unknown): boolean {
  const type = bsonType(value);
  if (type === 'date') return !Number.isNaN((value as Date).getTime());
  return type === 'string' || type === 'bool' || type === 'objectId';
}

/**
 * Whether a partial index holds every document the filter matches: each condition of its
 * partialFilterExpression is also one of the filter's (the same path, an identical
 * condition), so `{ alert: 'pending' }` uses the index made for exactly those documents.
 * MongoDB proves wider implications; identical conditions are what applications write.
 */
function coversPartial(filter: Doc, index: Index): boolean {
  const expression = index.spec.partialFilterExpression;
  if (!isPlainObject(expression)) return false;
  const required = conjuncts(expression);
  const present = conjuncts(filter);
  return required.length > 0 && required.every(([path, cond]) => present.some(([p, c]) => p === path && identical(c, cond)));
}

/** The [path, condition] pairs of a filter's top level and of its top-level $and clauses. */
function conjuncts(filter: Doc): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [path, value] of Object.entries(filter)) {
    if (path === '$and' && Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) out.push(...conjuncts(clause));
    } else {
      out.push([path, value]);
    }
  }
  return out;
}

/** An index whose order serves a single-field sort, or null. */
export function planSort(sort: Doc, indexes: readonly Index[]): SortPlan | null {
  const fields = Object.keys(sort);
  if (fields.length !== 1 || !isNumeric(sort[fields[0]])) return null;
  const direction = numberValue(sort[fields[0]]) < 0 ? -1 : 1;
  for (const index of indexes) {
    // Arrays sort by their least or greatest element, and sparse/partial indexes lack documents.
    if (index.hidden || index.sparse || index.partial || index.multikey || index.hashed || index.fields[0] !== fields[0]) continue;
    const order = direction * index.directions[0] > 0 ? 1 : -1;
    return { index, indexName: index.name, ids: () => index.orderedIds(order) };
  }
  return null;
}

/**
 * An index that yields a filter's matches already in `sort` order: equality on one value for
 * each of its leading fields, then exactly the sort fields, in its directions or all reversed.
 * The walk covers that equality prefix only, narrowed by bounds on the first sort field, so
 * `find({ site: 'A' }).sort({ at: -1, _id: -1 }).limit(26)` reads about 26 documents. `bounded`:
 * the filter bounds the first sort field. Null when no index fits.
 */
export function planPrefixSort(filter: Doc, sort: Doc, indexes: readonly Index[]): (SortPlan & { bounded: boolean }) | null {
  const sortFields = Object.keys(sort);
  if (sortFields.length === 0 || !sortFields.every((f) => isNumeric(sort[f]))) return null;
  const conditions = new Map<string, PathConditions>();
  collect(filter, conditions);
  for (const index of indexes) {
    // Arrays sort by their least or greatest element, and sparse/partial indexes lack documents.
    if (index.hidden || index.sparse || index.partial || index.multikey || index.hashed) continue;
    const prefix: string[] = [];
    for (const field of index.fields) {
      const single = conditions.get(field)?.eq.find((keys) => keys.length === 1);
      if (single === undefined || sortFields.includes(field) || POSITIONAL.test(field)) break;
      prefix.push(single[0]);
    }
    const n = prefix.length;
    if (n === 0 || index.fields.length < n + sortFields.length || sortFields.some((f, i) => index.fields[n + i] !== f)) continue;
    const signs = sortFields.map((f, i) => (numberValue(sort[f]) < 0 ? -1 : 1) * index.directions[n + i]);
    if (!signs.every((s) => s === signs[0])) continue;
    const base = index.prefixKey(prefix);
    const [low, high] = sortFieldBounds(conditions.get(sortFields[0]));
    const bounded = low !== '' || high !== '';
    const inverted = index.directions[n] < 0;
    const from = base + (inverted ? invertKey(high) : low);
    const to = base + (inverted ? invertKey(low) : high);
    return { index, indexName: index.name, bounded, ids: () => index.walkRange(from, to, signs[0] as 1 | -1) };
  }
  return null;
}

/** Ascending component keys bracketing a field's bounds (by the first bound's type); both empty when unbounded. */
function sortFieldBounds(c: PathConditions | undefined): [string, string] {
  const rank = c?.lower[0]?.rank ?? c?.upper[0]?.rank;
  if (c === undefined || rank === undefined) return ['', ''];
  const lower = c.lower.find((b) => b.rank === rank);
  const upper = c.upper.find((b) => b.rank === rank);
  return [lower?.key ?? rankPrefix(rank), upper?.key ?? rankPrefix(rank)];
}

/** Gathers the conditions of the filter's top level and of top-level $and clauses. */
function collect(filter: Doc, out: Map<string, PathConditions>): void {
  for (const [path, value] of Object.entries(filter)) {
    if (path === '$and' && Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) collect(clause, out);
      continue;
    }
    // $or, $nor, $expr... constrain in ways an index lookup cannot use; the other
    // conditions still hold for every match, so they can be used alone.
    if (path.startsWith('$')) continue;
    let c = out.get(path);
    if (c === undefined) out.set(path, (c = { eq: [], lower: [], upper: [] }));
    if (!isPlainObject(value) || !Object.keys(value)[0]?.startsWith('$')) {
      const keys = equalityKeys(value);
      if (keys) c.eq.push(keys);
      continue;
    }
    // Operators of one document all hold at once; unknown ones only narrow further.
    for (const [op, operand] of Object.entries(value)) {
      if (op === '$eq') {
        const keys = equalityKeys(operand);
        if (keys) c.eq.push(keys);
      } else if (op === '$in' && Array.isArray(operand)) {
        const alternatives = operand.map(equalityKeys);
        if (alternatives.every((a) => a !== undefined)) c.eq.push([...new Set(alternatives.flat() as string[])]);
      } else if (op === '$gt' || op === '$gte' || op === '$lt' || op === '$lte') {
        const rank = typeRank(operand);
        if (!RANGE_RANKS.has(rank)) continue;
        (op.startsWith('$g') ? c.lower : c.upper).push({ key: encodeKey(operand), rank });
      }
    }
  }
}

/**
 * The component keys under which documents equal to `value` are indexed. Null also matches
 * missing fields (indexed as null) and empty arrays (their own key); an array also matches
 * documents holding it whole, whose first element is among their keys.
 */
function equalityKeys(value: unknown): string[] | undefined {
  switch (bsonType(value)) {
    case 'regex': case 'missing': case 'undefined': return undefined;
    case 'null': return [NULL_KEY, EMPTY_ARRAY_KEY];
    case 'array': {
      const items = value as unknown[];
      return [encodeKey(items), items.length > 0 ? encodeKey(items[0]) : EMPTY_ARRAY_KEY];
    }
    default: return [encodeKey(value)];
  }
}

function fewest(lists: string[][]): string[] {
  return lists.reduce((a, b) => (b.length < a.length ? b : a));
}

/** Per index, fixed for its life: each field's top-level name and whether its path has a numeric part. */
const fieldFacts = new WeakMap<Index, { roots: string[]; positional: boolean[] }>();

function factsOf(index: Index): { roots: string[]; positional: boolean[] } {
  let facts = fieldFacts.get(index);
  if (!facts) {
    facts = { roots: index.fields.map((f) => f.split('.')[0]), positional: index.fields.map((f) => POSITIONAL.test(f)) };
    fieldFacts.set(index, facts);
  }
  return facts;
}

/** Equality on the longest usable prefix of the index's fields. */
function equalityPlan(index: Index, conditions: Map<string, PathConditions>, cap: number): { plan: Plan; fullKey: boolean } | undefined {
  const { roots: fieldRoots, positional } = factsOf(index);
  const chosen: string[][] = [];
  let roots: Set<string> | undefined;
  for (let i = 0; i < index.fields.length; i++) {
    const c = conditions.get(index.fields[i]);
    if (c === undefined || c.eq.length === 0 || positional[i]) break;
    // Paths that share an array take an entry's values from one element, while a filter's
    // conditions may hold on different elements: combine only paths from different roots.
    if (index.multikey) {
      roots ??= new Set();
      if (roots.has(fieldRoots[i])) break;
      roots.add(fieldRoots[i]);
    }
    chosen.push(c.eq.length === 1 ? c.eq[0] : fewest(c.eq));
  }
  // A long $in on the first field is still worth looking up; compounding it is not.
  while (chosen.length > 1 && chosen.reduce((n, keys) => n * keys.length, 1) > MAX_PREFIXES) chosen.pop();
  if (chosen.length === 0) return undefined;
  // A sparse index lacks documents missing every key field: only a non-null equality keeps them out of the result.
  if (index.sparse && chosen.every((keys) => keys.includes(NULL_KEY))) return undefined;
  let encoded: string[];
  if (chosen.every((keys) => keys.length === 1)) {
    // One value per field (a write by its key): one prefix.
    encoded = [index.prefixKey(chosen.map((keys) => keys[0]))];
  } else {
    let prefixes: string[][] = [[]];
    for (const keys of chosen) prefixes = prefixes.flatMap((p) => keys.map((k) => [...p, k]));
    encoded = prefixes.map((p) => index.prefixKey(p));
  }
  const fields = chosen.length;
  const spans = rangeAfterPrefix(index, fields, conditions, encoded);
  if (spans) {
    const estimate = index.countSpans(spans, cap);
    return { plan: { kind: 'eq', index, indexName: index.name, estimate, candidates: () => index.lookupSpans(spans) }, fullKey: false };
  }
  const fullKey = fields === index.fields.length;
  // Each whole key of a unique index names one document at most (multikey or not): no need to count them.
  const estimate = fullKey && index.unique ? encoded.length : index.countPrefixes(encoded, fields, cap);
  const plan: Plan = { kind: 'eq', index, indexName: index.name, estimate, candidates: () => index.lookupPrefixes(encoded, fields) };
  return { plan, fullKey };
}

/**
 * Bounds on the field after an equality prefix narrow each prefix to a key span, so
 * `{ state: { $in: [...] }, expiresAt: { $lte: now } }` on `{ state, expiresAt }` reads the
 * expired entries only, not every open one. Null when the next field is unbounded, and on
 * multikey indexes, whose entries pair values from one array element while each bound may
 * hold on another.
 */
function rangeAfterPrefix(index: Index, fields: number, conditions: Map<string, PathConditions>, prefixes: string[]): [string, string][] | null {
  if (fields >= index.fields.length || index.multikey || index.hashed || POSITIONAL.test(index.fields[fields])) return null;
  const [low, high] = sortFieldBounds(conditions.get(index.fields[fields]));
  if (low === '' && high === '') return null;
  const inverted = index.directions[fields] < 0;
  return prefixes.map((p) => [p + (inverted ? invertKey(high) : low), p + (inverted ? invertKey(low) : high)]);
}

/** A range on the index's first field, bracketed to the operand's type. */
function rangePlan(index: Index, c: PathConditions, cap: number): Plan | undefined {
  if (index.hashed) return undefined;
  const lower = c.lower[0];
  const rank = lower?.rank ?? c.upper[0]?.rank;
  if (rank === undefined) return undefined;
  // On a multikey index, one element may satisfy the lower bound and another the upper:
  // intersecting them would miss such documents.
  const upper = index.multikey && lower !== undefined ? undefined : c.upper.find((b) => b.rank === rank);
  const range: KeyRange = { low: lower?.key ?? rankPrefix(rank), high: upper?.key ?? rankPrefix(rank) };
  const estimate = index.countRange(range, cap);
  return { kind: 'range', index, indexName: index.name, estimate, candidates: () => index.lookupRange(range) };
}
