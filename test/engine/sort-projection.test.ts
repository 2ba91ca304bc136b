/**
 * Sort comparators and find projections of the embedded engine, against MongoDB's
 * documented behaviour: array sort keys, BSON type order, projection kinds and their
 * errors, $slice, $elemMatch, positional `.$` and computed fields.
 */
import { Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId } from 'bson';
import { compileSort, naturalSortDirection } from '../../server/db/embedded/query/sort';
import { compileProjection } from '../../server/db/embedded/query/projection';
import { compileFilter } from '../../server/db/embedded/query/match';
import { deserializeDoc, serializeDoc, type Doc } from '../../server/db/embedded/query/values';
import { MongoServerError } from '../../server/db/embedded/errors';

const typed = (d: Doc): Doc => deserializeDoc(serializeDoc(d));
const plain = (d: unknown): unknown => JSON.parse(JSON.stringify(d, (_k, v) => (v && typeof v === 'object' && 'value' in v && v._bsontype ? Number(v.value) : v)));

function errorOf(fn: () => unknown): MongoServerError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MongoServerError) return e;
    throw e;
  }
  throw new Error('expected a MongoServerError');
}

/** Sorts documents (each tagged with `n`) and returns the tags in result order. */
function order(spec: Doc, docs: Doc[]): unknown[] {
  const cmp = compileSort(typed(spec));
  return docs.map((d, n) => typed({ n, ...d })).sort(cmp).map((d) => plain(d.n));
}

describe('compileSort', () => {
  it('sorts numbers ascending across numeric types', () => {
    expect(order({ a: 1 }, [{ a: new Double(2.5) }, { a: Long.fromNumber(1) }, { a: Decimal128.fromString('2') }, { a: 3 }]))
      .toEqual([1, 2, 0, 3]);
  });
  it('sorts descending with -1', () => {
    expect(order({ a: -1 }, [{ a: 1 }, { a: 3 }, { a: 2 }])).toEqual([1, 2, 0]);
  });
  it('orders different types in BSON order', () => {
    const docs = [{ a: true }, { a: 'x' }, { a: { b: 1 } }, { a: 5 }, { a: null }, { a: new ObjectId() }, { a: new Date(0) }, { a: new MaxKey() }, { a: new MinKey() }];
    expect(order({ a: 1 }, docs)).toEqual([8, 4, 3, 1, 2, 5, 0, 6, 7]);
  });
  it('sorts a missing field like null and keeps ties in their incoming order', () => {
    expect(order({ a: 1 }, [{ a: 1 }, {}, { a: null }, { b: 2 }])).toEqual([1, 2, 3, 0]);
  });
  it('sorts arrays by their smallest element ascending', () => {
    expect(order({ a: 1 }, [{ a: [5, 1] }, { a: 3 }, { a: [2, 9] }])).toEqual([0, 2, 1]);
  });
  it('sorts arrays by their largest element descending', () => {
    expect(order({ a: -1 }, [{ a: [5, 1] }, { a: 3 }, { a: [2, 9] }])).toEqual([2, 0, 1]);
  });
  it('puts an empty array before a missing field ascending and after it descending', () => {
    const docs = [{}, { a: 1 }, { a: [] }, { a: [1] }, { a: [0, 1] }];
    expect(order({ a: 1 }, docs)).toEqual([2, 0, 4, 1, 3]);
    expect(order({ a: -1 }, docs)).toEqual([1, 3, 4, 0, 2]);
  });
  it('sorts by a dotted path through sub-documents', () => {
    expect(order({ 'a.b': 1 }, [{ a: { b: 2 } }, { a: { b: 1 } }])).toEqual([1, 0]);
  });
  it('sorts by a dotted path through an array of documents', () => {
    expect(order({ 'a.b': 1 }, [{ a: [{ b: 4 }, { b: 3 }] }, { a: [{ b: 2 }] }])).toEqual([1, 0]);
  });
  it('sorts by several keys', () => {
    expect(order({ a: 1, b: -1 }, [{ a: 1, b: 1 }, { a: 0, b: 5 }, { a: 1, b: 2 }])).toEqual([1, 2, 0]);
  });
  it('accepts 1 and -1 as Int32, Double or Long', () => {
    expect(order({ a: new Int32(-1), b: new Double(1) }, [{ a: 1, b: 1 }, { a: 2, b: 0 }])).toEqual([1, 0]);
    expect(order({ a: Long.fromNumber(-1) }, [{ a: 1 }, { a: 2 }])).toEqual([1, 0]);
  });
  it('sorts ObjectIds by their bytes and dates by time', () => {
    const ids = ['64b7f0c2a1b2c3d4e5f60719', '64b7f0c2a1b2c3d4e5f60718', '54b7f0c2a1b2c3d4e5f60718'].map((h) => new ObjectId(h));
    expect(order({ a: 1 }, ids.map((a) => ({ a })))).toEqual([2, 1, 0]);
    expect(order({ a: -1 }, [{ a: new Date(5) }, { a: new Date(50) }, { a: new Date(-5) }])).toEqual([1, 0, 2]);
  });
  it('sorts strings by bytes, so capitals come first', () => {
    expect(order({ a: 1 }, [{ a: 'b' }, { a: 'B' }, { a: 'a' }])).toEqual([1, 2, 0]);
  });
  it.each([[0], [2], [new Double(0.5)]])('refuses the direction %p with code 15975', (dir) => {
    const err = errorOf(() => compileSort({ a: dir }));
    expect(err.code).toBe(15975);
    expect(err.message).toBe('$sort key ordering must be 1 (for ascending) or -1 (for descending)');
  });
  it('refuses a non-numeric direction with code 15974', () => {
    const err = errorOf(() => compileSort({ a: 'asc' }));
    expect(err.code).toBe(15974);
    expect(err.message).toBe('Illegal key in $sort specification: a: "asc"');
  });
  it('reports a $meta sort as unsupported', () => {
    expect(errorOf(() => compileSort({ s: { $meta: 'textScore' } })).code).toBe(115);
  });
  it('refuses another expression with code 17312', () => {
    expect(errorOf(() => compileSort({ s: { $add: [1] } })).code).toBe(17312);
  });
  it('refuses an empty field name', () => {
    expect(errorOf(() => compileSort({ '': 1 })).code).toBe(40352);
  });
  it('ignores $natural in the comparator and reports its direction', () => {
    expect(order({ $natural: -1 }, [{ a: 2 }, { a: 1 }])).toEqual([0, 1]);
    expect(naturalSortDirection({ $natural: -1 })).toBe(-1);
    expect(naturalSortDirection({ a: 1 })).toBeUndefined();
  });
});

/** Projects a document and returns it with numbers as plain numbers, for readable expectations. */
function project(spec: Doc, doc: Doc, position?: number): unknown {
  return plain(compileProjection(typed(spec))(typed(doc), position));
}
const projectionError = (spec: Doc): MongoServerError => errorOf(() => compileProjection(typed(spec)));

describe('compileProjection: inclusion and exclusion', () => {
  const doc = { _id: 1, a: 1, b: { c: 2, d: 3 }, e: [{ f: 1, g: 2 }, 5, { g: 3 }] };

  it('keeps included fields in the document order with _id first', () => {
    expect(JSON.stringify(project({ b: 1, a: 1 }, doc))).toBe('{"_id":1,"a":1,"b":{"c":2,"d":3}}');
  });
  it('drops _id when asked', () => {
    expect(project({ _id: 0, a: 1 }, doc)).toEqual({ a: 1 });
  });
  it('returns only _id for {_id: 1}', () => {
    expect(project({ _id: 1 }, doc)).toEqual({ _id: 1 });
  });
  it('excludes fields and keeps the rest in order', () => {
    expect(JSON.stringify(project({ b: 0 }, doc))).toBe('{"_id":1,"a":1,"e":[{"f":1,"g":2},5,{"g":3}]}');
  });
  it('excludes only _id with {_id: 0}', () => {
    expect(project({ _id: 0 }, doc)).toEqual({ a: 1, b: { c: 2, d: 3 }, e: [{ f: 1, g: 2 }, 5, { g: 3 }] });
  });
  it('allows _id: 1 in an exclusion projection', () => {
    expect(project({ _id: 1, a: 0 }, { _id: 1, a: 1, z: 2 })).toEqual({ _id: 1, z: 2 });
  });
  it('includes a dotted path into a sub-document', () => {
    expect(project({ 'b.c': 1 }, doc)).toEqual({ _id: 1, b: { c: 2 } });
  });
  it('includes a dotted path through an array, dropping scalar elements', () => {
    expect(project({ 'e.g': 1, _id: 0 }, doc)).toEqual({ e: [{ g: 2 }, { g: 3 }] });
  });
  it('leaves an empty sub-document when the included sub-field is absent', () => {
    expect(project({ 'b.z': 1, _id: 0 }, doc)).toEqual({ b: {} });
  });
  it('omits a scalar parent of an included sub-path', () => {
    expect(project({ 'a.z': 1, _id: 0 }, doc)).toEqual({});
  });
  it('excludes a dotted path through an array and keeps scalars', () => {
    expect(project({ 'e.g': 0, _id: 0, a: 0, b: 0 }, doc)).toEqual({ e: [{ f: 1 }, 5, {}] });
  });
  it('accepts the nested form of a projection', () => {
    expect(project({ b: { d: 1 }, _id: 0 }, doc)).toEqual({ b: { d: 3 } });
  });
  it('treats any non-zero number and true as inclusion', () => {
    expect(project({ a: new Double(0.5), _id: false }, doc)).toEqual({ a: 1 });
  });
  it('refuses an exclusion inside an inclusion projection with code 31254', () => {
    const err = projectionError({ a: 1, b: 0 });
    expect(err.code).toBe(31254);
    expect(err.message).toBe('Cannot do exclusion on field b in inclusion projection');
  });
  it('refuses an inclusion inside an exclusion projection with code 31253', () => {
    const err = projectionError({ b: 0, a: 1 });
    expect(err.code).toBe(31253);
    expect(err.message).toBe('Cannot do inclusion on field a in exclusion projection');
  });
  it('refuses colliding paths', () => {
    expect(projectionError({ a: 1, 'a.b': 1 }).code).toBe(31249);
    expect(projectionError({ 'a.b': 1, a: 1 }).code).toBe(31250);
  });
  it('refuses an empty sub-projection', () => {
    expect(projectionError({ a: {} }).code).toBe(51270);
  });
  it('returns the document unchanged for an empty projection', () => {
    expect(project({}, doc)).toEqual(plain(typed(doc)));
  });
});

describe('compileProjection: $slice', () => {
  const doc = { _id: 1, a: [1, 2, 3, 4, 5], b: 'x', c: { d: [1, 2, 3] } };

  it.each([
    [2, [1, 2]],
    [-2, [4, 5]],
    [10, [1, 2, 3, 4, 5]],
    [0, []],
    [[1, 2], [2, 3]],
    [[-2, 1], [4]],
    [[-10, 2], [1, 2]],
    [[7, 2], []],
  ])('$slice %p gives %p', (arg, expected) => {
    expect(project({ a: { $slice: arg } }, doc)).toEqual({ _id: 1, a: expected, b: 'x', c: { d: [1, 2, 3] } });
  });
  it('keeps the other fields when $slice stands alone', () => {
    expect(project({ a: { $slice: 1 }, _id: 0 }, doc)).toEqual({ a: [1], b: 'x', c: { d: [1, 2, 3] } });
  });
  it('includes the sliced field alongside other inclusions', () => {
    expect(project({ b: 1, a: { $slice: 1 } }, doc)).toEqual({ _id: 1, a: [1], b: 'x' });
  });
  it('slices a nested array', () => {
    expect(project({ 'c.d': { $slice: -1 }, b: 1 }, doc)).toEqual({ _id: 1, b: 'x', c: { d: [3] } });
  });
  it('leaves a non-array untouched', () => {
    expect(project({ b: { $slice: 1 } }, doc)).toEqual(plain(typed(doc)));
  });
  it('refuses a limit that is not positive', () => {
    expect(projectionError({ a: { $slice: [1, 0] } }).code).toBe(31259);
  });
  it('refuses an argument that is neither a number nor an array', () => {
    expect(projectionError({ a: { $slice: 'x' } }).code).toBe(31273);
  });
});

describe('compileProjection: $elemMatch and positional', () => {
  const doc = { _id: 1, name: 'n', grades: [{ g: 80, m: 1 }, { g: 90, m: 2 }, { g: 95, m: 3 }] };

  it('$elemMatch returns the first matching element after the other fields', () => {
    expect(JSON.stringify(project({ grades: { $elemMatch: { g: { $gte: 90 } } }, name: 1 }, doc)))
      .toBe('{"_id":1,"name":"n","grades":[{"g":90,"m":2}]}');
  });
  it('$elemMatch omits the field when nothing matches', () => {
    expect(project({ grades: { $elemMatch: { g: 100 } } }, doc)).toEqual({ _id: 1 });
  });
  it('$elemMatch alone makes an inclusion projection', () => {
    expect(project({ grades: { $elemMatch: { m: 3 } }, _id: 0 }, doc)).toEqual({ grades: [{ g: 95, m: 3 }] });
  });
  it('refuses $elemMatch on a nested field', () => {
    expect(projectionError({ 'a.b': { $elemMatch: { x: 1 } } }).code).toBe(31275);
  });
  it('refuses $elemMatch together with a positional projection', () => {
    expect(projectionError({ 'a.$': 1, b: { $elemMatch: { x: 1 } } }).code).toBe(31255);
  });

  it('keeps the element at the matched position for a positional projection', () => {
    const filter = typed({ 'grades.g': { $gte: 90 } });
    const { position } = compileFilter(filter).matchPosition(typed(doc));
    expect(position).toBe(1);
    expect(project({ 'grades.$': 1 }, doc, position)).toEqual({ _id: 1, grades: [{ g: 90, m: 2 }] });
  });
  it('keeps a positional path with no array unchanged', () => {
    expect(project({ 'name.$': 1 }, doc, undefined)).toEqual({ _id: 1, name: 'n' });
  });
  it('fails with code 51246 when the query matched no array element', () => {
    const err = errorOf(() => compileProjection({ 'grades.$': 1 })(typed(doc), undefined));
    expect(err.code).toBe(51246);
    expect(err.message).toBe("Executor error during find command :: caused by :: positional operator '.$' couldn't find a matching element in the array");
  });
  it('refuses two positional projections', () => {
    expect(projectionError({ 'a.$': 1, 'b.$': 1 }).code).toBe(31276);
  });
  it('refuses a positional exclusion', () => {
    expect(projectionError({ 'a.$': 0 }).code).toBe(31395);
  });
  it('refuses a positional operator in the middle of a path', () => {
    expect(projectionError({ 'a.$.b': 1 }).code).toBe(31394);
  });
});

describe('compileProjection: literals and expressions', () => {
  const doc = { _id: 1, a: new Double(2), b: 3, c: { d: 'x' } };

  it('computes an expression and appends it after the included fields', () => {
    expect(JSON.stringify(project({ x: { $add: ['$b', 1] }, a: 1 }, doc))).toBe('{"_id":1,"a":2,"x":4}');
  });
  it('copies a field path keeping its BSON type', () => {
    const out = compileProjection({ y: '$a' })(typed(doc));
    expect(out.y).toBeInstanceOf(Double);
    expect(out).toEqual({ _id: new Int32(1), y: new Double(2) });
  });
  it('reads a dotted field path', () => {
    expect(project({ y: '$c.d', _id: 0 }, doc)).toEqual({ y: 'x' });
  });
  it('sets a literal string', () => {
    expect(project({ s: 'hello', _id: 0 }, doc)).toEqual({ s: 'hello' });
  });
  it('evaluates an array of expressions', () => {
    expect(project({ arr: ['$b', 'k'], _id: 0 }, doc)).toEqual({ arr: [3, 'k'] });
  });
  it('omits a field path that is missing', () => {
    expect(project({ y: '$nope', _id: 0 }, doc)).toEqual({});
  });
  it('creates the parents of a computed dotted field', () => {
    expect(project({ 'n.m': { $literal: 5 }, _id: 0 }, doc)).toEqual({ n: { m: 5 } });
  });
  it('computes fields inside an included sub-document', () => {
    expect(project({ c: { d: 1, e: { $toUpper: '$c.d' } }, _id: 0 }, doc)).toEqual({ c: { d: 'x', e: 'X' } });
  });
  it('keeps a computed _id first', () => {
    expect(JSON.stringify(project({ b: 1, _id: '$a' }, doc))).toBe('{"_id":2,"b":3}');
  });
  it('refuses an expression in an exclusion projection with code 31252', () => {
    expect(projectionError({ a: 0, x: { $add: [1, 2] } }).code).toBe(31252);
  });
  it('refuses a literal in an exclusion projection with code 31310', () => {
    expect(projectionError({ a: 0, x: 'lit' }).code).toBe(31310);
  });
  it('refuses an unknown expression with code 31325', () => {
    expect(projectionError({ x: { $nope: 1 } }).code).toBe(31325);
  });
  it('reports $meta as unsupported', () => {
    expect(projectionError({ s: { $meta: 'textScore' } }).code).toBe(115);
  });
});
