/**
 * Unit tests of query/update.ts on typed documents: every modifier, paths ($, $[], $[id],
 * numeric parts), numeric type rules, replacement and pipeline updates, nModified and
 * compiled updates. Errors and upserts have their own files.
 */
import { Decimal128, Double, EJSON, Int32, Long, Timestamp } from 'bson';
import { applyUpdate, compileUpdate } from '../../server/db/embedded/query/update';
import { applyNode, applyTopLevel, topLevelLeaves, type ApplyState } from '../../server/db/embedded/query/update-apply';
import { parseOperatorUpdate } from '../../server/db/embedded/query/update-tree';
import { copyFields, type Doc } from '../../server/db/embedded/query/values';
import { errorOf } from '../helpers/errors';
import { seeded, type Rng } from '../helpers/random';

const i = (n: number): Int32 => new Int32(n);
const d = (n: number): Double => new Double(n);
const L = (n: bigint | number): Long => Long.fromBigInt(BigInt(n));
const dec = (s: string): Decimal128 => Decimal128.fromString(s);
/** Canonical Extended JSON keeps BSON types and field order, so it compares both. */
const ej = (v: unknown): string => EJSON.stringify(v as Doc, { relaxed: false });

const NOW = new Date('2024-05-01T10:00:00Z');

function base(): Doc {
  return {
    _id: i(1),
    n: i(5),
    f: d(1.5),
    s: 'text',
    sub: { x: i(1), y: 'y' },
    arr: [i(1), i(2), i(3)],
    docs: [{ k: i(1), v: 'a' }, { k: i(2), v: 'b' }, { k: i(3), v: 'c' }],
  };
}

function update(u: Doc | Doc[], opts: Parameters<typeof applyUpdate>[2] = {}, doc: Doc = base()): { doc: Doc; modified: boolean } {
  return applyUpdate(doc, u, { now: NOW, ...opts });
}

describe('operator updates', () => {
  const cases: Array<[string, Doc, (d: Doc) => unknown, unknown]> = [
    ['$set replaces a value and keeps its neighbours', { $set: { s: 'new' } }, (r) => r.s, 'new'],
    ['$set creates intermediate documents along a dotted path', { $set: { 'a.b.c': i(1) } }, (r) => ej(r.a), ej({ b: { c: i(1) } })],
    ['$set on a numeric part past the end pads the array with nulls', { $set: { 'arr.5': i(9) } }, (r) => ej(r.arr), ej([i(1), i(2), i(3), null, null, i(9)])],
    ['$set on a numeric part of a missing field creates a document, not an array', { $set: { 'm.0': i(1) } }, (r) => ej(r.m), ej({ 0: i(1) })],
    ['$set into an array element document', { $set: { 'docs.1.v': 'B' } }, (r) => (r.docs as Doc[])[1].v, 'B'],
    ['$unset removes a field', { $unset: { s: '' } }, (r) => 's' in r, false],
    ['$unset of an array element leaves a null', { $unset: { 'arr.1': 1 } }, (r) => ej(r.arr), ej([i(1), null, i(3)])],
    ['$inc adds to an Int32', { $inc: { n: i(2) } }, (r) => ej(r.n), ej(i(7))],
    ['$inc creates a missing field with the increment', { $inc: { m: i(3) } }, (r) => ej(r.m), ej(i(3))],
    ['$inc of an Int32 by a Double gives a Double', { $inc: { n: d(0.5) } }, (r) => ej(r.n), ej(d(5.5))],
    ['$inc of an Int32 past 2^31 widens to Int64', { $inc: { n: i(2147483647) } }, (r) => ej(r.n), ej(L(2147483652))],
    ['$inc of an Int64 by an Int32 stays Int64', { $inc: { n: L(10) } }, (r) => ej(r.n), ej(L(15))],
    ['$mul multiplies', { $mul: { n: i(3) } }, (r) => ej(r.n), ej(i(15))],
    ['$mul of a missing field stores a zero of the argument type', { $mul: { m: d(2.5) } }, (r) => ej(r.m), ej(d(0))],
    ['$mul of Int32 overflow widens to Int64', { $mul: { n: i(1000000000) } }, (r) => ej(r.n), ej(L(5000000000))],
    ['$min lowers a value', { $min: { n: i(2) } }, (r) => ej(r.n), ej(i(2))],
    ['$min compares across numeric types', { $min: { n: d(4.5) } }, (r) => ej(r.n), ej(d(4.5))],
    ['$max compares across BSON types (strings above numbers)', { $max: { n: 'a' } }, (r) => r.n, 'a'],
    ['$max creates a missing field', { $max: { m: i(1) } }, (r) => ej(r.m), ej(i(1))],
    ['$currentDate true sets a Date', { $currentDate: { at: true } }, (r) => (r.at as Date).getTime(), NOW.getTime()],
    ['$currentDate {$type: "timestamp"} sets a Timestamp', { $currentDate: { at: { $type: 'timestamp' } } }, (r) => (r.at as Timestamp).high, NOW.getTime() / 1000],
    ['$rename moves a field', { $rename: { s: 'renamed' } }, (r) => [r.s, r.renamed], [undefined, 'text']],
    ['$rename into a new sub-document', { $rename: { s: 'deep.t' } }, (r) => ej(r.deep), ej({ t: 'text' })],
    ['$rename of a missing field does nothing', { $rename: { nope: 'x' } }, (r) => 'x' in r, false],
    ['$bit and on Int32', { $bit: { n: { and: i(4) } } }, (r) => ej(r.n), ej(i(4))],
    ['$bit or with an Int64 operand gives Int64', { $bit: { n: { or: L(2) } } }, (r) => ej(r.n), ej(L(7))],
    ['$bit xor of a missing field starts from 0', { $bit: { m: { xor: i(6) } } }, (r) => ej(r.m), ej(i(6))],
    ['$push appends', { $push: { arr: i(4) } }, (r) => ej(r.arr), ej([i(1), i(2), i(3), i(4)])],
    ['$push creates a missing array', { $push: { m: 'x' } }, (r) => r.m, ['x']],
    ['$push $each with $position inserts in place', { $push: { arr: { $each: [i(8), i(9)], $position: 1 } } }, (r) => ej(r.arr), ej([i(1), i(8), i(9), i(2), i(3)])],
    ['$push $position negative counts from the end', { $push: { arr: { $each: [i(0)], $position: -1 } } }, (r) => ej(r.arr), ej([i(1), i(2), i(0), i(3)])],
    ['$push $each with $sort -1 and $slice 2', { $push: { arr: { $each: [i(7)], $sort: -1, $slice: 2 } } }, (r) => ej(r.arr), ej([i(7), i(3)])],
    ['$push $slice negative keeps the tail', { $push: { arr: { $each: [i(4)], $slice: -2 } } }, (r) => ej(r.arr), ej([i(3), i(4)])],
    ['$push $sort by a document field', { $push: { docs: { $each: [{ k: i(0), v: 'z' }], $sort: { k: -1 } } } }, (r) => (r.docs as Doc[]).map((x) => x.v), ['c', 'b', 'a', 'z']],
    ['$push of a document without $each pushes it whole', { $push: { docs: { k: i(9) } } }, (r) => ej((r.docs as Doc[])[3]), ej({ k: i(9) })],
    ['$addToSet adds a new value', { $addToSet: { arr: i(4) } }, (r) => (r.arr as unknown[]).length, 4],
    ['$addToSet uses BSON equality across numeric types', { $addToSet: { arr: d(2) } }, (r) => (r.arr as unknown[]).length, 3],
    ['$addToSet $each skips duplicates, including within $each', { $addToSet: { arr: { $each: [i(3), i(5), i(5)] } } }, (r) => ej(r.arr), ej([i(1), i(2), i(3), i(5)])],
    ['$pop 1 removes the last element', { $pop: { arr: 1 } }, (r) => ej(r.arr), ej([i(1), i(2)])],
    ['$pop -1 removes the first element', { $pop: { arr: -1 } }, (r) => ej(r.arr), ej([i(2), i(3)])],
    ['$pull by value', { $pull: { arr: i(2) } }, (r) => ej(r.arr), ej([i(1), i(3)])],
    ['$pull by operator condition', { $pull: { arr: { $gte: i(2) } } }, (r) => ej(r.arr), ej([i(1)])],
    ['$pull by query on document elements', { $pull: { docs: { k: { $lt: 3 }, v: { $in: ['a', 'b'] } } } }, (r) => (r.docs as Doc[]).map((x) => x.v), ['c']],
    ['$pull of a missing field does nothing', { $pull: { nope: 1 } }, (r) => 'nope' in r, false],
    ['$pullAll removes every listed value', { $pullAll: { arr: [i(1), d(3)] } }, (r) => ej(r.arr), ej([i(2)])],
  ];
  it.each(cases)('%s', (_name, u, pick, expected) => {
    expect(pick(update(u).doc)).toEqual(expected);
  });

  it('leaves untouched fields with their BSON types and order', () => {
    const { doc } = update({ $set: { s: 'z' } });
    expect(ej(doc)).toBe(ej({ ...base(), s: 'z' }));
  });

  it('never changes the input document', () => {
    const input = base();
    const before = ej(input);
    update({ $set: { 'sub.x': i(9) }, $push: { arr: i(4) }, $unset: { f: 1 } }, {}, input);
    expect(ej(input)).toBe(before);
  });

  it('creates new fields in field-name order, numeric names numerically', () => {
    const { doc } = update({ $set: { b: i(1), a: i(1), 'n10.x': i(1) } }, {}, { _id: i(1) });
    expect(Object.keys(doc)).toEqual(['_id', 'a', 'b', 'n10']);
    const padded = update({ $set: { 'l.10': i(1), 'l.2': i(2) } }, {}, { _id: i(1), l: [] });
    expect((padded.doc.l as unknown[]).length).toBe(11);
  });

  it('increments Decimal128 exactly, converting a double operand to 15 digits', () => {
    const r = update({ $inc: { m: dec('0.1') } }, {}, { _id: i(1), m: dec('0.2') });
    expect(String(r.doc.m)).toBe('0.3');
    const mixed = update({ $inc: { m: d(0.1) } }, {}, { _id: i(1), m: dec('1') });
    expect(String(mixed.doc.m)).toBe('1.100000000000000');
    const product = update({ $mul: { m: dec('1.5') } }, {}, { _id: i(1), m: i(3) });
    expect(String(product.doc.m)).toBe('4.5');
  });

  it('rounds a Decimal128 result to 34 digits half-even', () => {
    const r = update({ $mul: { m: dec('1.00000000000000000000000000000001') } }, {}, { _id: i(1), m: dec('3.33333333333333333333333333333333') });
    expect(String(r.doc.m)).toBe('3.333333333333333333333333333333363');
  });

  it('keeps Int32 sums below -2^31 exact, widening them to Int64', () => {
    expect(ej(update({ $inc: { n: i(-2147483647) } }, {}, { _id: i(1), n: i(-2) }).doc.n)).toBe(ej(L(-2147483649)));
    expect(ej(update({ $inc: { n: i(-2147483643) } }, {}, { _id: i(1), n: i(-5) }).doc.n)).toBe(ej(i(-2147483648)));
  });

  it('fails when an Int64 $inc overflows', () => {
    const e = errorOf(() => update({ $inc: { n: i(1) } }, {}, { _id: i(1), n: L(2n ** 63n - 1n) }));
    expect(e.code).toBe(2);
    expect(e.message).toBe('Failed to apply $inc operations to current value ((NumberLong)9223372036854775807) for document {_id: 1}');
  });
});

describe('copies of the document', () => {
  it('keeps a field named __proto__ a field of the copy, not its prototype', () => {
    const doc = JSON.parse('{"_id": 1, "__proto__": {"polluted": true}, "n": 1}') as Doc;
    const r = update({ $set: { n: i(2) } }, {}, doc);
    expect(Object.keys(r.doc)).toEqual(['_id', '__proto__', 'n']);
    expect(Object.getPrototypeOf(r.doc)).toBe(Object.prototype);
    expect((r.doc as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('updates of top-level fields only', () => {
  const FIELDS = ['_id', 'n', 'f', 's', 'gone', 'extra', '$dollar', '10', '2'];
  const VALUES: unknown[] = [i(1), i(2147483647), i(-5), d(1.5), d(NaN), L(5), dec('2.5'), 'text', '', null, true, false, new Date(5), [i(1)], { x: i(1) }, new Timestamp({ t: 1, i: 1 })];
  const OPERATORS = ['$set', '$inc', '$mul', '$min', '$max', '$unset', '$setOnInsert', '$currentDate'];
  const pick = <T,>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

  function randomUpdate(rng: Rng): Doc {
    const update: Doc = {};
    const used = new Set<string>();
    for (let k = 1 + Math.floor(rng() * 3); k > 0; k--) {
      const op = pick(rng, OPERATORS);
      const fields: Doc = (update[op] as Doc | undefined) ?? {};
      const field = pick(rng, FIELDS);
      if (used.has(field)) continue;
      used.add(field);
      // A $currentDate timestamp takes the next increment of a process-wide counter: dates only here.
      fields[field] = op === '$currentDate' ? pick(rng, [true, { $type: 'date' }]) : op === '$unset' ? '' : pick(rng, VALUES);
      update[op] = fields;
    }
    return update;
  }

  function run(walk: 'tree' | 'top', update: Doc, doc: Doc, isInsert: boolean): string {
    const tree = parseOperatorUpdate(update, new Map());
    const root = copyFields(doc);
    const state: ApplyState = { root, owned: new Set([root]), isInsert, now: NOW, filters: new Map(), idImmutable: '_id' in doc, modified: false };
    try {
      if (walk === 'tree') applyNode(tree, [], state);
      else applyTopLevel(topLevelLeaves(tree)!, state);
    } catch (err) {
      const e = err as { code?: number; message: string };
      return `error ${e.code} ${e.message}`;
    }
    return `${state.modified} ${ej(root)}`;
  }

  it('apply as the tree walk does: the same fields, types, order, nModified and errors', () => {
    const rng = seeded(2024);
    let compared = 0;
    for (let n = 0; n < 3000; n++) {
      const doc: Doc = {};
      for (const field of FIELDS) if (rng() < 0.6) doc[field] = pick(rng, VALUES);
      const update = randomUpdate(rng);
      let tree;
      try {
        tree = parseOperatorUpdate(update, new Map());
      } catch {
        continue; // a malformed update fails before either walk
      }
      expect(topLevelLeaves(tree)).not.toBeNull();
      const isInsert = rng() < 0.3;
      expect(run('top', update, doc, isInsert)).toBe(run('tree', update, doc, isInsert));
      compared++;
    }
    expect(compared).toBeGreaterThan(1500);
  });

  it('leave dotted, positional and $rename updates to the tree walk', () => {
    for (const update of [{ $set: { 'sub.x': i(2) } }, { $set: { 'arr.$': i(2) } }, { $inc: { 'arr.$[]': i(1) } }, { $rename: { s: 't' } }]) {
      expect(topLevelLeaves(parseOperatorUpdate(update, new Map()))).toBeNull();
    }
    expect(update({ $set: { 'sub.x': i(2), n: i(6) } }).doc).toMatchObject({ n: i(6), sub: { x: i(2), y: 'y' } });
  });
});

describe('positional and filtered paths', () => {
  it('$ updates the element the query matched', () => {
    expect(ej(update({ $set: { 'arr.$': i(9) } }, { position: 2 }).doc.arr)).toBe(ej([i(1), i(2), i(9)]));
    expect(update({ $inc: { 'docs.$.k': i(10) } }, { position: 0 }).doc.docs[0].k.value).toBe(11);
  });

  it('$[] updates every element', () => {
    expect(ej(update({ $inc: { 'arr.$[]': i(1) } }).doc.arr)).toBe(ej([i(2), i(3), i(4)]));
    expect((update({ $set: { 'docs.$[].v': 'z' } }).doc.docs as Doc[]).map((x) => x.v)).toEqual(['z', 'z', 'z']);
  });

  it('$[id] updates the elements its array filter matches', () => {
    const r = update({ $set: { 'docs.$[e].v': 'hit' } }, { arrayFilters: [{ 'e.k': { $gte: 2 } }] });
    expect((r.doc.docs as Doc[]).map((x) => x.v)).toEqual(['a', 'hit', 'hit']);
    const scalar = update({ $mul: { 'arr.$[big]': i(10) } }, { arrayFilters: [{ big: { $gt: 1 } }] });
    expect(ej(scalar.doc.arr)).toBe(ej([i(1), i(20), i(30)]));
  });

  it('nested $[] and $[id] reach arrays inside arrays', () => {
    const doc = { _id: i(1), grid: [[i(1), i(5)], [i(7)]] };
    const r = update({ $set: { 'grid.$[].$[v]': i(0) } }, { arrayFilters: [{ v: { $gte: 5 } }] }, doc);
    expect(ej(r.doc.grid)).toBe(ej([[i(1), i(0)], [i(0)]]));
  });

  it('merges $ with a sibling path on another element, and conflicts on the same one', () => {
    const r = update({ $set: { 'docs.$.v': 'p', 'docs.0.k': i(0) } }, { position: 2 });
    expect((r.doc.docs as Doc[]).map((x) => [x.k.value, x.v])).toEqual([[0, 'a'], [2, 'b'], [3, 'p']]);
    expect(() => update({ $set: { 'docs.$.v': 'p', 'docs.2.v': 'q' } }, { position: 2 })).toThrow("Update created a conflict at 'docs.2.v'");
  });

  it('reports no modification when no element matches the filter', () => {
    const r = update({ $set: { 'arr.$[x]': i(0) } }, { arrayFilters: [{ x: i(99) }] });
    expect(r.modified).toBe(false);
  });
});

describe('nModified', () => {
  const cases: Array<[string, Doc, boolean]> = [
    ['setting the same value and type', { $set: { n: i(5) } }, false],
    ['setting the same value with another type', { $set: { n: d(5) } }, true],
    ['setting _id to its own value', { $set: { _id: i(1) } }, false],
    ['an empty $set (a no-op since MongoDB 5.0)', { $set: {} }, false],
    ['$inc by zero', { $inc: { n: i(0) } }, false],
    ['$min with a larger value', { $min: { n: i(9) } }, false],
    ['$unset of a missing field', { $unset: { nope: 1 } }, false],
    ['$addToSet of a present value', { $addToSet: { arr: i(1) } }, false],
    ['$pull of an absent value', { $pull: { arr: i(9) } }, false],
    ['$pop of an empty array', { $pop: { empty: 1 } }, false],
    ['$push with $sort, even when already sorted', { $push: { arr: { $each: [], $sort: 1 } } }, true],
    ['$setOnInsert outside an insert', { $setOnInsert: { z: 1 } }, false],
  ];
  it.each(cases)('counts %s correctly', (_name, u, modified) => {
    expect(update(u, {}, { ...base(), empty: [] }).modified).toBe(modified);
  });

  it('counts an identical replacement as unmodified', () => {
    expect(update(base()).modified).toBe(false);
    expect(update({ ...base(), n: d(5) }).modified).toBe(true);
  });
});

describe('replacement and pipeline updates', () => {
  it('replaces the document and keeps _id first', () => {
    const { doc } = update({ b: i(2), a: 'x' });
    expect(ej(doc)).toBe(ej({ _id: i(1), b: i(2), a: 'x' }));
  });

  it('accepts a replacement that repeats _id', () => {
    expect(update({ a: 1, _id: d(1) }).doc.a).toBe(1);
  });

  it('fills a zero Timestamp at the top level of a replacement with the current time', () => {
    const { doc } = update({ ts: new Timestamp({ t: 0, i: 0 }) });
    expect((doc.ts as Timestamp).high).toBe(NOW.getTime() / 1000);
  });

  it('runs $set/$unset/$replaceWith stages and keeps the types of untouched fields', () => {
    const { doc, modified } = update([{ $set: { total: { $add: ['$n', 1] } } }, { $unset: 's' }]);
    expect(modified).toBe(true);
    expect(ej(doc)).toBe(ej({ _id: i(1), n: i(5), f: d(1.5), sub: base().sub, arr: base().arr, docs: base().docs, total: i(6) }));
  });

  it('accepts typed numbers in a pipeline update, as they come off the wire', () => {
    expect(ej(update([{ $set: { m: { $multiply: ['$n', i(2)] } } }]).doc.m)).toBe(ej(i(10)));
  });

  it('exposes $$NOW and let variables to pipeline updates', () => {
    const { doc } = update([{ $set: { at: '$$NOW', v: '$$x' } }], { variables: { x: 'let' } });
    expect((doc.at as Date).getTime()).toBe(NOW.getTime());
    expect(doc.v).toBe('let');
  });

  it('keeps _id when $replaceWith drops it, and refuses to change it', () => {
    expect(update([{ $replaceWith: { a: 1 } }]).doc).toEqual({ _id: i(1), a: new Int32(1) });
    expect(errorOf(() => update([{ $replaceWith: { _id: 2 } }])).code).toBe(66);
  });
});

describe('compiled updates', () => {
  it('leave the document they are given as it was, however deep the change', () => {
    const original = base();
    const before = ej(original);
    const { doc } = update({ $set: { 'sub.x': i(2), 'docs.1.v': 'B', 'arr.4': i(5) }, $push: { 'sub.list': 'a' }, $unset: { 'docs.2.k': '' }, $rename: { 'sub.y': 'sub.z' } }, {}, original);
    expect(ej(original)).toBe(before);
    expect(ej(doc.sub)).toBe(ej({ x: i(2), list: ['a'], z: 'y' }));
    expect(ej(doc.docs)).toBe(ej([{ k: i(1), v: 'a' }, { k: i(2), v: 'B' }, { v: 'c' }]));
    expect(ej(doc.arr)).toBe(ej([i(1), i(2), i(3), null, i(5)]));
    // What the update did not touch is shared with the original, not copied.
    expect(doc.docs).not.toBe(original.docs);
    expect((doc.docs as Doc[])[0]).toBe((original.docs as Doc[])[0]);
  });

  it('parse once and apply to many documents', () => {
    const compiled = compileUpdate({ $inc: { n: i(1) } });
    expect(compiled.kind).toBe('operator');
    const docs = [base(), { _id: i(2), n: i(10) }].map((doc) => compiled.apply(doc).doc.n);
    expect(docs.map((n) => (n as Int32).value)).toEqual([6, 11]);
  });
});
