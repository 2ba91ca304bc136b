/**
 * Reading a collection the way find, count, findAndModify and updates do: filter,
 * sort, skip and limit, lazily when no sort forces the whole result into memory.
 */
import { plainConditions } from '../indexes/planner';
import { compileFilter } from '../query/match';
import { compileSort } from '../query/sort';
import type { Doc } from '../query/values';
import type { Collection, StoredDoc } from './collection';

export interface ReadOptions {
  filter?: Doc;
  sort?: Doc;
  skip?: number;
  limit?: number;
}

/** Matching documents in result order (natural or index order unless sorted). */
export function* readDocs(coll: Collection | undefined, opts: ReadOptions): Generator<StoredDoc> {
  if (!coll) return;
  const filter = opts.filter ?? {};
  // Plain equalities cannot be malformed: the collection compiles them only if a candidate
  // needs checking (an exact lookup, on an index's whole key or on `_id`, needs none).
  const matcher = plainConditions(filter) ? undefined : compileFilter(filter);
  const skip = opts.skip ?? 0;
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const sort = opts.sort && Object.keys(opts.sort).length > 0 ? compileSort(opts.sort) : null;
  const indexOrdered = sort ? coll.sortedScan(filter, matcher ?? compileFilter(filter), opts.sort!) : null;
  if (sort && !indexOrdered) {
    const all = [...coll.scan(filter, matcher)];
    // A stable sort keeps natural order among ties, as MongoDB's blocking sort does in practice.
    all.sort((a, b) => sort(a.doc, b.doc));
    const end = Math.min(all.length, skip + limit);
    for (let i = skip; i < end; i++) yield all[i];
    return;
  }
  let skipped = 0;
  let given = 0;
  for (const hit of indexOrdered ?? coll.scan(filter, matcher)) {
    if (skipped < skip) {
      skipped += 1;
      continue;
    }
    if (given >= limit) return;
    given += 1;
    yield hit;
  }
}

/** Maps an iterator lazily. */
export function* mapIter<A, B>(source: Iterable<A>, fn: (a: A) => B): Generator<B> {
  for (const a of source) yield fn(a);
}
