/**
 * The query planner and the TTL sweeper: which index a filter uses, that a plan's candidates
 * always include every true match (checked against a brute-force matcher on random data)
 * and are exactly the matches when the plan says so, index-ordered sorts, and TTL expiry.
 */
import { Decimal128, Int32, Long, ObjectId } from 'bson';
import { Collection } from '../../server/db/embedded/engine/collection';
import { Index, type IndexSpec } from '../../server/db/embedded/indexes/index';
import { idKey } from '../../server/db/embedded/indexes/key-encoding';
import { plainConditions, planQuery, planSort } from '../../server/db/embedded/indexes/planner';
import { TtlSweeper, expiredIds } from '../../server/db/embedded/indexes/ttl';
import { compareValues, isPlainObject, typeRank, type Doc } from '../../server/db/embedded/query/values';
import { pick, seeded, type Rng } from './indexes-gen';

function build(docs: Doc[], specs: IndexSpec[]): Index[] {
  const indexes = specs.map((s) => new Index(s, { partialFilter: () => true }));
  docs.forEach((d, i) => indexes.forEach((ix) => ix.add(String(i), d)));
  return indexes;
}

const ids = (it: Iterable<string>) => [...it].sort();

// ---- a brute-force matcher for the filters the planner reads (MongoDB semantics) ----

/** The values a path reaches (arrays also as their elements), and whether some branch misses. */
function reach(v: unknown, path: string[]): { values: unknown[]; missing: boolean } {
  if (path.length === 0) return { values: Array.isArray(v) ? [v, ...v] : [v], missing: v === undefined };
  if (Array.isArray(v)) {
    const parts = v.map((e) => (isPlainObject(e) ? reach(e, path) : { values: [], missing: true }));
    return { values: parts.flatMap((p) => p.values), missing: v.length === 0 || parts.some((p) => p.missing) };
  }
  if (!isPlainObject(v)) return { values: [], missing: true };
  return reach(v[path[0]], path.slice(1));
}

function equals(r: { values: unknown[]; missing: boolean }, value: unknown): boolean {
  if (value === null) return r.missing || r.values.some((x) => x === null || x === undefined);
  return r.values.some((x) => x !== undefined && compareValues(x, value) === 0);
}

function matches(doc: Doc, filter: Doc): boolean {
  return Object.entries(filter).every(([path, cond]) => {
    if (path === '$and') return (cond as Doc[]).every((c) => matches(doc, c));
    const r = reach(doc, path.split('.'));
    if (!isPlainObject(cond) || !Object.keys(cond)[0]?.startsWith('$')) return equals(r, cond);
    return Object.entries(cond).every(([op, x]) => {
      if (op === '$eq') return equals(r, x);
      if (op === '$in') return (x as unknown[]).some((y) => equals(r, y));
      const scalars = r.values.filter((v) => !Array.isArray(v) && v !== undefined && typeRank(v) === typeRank(x));
      const test = { $gt: (c: number) => c > 0, $gte: (c: number) => c >= 0, $lt: (c: number) => c < 0, $lte: (c: number) => c <= 0 }[op];
      return test === undefined || scalars.some((v) => test(compareValues(v, x)));
    });
  });
}

function scalar(rng: Rng): unknown {
  return pick(rng, [0, 1, 2, 3, new Int32(2), 2.5, Long.fromInt(3), Decimal128.fromString('1.0'), 'x', 'y', null, new Date(5), true, NaN]);
}

function value(rng: Rng): unknown {
  const r = rng();
  if (r < 0.15) return undefined;
  if (r < 0.35) return [...Array(Math.floor(rng() * 3))].map(() => scalar(rng));
  return scalar(rng);
}

function randomDoc(rng: Rng, i: number): Doc {
  const doc: Doc = { _id: i, a: value(rng), b: scalar(rng) };
  const c = rng();
  if (c < 0.3) doc.c = { d: value(rng) };
  else if (c < 0.6) doc.c = [{ d: scalar(rng), e: scalar(rng) }, rng() < 0.5 ? {} : { d: value(rng), e: scalar(rng) }];
  else if (c < 0.7) doc.c = pick(rng, [5, [], [[{ d: 1 }]]]);
  for (const k of Object.keys(doc)) if (doc[k] === undefined) delete doc[k];
  return doc;
}

function condition(rng: Rng): unknown {
  const r = rng();
  if (r < 0.3) return scalar(rng);
  if (r < 0.4) return { $eq: scalar(rng) };
  if (r < 0.55) return { $in: [scalar(rng), rng() < 0.2 ? [scalar(rng)] : scalar(rng)] };
  if (r < 0.65) return pick(rng, [[], [scalar(rng)], [scalar(rng), scalar(rng)]]);
  const [lo, hi] = [pick(rng, ['$gt', '$gte']), pick(rng, ['$lt', '$lte'])];
  if (r < 0.75) return { [lo]: scalar(rng) };
  if (r < 0.85) return { [hi]: scalar(rng) };
  return { [lo]: scalar(rng), [hi]: scalar(rng), $ne: 7 };
}

function randomFilter(rng: Rng): Doc {
  const field = () => pick(rng, ['a', 'b', 'c.d', 'c.e', '_id']);
  const filter: Doc = { [field()]: condition(rng) };
  if (rng() < 0.4) filter[field()] = condition(rng);
  if (rng() < 0.2) filter.$and = [{ [field()]: condition(rng) }, { $or: [{ a: 1 }] }];
  return filter;
}

describe('planQuery', () => {
  const docs: Doc[] = [{ _id: 1, a: 1, b: 'x' }, { _id: 2, a: 2, b: 'y' }, { _id: 3, a: 'text', b: 'x' }, { _id: 4, a: [1, 5], b: 'z' }, { _id: 5, b: 'x' }];

  test('equality and $in on an indexed field look its keys up', () => {
    const [a] = build(docs, [{ key: { a: 1 }, name: 'a_1' }]);
    expect(planQuery({ a: 1 }, [a])).toMatchObject({ kind: 'eq', indexName: 'a_1', estimate: 2 });
    expect(ids(planQuery({ a: { $eq: new Int32(1) } }, [a])?.candidates() ?? [])).toEqual(['0', '3']);
    expect(ids(planQuery({ a: { $in: [2, 'text'] } }, [a])?.candidates() ?? [])).toEqual(['1', '2']);
    expect(ids(planQuery({ a: null }, [a])?.candidates() ?? [])).toEqual(['4']);
  });

  test('_id equality is answered from id keys before any index', () => {
    const [a] = build(docs, [{ key: { a: 1 }, name: 'a_1' }]);
    const plan = planQuery({ _id: { $in: [1, Long.fromInt(2)] }, a: 1 }, [a]);
    expect(plan).toMatchObject({ kind: 'id', indexName: '_id_', estimate: 2 });
    expect([...(plan?.candidates() ?? [])]).toEqual([idKey(1), idKey(2)]);
  });

  test('a unique index on the whole key wins, otherwise the most selective index', () => {
    const flat = docs.filter((d) => !Array.isArray(d.a));
    const [a, b, u] = build(flat, [{ key: { a: 1 }, name: 'a_1' }, { key: { b: 1 }, name: 'b_1' }, { key: { a: 1, b: 1 }, name: 'ab', unique: true }]);
    expect(planQuery({ a: 2, b: 'y' }, [a, b, u])?.indexName).toBe('ab');
    expect(planQuery({ a: 2, b: 'x' }, [a, b])?.indexName).toBe('a_1');
    expect(planQuery({ a: { $gte: 0 }, b: 'y' }, [a, b])?.indexName).toBe('b_1');
    const [m, mu] = build(docs, [{ key: { a: 1 }, name: 'a_1' }, { key: { a: 1, b: 1 }, name: 'ab', unique: true }]);
    expect(planQuery({ a: 2, b: 'y' }, [m, mu])?.indexName).toBe('ab');
  });

  test('equality on a compound prefix narrows by every equal field', () => {
    const [ab] = build(docs.filter((d) => !Array.isArray(d.a)), [{ key: { b: 1, a: -1 }, name: 'b_1_a_-1' }]);
    expect(planQuery({ b: 'x', a: 1 }, [ab])).toMatchObject({ estimate: 1 });
    expect(planQuery({ b: 'x' }, [ab])).toMatchObject({ estimate: 3 });
    expect(planQuery({ a: 1 }, [ab])).toBeNull();
    const [multikey] = build(docs, [{ key: { b: 1, a: -1 }, name: 'b_1_a_-1' }]);
    expect(planQuery({ b: 'z', a: 5 }, [multikey])).toMatchObject({ estimate: 1 });
    const [shared] = build([{ c: [{ d: 1, e: 2 }, { d: 3, e: 4 }] }], [{ key: { 'c.d': 1, 'c.e': 1 }, name: 'cd_ce' }]);
    expect(ids(planQuery({ 'c.d': 1, 'c.e': 4 }, [shared])?.candidates() ?? [])).toEqual(['0']);
  });

  test('ranges stay within the operand type, in either index direction', () => {
    for (const dir of [1, -1]) {
      const [a] = build(docs, [{ key: { a: dir }, name: 'a' }]);
      expect(ids(planQuery({ a: { $gt: 1 } }, [a])?.candidates() ?? [])).toEqual(['0', '1', '3']);
      expect(ids(planQuery({ a: { $gte: 'a', $lt: 'z' } }, [a])?.candidates() ?? [])).toEqual(['2']);
      expect(ids(planQuery({ a: { $lte: 1.5 } }, [a])?.candidates() ?? [])).toEqual(['0', '3']);
    }
  });

  test('bounds on the field after an equality prefix narrow each prefix to a span, in either direction', () => {
    const day = (d: number) => new Date(Date.UTC(2026, 10, d));
    const states = ['sent', 'opened', 'answered', 'expired'];
    const invitations: Doc[] = [...Array(120)].map((_, i) => ({ _id: i, state: states[i % 4], expiresAt: day(1 + (i % 30)) }));
    const truth = (filter: Doc) => invitations.flatMap((d, i) => (matches(d, filter) ? [String(i)] : [])).sort();
    for (const dir of [1, -1]) {
      const [index] = build(invitations, [{ key: { state: 1, expiresAt: dir }, name: 'state_expiresAt' }]);
      for (const filter of [
        { state: { $in: ['sent', 'opened'] }, expiresAt: { $lte: day(10) } },
        { state: 'answered', expiresAt: { $gt: day(5), $lt: day(20) } },
        { state: 'sent', expiresAt: { $gte: day(29) } },
        { state: 'sent', expiresAt: { $gt: day(20), $lt: day(3) } },
      ]) {
        const plan = planQuery(filter, [index]);
        expect(plan).toMatchObject({ kind: 'eq', indexName: 'state_expiresAt' });
        // The bounds are inclusive of the operand (the matcher drops $gt/$lt's equal ones): exact here up to those.
        const candidates = ids(plan?.candidates() ?? []);
        expect(candidates).toEqual(expect.arrayContaining(truth(filter)));
        expect(candidates.filter((id) => !truth(filter).includes(id)).every((id) => [day(5), day(20)].some((d) => compareValues(invitations[Number(id)].expiresAt, d) === 0))).toBe(true);
        expect(plan?.estimate).toBe(candidates.length);
      }
      // A bound of another type than the field holds matches nothing, and the span is empty.
      expect(ids(planQuery({ state: 'sent', expiresAt: { $lte: 5 } }, [index])?.candidates() ?? [])).toEqual([]);
    }
  });

  test('a span plan beats the bare prefix and yields every match on random scalar data', () => {
    const rng = seeded(424242);
    let spans = 0;
    for (let round = 0; round < 30; round++) {
      const all = [...Array(80)].map((_, i) => {
        const doc: Doc = { _id: i, a: scalar(rng), b: scalar(rng) };
        if (rng() < 0.1) delete doc.a;
        return doc;
      });
      const indexes = build(all, [{ key: { b: 1, a: -1 }, name: 'b_a' }, { key: { a: 1, b: 1 }, name: 'a_b' }]);
      for (let f = 0; f < 40; f++) {
        const [lo, hi] = [pick(rng, ['$gt', '$gte']), pick(rng, ['$lt', '$lte'])];
        const bound = rng() < 0.33 ? { [lo]: scalar(rng) } : rng() < 0.5 ? { [hi]: scalar(rng) } : { [lo]: scalar(rng), [hi]: scalar(rng) };
        const [first, second] = rng() < 0.5 ? ['b', 'a'] : ['a', 'b'];
        const filter: Doc = { [first]: rng() < 0.5 ? scalar(rng) : { $in: [scalar(rng), scalar(rng)] }, [second]: bound };
        const plan = planQuery(filter, indexes);
        if (plan === null) continue;
        const candidates = new Set(plan.candidates());
        for (let i = 0; i < all.length; i++) {
          if (matches(all[i], filter) && !candidates.has(String(i))) throw new Error(`plan ${plan.indexName} missed ${JSON.stringify(all[i])} for ${JSON.stringify(filter)}`);
        }
        const prefixOnly = planQuery({ [first]: filter[first] }, indexes);
        if (plan.estimate < (prefixOnly?.estimate ?? Infinity)) spans++;
      }
    }
    expect(spans).toBeGreaterThan(200);
  });

  test('hidden indexes are never used, partial ones when the filter repeats their conditions, sparse ones only without null', () => {
    const [hidden, partial, sparse] = build(docs, [
      { key: { a: 1 }, name: 'h', hidden: true }, { key: { a: 1 }, name: 'p', partialFilterExpression: { a: 1 } }, { key: { a: 1 }, name: 's', sparse: true },
    ]);
    expect(planQuery({ a: 2 }, [hidden, partial])).toBeNull();
    expect(planQuery({ a: 1 }, [hidden])).toBeNull();
    expect(planQuery({ a: null }, [sparse])).toBeNull();
    expect(planQuery({ a: { $in: [null, 1] } }, [sparse])).toBeNull();
    expect(planQuery({ a: 1 }, [sparse])?.indexName).toBe('s');
  });

  test('a partial index answers the filters that repeat its expression, and holds only those documents', () => {
    const responses: Doc[] = [...Array(40)].map((_, i) => ({ _id: i, alert: ['pending', 'none', 'sent'][i % 3], site: i % 2 ? 'ABV' : 'CMN', seq: i }));
    const spec: IndexSpec = { key: { alert: 1 }, name: 'alert_pending', partialFilterExpression: { alert: 'pending' } };
    const index = new Index(spec, { partialFilter: (d) => d.alert === 'pending' });
    responses.forEach((d, i) => index.add(String(i), d));
    const pending = responses.flatMap((d, i) => (d.alert === 'pending' ? [String(i)] : [])).sort();
    for (const filter of [{ alert: 'pending' }, { alert: 'pending', site: 'ABV' }, { $and: [{ site: 'CMN' }, { alert: 'pending' }] }]) {
      const plan = planQuery(filter, [index]);
      expect(plan).toMatchObject({ kind: 'eq', indexName: 'alert_pending', estimate: pending.length });
      expect(ids(plan?.candidates() ?? [])).toEqual(pending);
    }
    // Another value, another operator, or the condition only under $or: the index may lack matches.
    for (const filter of [{ alert: 'none' }, { alert: { $in: ['pending', 'none'] } }, { alert: { $eq: 'pending' }, site: 'ABV' }, { $or: [{ alert: 'pending' }], alert: 'none' }]) {
      expect(planQuery(filter, [index])).toBeNull();
    }
  });

  test('filters an index cannot answer fall back to a scan', () => {
    const [a] = build(docs, [{ key: { a: 1 }, name: 'a_1' }]);
    for (const filter of [{}, { a: /x/ }, { a: { $ne: 1 } }, { a: { $exists: true } }, { $or: [{ a: 1 }] }, { a: { $elemMatch: { $gt: 1 } } }, { a: { $gt: null } }, { b: 'x' }]) {
      expect(planQuery(filter, [a])).toBeNull();
    }
  });

  test('the candidates of a plan include every document the filter matches', () => {
    const rng = seeded(12345);
    let planned = 0;
    for (let round = 0; round < 40; round++) {
      const all = [...Array(60)].map((_, i) => randomDoc(rng, i));
      const indexes = build(all, [
        { key: { a: 1 }, name: 'a_1' }, { key: { b: 1, a: -1 }, name: 'b_a' }, { key: { 'c.d': -1 }, name: 'cd' },
        { key: { b: 1 }, name: 'b_sparse', sparse: true }, { key: { a: -1, b: 1 }, name: 'a_b' }, { key: { 'c.d': 1, b: 1 }, name: 'cd_b' },
        { key: { 'c.d': 1, 'c.e': 1 }, name: 'cd_ce' },
      ]);
      for (let f = 0; f < 50; f++) {
        const filter = randomFilter(rng);
        const plan = planQuery(filter, indexes);
        if (plan === null) continue;
        planned++;
        const candidates = new Set(plan.candidates());
        const key = (i: number) => (plan.kind === 'id' ? idKey(all[i]._id) : String(i));
        for (let i = 0; i < all.length; i++) {
          if (matches(all[i], filter) && !candidates.has(key(i))) throw new Error(`plan ${plan.indexName} missed ${JSON.stringify(all[i])} for ${JSON.stringify(filter)}`);
        }
      }
    }
    expect(planned).toBeGreaterThan(1000);
  });
});

describe('exact plans', () => {
  const PLAIN: unknown[] = ['ABV', 'CMN', '', 'é', true, false, new Date(5), new Date(6), new ObjectId('6566a0000000000000000001'), new ObjectId('6566a0000000000000000002')];
  const OTHER: unknown[] = [1, new Int32(1), 1.0, Long.fromInt(1), null, 'ABV', [], [['ABV']], { a: 'ABV' }];
  const unique: IndexSpec = { key: { day: 1, site: 1 }, name: 'day_site', unique: true };
  const ARRAY_SITE = 'the site of documents holding an array';

  /** Documents with distinct (day, site) pairs, mostly of plain values, some of other types, missing or (withArrays) arrays. */
  function buckets(rng: Rng, withArrays: boolean): Doc[] {
    const seen = new Set<string>();
    const out: Doc[] = [];
    for (let i = 0; out.length < 60 && i < 500; i++) {
      const doc: Doc = { _id: i, day: pick(rng, rng() < 0.8 ? PLAIN : OTHER), site: pick(rng, PLAIN), level: pick(rng, [null, 'coarse']) };
      if (rng() < 0.05) delete doc.site;
      const id = `${idKey(doc.day)}|${idKey(doc.site ?? null)}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(doc);
    }
    if (withArrays) out.push({ _id: 'arr1', day: ['ABV', 'CMN'], site: ARRAY_SITE }, { _id: 'arr2', day: 'é', site: [ARRAY_SITE, 'ABV'] });
    return out;
  }

  function plainFilter(rng: Rng): Doc {
    const value = () => (rng() < 0.25 ? { $in: [pick(rng, PLAIN), pick(rng, [...PLAIN, ARRAY_SITE])] } : pick(rng, [...PLAIN, ARRAY_SITE]));
    return { day: value(), site: value() };
  }

  test('plain equalities on every field of an index yield exactly the matching documents, arrays included', () => {
    const rng = seeded(777);
    let exact = 0;
    for (let round = 0; round < 20; round++) {
      const withArrays = round % 2 === 1;
      const docs = buckets(rng, withArrays);
      const indexes = build(docs, [withArrays ? { ...unique, unique: false } : unique]);
      if (withArrays) expect(indexes[0]!.multikey).toBe(true);
      for (let f = 0; f < 40; f++) {
        const filter = plainFilter(rng);
        const plan = planQuery(filter, indexes);
        expect(plan?.exact).toBe(true);
        exact++;
        const truth = docs.flatMap((d, i) => (matches(d, filter) ? [String(i)] : [])).sort();
        expect(ids(new Set(plan?.candidates() ?? []))).toEqual(truth);
      }
    }
    expect(exact).toBe(800);
  });

  test('any other filter or index is re-checked', () => {
    const docs = buckets(seeded(99), false);
    const [index, sparse, partial] = build(docs, [unique, { ...unique, name: 'sparse', sparse: true }, { ...unique, name: 'partial', partialFilterExpression: { site: 'ABV' } }]);
    const [hashed] = build(docs.filter((d) => !Array.isArray(d.day)), [{ key: { day: 'hashed' }, name: 'hashed' }]);
    expect(planQuery({ day: 'ABV', site: 'CMN' }, [sparse])?.exact).toBe(true);
    const notExact = (filter: Doc, indexes: Index[]) => expect(planQuery(filter, indexes)?.exact).toBeUndefined();
    // An extra field, a number, null, another operator, a dotted path, $and, or part of the key only.
    notExact({ day: 'ABV', site: 'CMN', level: 'coarse' }, [index]);
    notExact({ day: 1, site: 'CMN' }, [index]);
    notExact({ day: null, site: 'CMN' }, [index]);
    notExact({ day: { $eq: 'ABV' }, site: 'CMN' }, [index]);
    notExact({ day: { $in: ['ABV', 1] }, site: 'CMN' }, [index]);
    notExact({ day: { $in: ['ABV'], $nin: ['CMN'] }, site: 'CMN' }, [index]);
    notExact({ $and: [{ day: 'ABV' }, { site: 'CMN' }] }, [index]);
    notExact({ day: 'ABV' }, [index]);
    // A partial index lacks documents; a hashed key may be shared by other values.
    notExact({ site: 'ABV', day: 'CMN' }, [partial]);
    notExact({ day: 'ABV' }, [hashed]);
  });

  test('a collection answers plain equalities by an index or _id exactly as its matcher would', () => {
    const rng = seeded(31337);
    for (const withArrays of [false, true]) {
      const coll = new Collection('test', `exact${withArrays}`);
      coll.buildIndex({ v: 2, ...unique, unique: !withArrays });
      const docs = buckets(rng, withArrays).map((d) => ({ ...d, _id: pick(rng, [new ObjectId(), `id${String(d._id)}`]) }));
      for (const doc of docs) coll.insert(doc);
      const found = (filter: Doc) => [...coll.scan(filter)].map(({ doc }) => String(doc._id)).sort();
      const truth = (filter: Doc) => docs.filter((d) => matches(d, filter)).map((d) => String(d._id)).sort();
      for (let f = 0; f < 200; f++) {
        const filter = plainFilter(rng);
        if (rng() < 0.3) filter.level = pick(rng, ['coarse', null]);
        expect(found(filter)).toEqual(truth(filter));
      }
      for (const doc of docs.slice(0, 20)) {
        expect(found({ _id: doc._id })).toEqual([String(doc._id)]);
        expect(found({ _id: { $in: [doc._id, 'no such id'] } })).toEqual([String(doc._id)]);
        expect(found({ _id: doc._id, site: 'nowhere' })).toEqual([]);
      }
    }
  });

  test('plainConditions names the fields of plain equality filters only', () => {
    expect(plainConditions({ day: '2026-11-30', ok: true, at: new Date(1), _id: new ObjectId(), site: { $in: ['ABV', 'CMN'] } })).toEqual(['day', 'ok', 'at', '_id', 'site']);
    expect(plainConditions({})).toEqual([]);
    for (const filter of [
      { a: 1 }, { a: new Int32(1) }, { a: null }, { a: /x/ }, { a: ['x'] }, { a: { b: 'x' } }, { a: { $eq: 'x' } }, { a: { $in: ['x', null] } }, { a: { $in: 'x' } },
      { 'a.b': 'x' }, { '': 'x' }, { $and: [] }, { a: new Date(NaN) }, { a: undefined },
    ]) {
      expect(plainConditions(filter)).toBeNull();
    }
  });
});

describe('planSort', () => {
  test('a single-field sort walks a non-multikey index in BSON order', () => {
    const docs: Doc[] = [{ x: 'b' }, { x: 2 }, {}, { x: Long.fromInt(1) }, { x: null }, { x: 'a' }, { x: 1.5 }];
    const [x] = build(docs, [{ key: { x: -1 }, name: 'x_-1' }]);
    const ascending = [...(planSort({ x: 1 }, [x])?.ids() ?? [])].map((i) => docs[Number(i)].x);
    expect(ascending.slice(2)).toEqual([Long.fromInt(1), 1.5, 2, 'a', 'b']);
    expect(ascending.slice(0, 2).every((v) => v === undefined || v === null)).toBe(true);
    const descending = [...(planSort({ x: -1 }, [x])?.ids() ?? [])].map((i) => docs[Number(i)].x);
    expect(descending.slice(0, 2)).toEqual(['b', 'a']);
  });

  test('multikey, sparse and compound sorts are left to the sorter', () => {
    const [m, s] = build([{ x: [1, 2], y: 1 }], [{ key: { x: 1 }, name: 'm' }, { key: { y: 1 }, name: 's', sparse: true }]);
    expect(planSort({ x: 1 }, [m])).toBeNull();
    expect(planSort({ y: 1 }, [s])).toBeNull();
    expect(planSort({ x: 1, y: 1 }, [m, s])).toBeNull();
  });
});

describe('TTL', () => {
  const now = new Date('2024-06-01T00:00:00Z');
  const ago = (s: number) => new Date(now.getTime() - s * 1000);
  const docs: Doc[] = [{ at: ago(120) }, { at: ago(30) }, { at: 'yesterday' }, { at: [ago(10), ago(90)] }, {}, { at: ago(60) }];

  test('an index expires documents whose earliest date is at least expireAfterSeconds old', () => {
    const [ttl] = build(docs, [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: 60 }]);
    expect(expiredIds(ttl, now).sort()).toEqual(['0', '3', '5']);
    const [plain] = build(docs, [{ key: { at: 1 }, name: 'at_1' }]);
    expect(expiredIds(plain, now)).toEqual([]);
  });

  test('a sweep deletes what is still expired and reports the count', async () => {
    const [ttl] = build(docs, [{ key: { at: -1 }, name: 'at_-1', expireAfterSeconds: new Int32(60) }]);
    const removed: string[] = [];
    const sweeper = new TtlSweeper({
      targets: () => [{ ns: 'db.sessions', index: ttl }],
      remove: (ns, found, isExpired) => {
        const gone = found.filter((id) => ns === 'db.sessions' && isExpired(docs[Number(id)]));
        removed.push(...gone);
        return gone.length;
      },
    });
    expect(await sweeper.sweepOnce(now)).toBe(3);
    expect(removed.sort()).toEqual(['0', '3', '5']);
  });

  test('a started sweeper runs every interval until stopped', async () => {
    let passes = 0;
    const sweeper = new TtlSweeper({ targets: () => { passes++; return []; }, remove: () => 0, intervalMs: 5 });
    sweeper.start();
    await new Promise((resolve) => setTimeout(resolve, 60));
    await sweeper.stop();
    const seen = passes;
    expect(seen).toBeGreaterThan(2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(passes).toBe(seen);
  });
});
