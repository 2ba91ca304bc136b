/**
 * Unit tests of the embedded engine's index structures: the order-preserving key encoding,
 * key extraction (compound, multikey, parallel arrays, sparse, partial), unique conflicts and
 * MongoDB's E11000 error.
 */
import { Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import { MongoServerError } from '../../server/db/embedded/errors';
import { Index } from '../../server/db/embedded/indexes/index';
import { EMPTY_ARRAY_KEY, NULL_KEY, encodeCompoundKey, encodeKey, idKey } from '../../server/db/embedded/indexes/key-encoding';
import { compareValues } from '../../server/db/embedded/query/values';
import { pick, randomNumber, randomValue, seeded } from './indexes-gen';

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
const strcmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function thrown(fn: () => unknown): MongoServerError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MongoServerError) return err;
    throw err;
  }
  throw new Error('expected a MongoServerError');
}

describe('encodeKey', () => {
  test('random mixed-type values sorted with compareValues have non-decreasing keys, equal ones identical keys', () => {
    const rng = seeded(20240601);
    for (let round = 0; round < 50; round++) {
      // Boxed, because Array#sort moves undefined to the end without asking the comparator.
      const values = [...Array(200)].map(() => ({ v: randomValue(rng) })).sort((x, y) => compareValues(x.v, y.v)).map((x) => x.v);
      for (let i = 1; i < values.length; i++) {
        const c = compareValues(values[i - 1], values[i]);
        const [a, b] = [encodeKey(values[i - 1]), encodeKey(values[i])];
        if (c === 0) expect(a).toBe(b);
        else expect(a < b).toBe(true);
      }
    }
  });

  test('every pair of random values compares like its keys', () => {
    const rng = seeded(42);
    for (let i = 0; i < 30000; i++) {
      const [a, b] = rng() < 0.5 ? [randomNumber(rng), randomNumber(rng)] : [randomValue(rng), randomValue(rng)];
      expect([a, b, strcmp(encodeKey(a), encodeKey(b))]).toEqual([a, b, sign(compareValues(a, b))]);
    }
  });

  test('equal numbers of every numeric type share one key', () => {
    const one = [1, new Int32(1), new Double(1), Long.fromInt(1), Decimal128.fromString('1.0'), Decimal128.fromString('1.000')];
    expect(new Set(one.map(encodeKey)).size).toBe(1);
    expect(encodeKey(-0)).toBe(encodeKey(0));
    expect(encodeKey(Decimal128.fromString('-0'))).toBe(encodeKey(0));
    expect(encodeKey(null)).toBe(encodeKey(undefined));
    expect(encodeKey(null)).toBe(NULL_KEY);
  });

  test('NaN sorts below every other number and Infinity above', () => {
    expect(encodeKey(NaN) < encodeKey(-Infinity)).toBe(true);
    expect(encodeKey(Decimal128.fromString('NaN'))).toBe(encodeKey(NaN));
    expect(encodeKey(Decimal128.fromString('9.9E+6144')) < encodeKey(Infinity)).toBe(true);
    expect(encodeKey(Number.MAX_VALUE) < encodeKey(Decimal128.fromString('9.9E+6144'))).toBe(true);
  });

  test('Int64 values beyond double precision keep distinct, ordered keys', () => {
    const longs = ['9007199254740992', '9007199254740993', '9007199254740994'].map((s) => Long.fromString(s));
    const keys = longs.map(encodeKey);
    expect(keys[0] < keys[1] && keys[1] < keys[2]).toBe(true);
    expect(keys[0]).toBe(encodeKey(2 ** 53));
    expect(idKey(longs[1])).not.toBe(idKey(2 ** 53));
  });

  test('strings order by UTF-8 bytes, with escaped low characters and private-use characters before emoji', () => {
    const ordered = ['', 'a', 'a\u0000', 'a\u0000b', 'a\u0001', 'a\u0002', 'ab', '\uD7FE', '\uD7FF', '\uE000', '\uFFFF', '😀'];
    const keys = ordered.map(encodeKey);
    for (let i = 1; i < keys.length; i++) expect(keys[i - 1] < keys[i]).toBe(true);
  });

  test('id keys are well-formed strings without NUL characters', () => {
    const rng = seeded(7);
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    for (let i = 0; i < 5000; i++) {
      const key = idKey(randomValue(rng));
      expect(key.includes('\u0000')).toBe(false);
      expect(loneSurrogate.test(key)).toBe(false);
    }
  });

  test('compound keys order like tuples, a -1 direction reversing its component', () => {
    const rng = seeded(99);
    for (let i = 0; i < 20000; i++) {
      const a = [randomValue(rng, 1), randomValue(rng, 1)];
      const b = [rng() < 0.5 ? a[0] : randomValue(rng, 1), randomValue(rng, 1)];
      const dirs = [pick(rng, [1, -1]), pick(rng, [1, -1])];
      const expected = sign(sign(compareValues(a[0], b[0])) * dirs[0] || sign(compareValues(a[1], b[1])) * dirs[1]);
      expect(strcmp(encodeCompoundKey(a, dirs), encodeCompoundKey(b, dirs))).toBe(expected);
    }
  });
});

describe('Index keys', () => {
  test('a compound index concatenates its fields, missing ones as null', () => {
    const index = new Index({ key: { a: 1, b: -1 }, name: 'a_1_b_-1' });
    expect(index.keysOf({ a: 1, b: 'x' })).toEqual([encodeCompoundKey([1, 'x'], [1, -1])]);
    expect(index.keysOf({ a: 1 })).toEqual([encodeCompoundKey([1, null], [1, -1])]);
  });

  test('an array gives one key per distinct element and makes the index multikey', () => {
    const index = new Index({ key: { tags: 1 }, name: 'tags_1' });
    expect(index.keysOf({ tags: ['a', 'b', 'a'] }).sort()).toEqual([encodeKey('a'), encodeKey('b')].sort());
    expect(index.multikey).toBe(false);
    index.add('1', { tags: ['a', 'b'] });
    expect(index.multikey).toBe(true);
    expect(index.size).toBe(2);
  });

  test('a dotted path reads through arrays of sub-documents, a missing field as null', () => {
    const index = new Index({ key: { 'a.b': 1 }, name: 'a.b_1' });
    const keys = index.keysOf({ a: [{ b: 1 }, { b: [2, 3] }, {}, 5] });
    expect(keys.sort()).toEqual([1, 2, 3, null].map(encodeKey).sort());
    expect(index.keysOf({ a: { b: [[1]] } })).toEqual([encodeKey([1])]);
  });

  test('an empty array has its own key, apart from null', () => {
    const index = new Index({ key: { a: 1 }, name: 'a_1' });
    expect(index.keysOf({ a: [] })).toEqual([EMPTY_ARRAY_KEY]);
    expect(EMPTY_ARRAY_KEY).not.toBe(NULL_KEY);
  });

  test('two arrays in one compound key are parallel arrays (171)', () => {
    const index = new Index({ key: { a: 1, b: 1 }, name: 'a_1_b_1' });
    const err = thrown(() => index.keysOf({ a: [1], b: [2] }));
    expect([err.code, err.codeName, err.message]).toEqual([171, 'CannotIndexParallelArrays', 'cannot index parallel arrays [b] [a]']);
  });

  test('paths through one shared array index each element once', () => {
    const index = new Index({ key: { 'a.b': 1, 'a.c': 1 }, name: 'ab_ac' });
    const keys = index.keysOf({ a: [{ b: 1, c: 2 }, { b: 3, c: 4 }] });
    expect(keys.sort()).toEqual([encodeCompoundKey([1, 2]), encodeCompoundKey([3, 4])].sort());
  });

  test('a sparse index leaves out documents missing every key field, not those holding null', () => {
    const index = new Index({ key: { a: 1, b: 1 }, name: 'ab', sparse: true });
    expect(index.keysOf({ c: 1 })).toEqual([]);
    expect(index.keysOf({ b: 2 })).toEqual([encodeCompoundKey([null, 2])]);
    const single = new Index({ key: { a: 1 }, name: 'a_1', sparse: true });
    expect(single.keysOf({ a: null })).toEqual([NULL_KEY]);
  });

  test('a partial index leaves out documents its filter rejects', () => {
    const index = new Index({ key: { a: 1 }, name: 'a_1', partialFilterExpression: { b: { $gt: 1 } } }, { partialFilter: (doc) => Number(doc.b) > 1 });
    expect(index.keysOf({ a: 1, b: 0 })).toEqual([]);
    expect(index.keysOf({ a: 1, b: 2 })).toEqual([encodeKey(1)]);
    expect(thrown(() => new Index({ key: { a: 1 }, name: 'p', partialFilterExpression: { b: 1 } })).codeName).toBe('InternalError');
  });

  test('hashed indexes look values up by equality and refuse arrays', () => {
    const index = new Index({ key: { a: 'hashed' }, name: 'a_hashed' });
    index.add('1', { a: 'x' });
    expect([...index.lookupEq(['x'])]).toEqual(['1']);
    expect(thrown(() => index.keysOf({ a: [1] })).code).toBe(16766);
  });

  test('text, geo and wildcard indexes are refused as unsupported', () => {
    for (const [key, what] of [[{ a: 'text' }, 'text indexes'], [{ a: '2dsphere' }, '2dsphere indexes'], [{ '$**': 1 }, 'wildcard indexes']] as const) {
      const err = thrown(() => new Index({ key, name: 'x' }));
      expect(err.codeName).toBe('CommandNotSupported');
      expect(err.message.startsWith(`${what} is not supported`)).toBe(true);
    }
  });

  test('remove takes back what add put in', () => {
    const index = new Index({ key: { a: 1 }, name: 'a_1' });
    index.add('1', { a: [1, 2] });
    index.add('2', { a: 1 });
    index.remove('1', { a: [1, 2] });
    expect([...index.lookupEq([1])]).toEqual(['2']);
    expect([...index.lookupEq([2])]).toEqual([]);
    expect([index.size, index.keyCount]).toEqual([1, 1]);
  });
});

describe('unique indexes', () => {
  const ns = 'db.users';

  test('a document holding an existing key conflicts, except with itself', () => {
    const index = new Index({ key: { email: 1 }, name: 'email_1', unique: true });
    index.add('1', { email: 'x' });
    expect(index.conflicts({ email: 'x' })).toBe('1');
    expect(index.conflicts({ email: 'x' }, '1')).toBeUndefined();
    expect(index.conflicts({ email: 'y' })).toBeUndefined();
  });

  test('two documents without the field conflict, unless the index is sparse', () => {
    const index = new Index({ key: { email: 1 }, name: 'email_1', unique: true });
    index.add('1', {});
    expect(index.conflicts({})).toBe('1');
    expect(index.conflicts({ email: null })).toBe('1');
    const sparse = new Index({ key: { email: 1 }, name: 'email_1', unique: true, sparse: true });
    sparse.add('1', {});
    expect(sparse.conflicts({})).toBeUndefined();
  });

  test('array elements conflict with other documents, not within one document', () => {
    const index = new Index({ key: { tags: 1 }, name: 'tags_1', unique: true });
    expect(index.conflicts({ tags: ['a', 'a'] })).toBeUndefined();
    index.add('1', { tags: ['a', 'b'] });
    expect(index.conflicts({ tags: ['c', 'b'] })).toBe('1');
  });

  test('the E11000 error names the collection, index and duplicate key as mongod does', () => {
    const index = new Index({ key: { email: 1 }, name: 'email_1', unique: true });
    index.add('1', { email: 'x' });
    const err = index.duplicateKeyError(ns, { email: 'x' });
    expect([err.code, err.codeName]).toEqual([11000, 'DuplicateKey']);
    expect(err.message).toBe('E11000 duplicate key error collection: db.users index: email_1 dup key: { email: "x" }');
    expect(err.extra).toEqual({ keyPattern: { email: 1 }, keyValue: { email: 'x' } });
  });

  test('the E11000 key shows the colliding element, nulls for missing fields and BSON types as mongod prints them', () => {
    const compound = new Index({ key: { a: 1, b: 1 }, name: 'a_1_b_1', unique: true });
    compound.add('1', { a: new Int32(1) });
    expect(compound.duplicateKeyError(ns, { a: 1 }).message).toMatch(/dup key: \{ a: 1, b: null \}$/);
    const tags = new Index({ key: { tags: 1 }, name: 'tags_1', unique: true });
    tags.add('1', { tags: ['a', 'b'] });
    expect(tags.duplicateKeyError(ns, { tags: ['c', 'b'] }).extra.keyValue).toEqual({ tags: 'b' });
    const id = new ObjectId('65a1b2c3d4e5f60718293a4b');
    const values = new Index({ key: { _id: 1 }, name: '_id_' });
    expect(values.duplicateKeyError(ns, { _id: id }).message).toMatch(/dup key: \{ _id: ObjectId\('65a1b2c3d4e5f60718293a4b'\) \}$/);
    const misc = new Index({ key: { d: 1, x: 1, y: 1 }, name: 'dxy', unique: true });
    expect(misc.duplicateKeyError(ns, { d: new Date(0), x: new Double(1), y: 1.5 }).message).toMatch(/dup key: \{ d: new Date\(0\), x: 1\.0, y: 1\.5 \}$/);
  });
});
