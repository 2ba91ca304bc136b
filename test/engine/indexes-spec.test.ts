/**
 * createIndexes spec validation: option names and types, key patterns, the _id index, TTL
 * options and conflicts with existing indexes, with mongod's codes and messages.
 */
import { Int32 } from 'bson';
import { MongoServerError } from '../../server/db/embedded/errors';
import { validateIndexSpec, type IndexSpec } from '../../server/db/embedded/indexes/index';
import type { Doc } from '../../server/db/embedded/query/values';

const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

function failure(spec: Doc, existing: IndexSpec[] = [ID_INDEX]): { code: number; codeName: string; message: string } {
  try {
    validateIndexSpec(spec, existing);
  } catch (err) {
    if (err instanceof MongoServerError) return { code: err.code, codeName: err.codeName, message: err.message };
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(spec)} to be refused`);
}

describe('validateIndexSpec', () => {
  test('a valid spec comes back in listIndexes form with v: 2 first', () => {
    const { spec, exists } = validateIndexSpec({ key: { email: 1 }, name: 'email_1', unique: true, hidden: false }, [ID_INDEX]);
    expect(exists).toBe(false);
    expect(spec).toEqual({ v: 2, key: { email: 1 }, name: 'email_1', unique: true });
    expect(Object.keys(spec)).toEqual(['v', 'key', 'name', 'unique']);
  });

  test('an identical index already existing makes the request a no-op, whatever the number types', () => {
    const existing = [ID_INDEX, { v: 2, key: { a: 1, b: -1 }, name: 'a_1_b_-1' }];
    expect(validateIndexSpec({ key: { a: new Int32(1), b: -1.0 }, name: 'a_1_b_-1' }, existing).exists).toBe(true);
  });

  test('the _id index exists under any name, and only as {_id: 1}', () => {
    expect(validateIndexSpec({ key: { _id: 1 }, name: 'myid' }, [ID_INDEX]).exists).toBe(true);
    expect(failure({ key: { _id: -1 }, name: '_id_-1' })).toEqual({
      code: 2, codeName: 'BadValue', message: "The field 'key' for an _id index must be {_id: 1}, but got { _id: -1 }",
    });
    expect(failure({ key: { _id: 1 }, name: '_id_', sparse: true })).toEqual({
      code: 197, codeName: 'InvalidIndexSpecificationOption',
      message: 'The field \'sparse\' is not valid for an _id index specification. Specification: { key: { _id: 1 }, name: "_id_", sparse: true, v: 2 }',
    });
    expect(failure({ key: { a: 1 }, name: '_id_' }).message).toBe(
      "The index name '_id_' is reserved for the _id index, which must have key pattern {_id: 1}, found key: { a: 1 }",
    );
    expect(failure({ key: { s: 1 }, name: '*' })).toEqual({ code: 2, codeName: 'BadValue', message: "The index name '*' is not valid." });
  });

  test('the same key under another name is IndexOptionsConflict (85)', () => {
    const existing = [ID_INDEX, { v: 2, key: { a: 1 }, name: 'a_1' }];
    expect(failure({ key: { a: 1 }, name: 'a_2' }, existing)).toEqual({
      code: 85, codeName: 'IndexOptionsConflict', message: 'Index already exists with a different name: a_1',
    });
    expect(failure({ key: { a: 1 }, name: 'a_2', expireAfterSeconds: 5 }, existing).message).toMatch(
      /^An equivalent index already exists with a different name and options\. Requested index: \{ key: \{ a: 1 \}, name: "a_2", expireAfterSeconds: 5, v: 2 \}, existing index: \{ v: 2, key: \{ a: 1 \}, name: "a_1" \}$/,
    );
  });

  test('the same name with another key is IndexKeySpecsConflict (86), with other options 85', () => {
    const existing = [ID_INDEX, { v: 2, key: { a: 1 }, name: 'a_1' }];
    const keys = failure({ key: { a: -1 }, name: 'a_1' }, existing);
    expect([keys.code, keys.codeName]).toEqual([86, 'IndexKeySpecsConflict']);
    expect(keys.message.startsWith('An existing index has the same name as the requested index.')).toBe(true);
    const unique = failure({ key: { a: 1 }, name: 'a_1', unique: true }, existing);
    expect(unique.code).toBe(86);
    const ttl = failure({ key: { a: 1 }, name: 'a_1', expireAfterSeconds: 10 }, existing);
    expect([ttl.code, ttl.message.split('.')[0]]).toEqual([85, 'An equivalent index already exists with the same name but different options']);
  });

  test('indexes on one key may differ by unique, sparse or partial filter', () => {
    const existing = [ID_INDEX, { v: 2, key: { a: 1 }, name: 'a_1' }];
    expect(validateIndexSpec({ key: { a: 1 }, name: 'a_unique', unique: true }, existing).exists).toBe(false);
    expect(validateIndexSpec({ key: { a: 1 }, name: 'a_partial', partialFilterExpression: { b: { $gt: 1 } } }, existing).exists).toBe(false);
  });

  test('unknown options and malformed keys get mongod\'s errors, quoted with the spec', () => {
    expect(failure({ key: { u: 1 }, bogus: true, name: 'u_1' })).toEqual({
      code: 197, codeName: 'InvalidIndexSpecificationOption',
      message: 'Error in specification { key: { u: 1 }, bogus: true, name: "u_1" } :: caused by :: The field \'bogus\' is not valid for an index specification. Specification: { key: { u: 1 }, bogus: true, name: "u_1" }',
    });
    expect(failure({ key: { z: 0 }, name: 'z_0' })).toEqual({
      code: 67, codeName: 'CannotCreateIndex',
      message: 'Error in specification { key: { z: 0 }, name: "z_0" } :: caused by :: Values in the index key pattern cannot be 0.',
    });
    expect(failure({ key: {}, name: 'e' }).message).toMatch(/:: caused by :: Index keys cannot be empty\.$/);
    expect(failure({ key: { '': 1 }, name: 'ef' }).message).toBe('Error in specification { key: { : 1 }, name: "ef" } :: caused by :: Index keys cannot be an empty field.');
    expect(failure({ key: { $x: 1 }, name: 'dx' }).message).toMatch(/Index key contains an illegal field name: field name starts with '\$'\.$/);
    expect(failure({ key: { a: 'nope' }, name: 'n' }).message).toMatch(/Unknown index plugin 'nope'$/);
    expect(failure({ key: { a: true }, name: 'b' }).message).toMatch(/Values in v:2 index key pattern cannot be of type bool\. Only numbers > 0, numbers < 0, and strings are allowed\.$/);
  });

  test('missing or mistyped key, name and flags are refused', () => {
    expect(failure({ name: 'x' })).toMatchObject({ code: 9, message: expect.stringMatching(/The 'key' field is a required property of an index specification$/) });
    expect(failure({ key: { a: 1 } })).toMatchObject({ code: 9 });
    expect(failure({ key: 5, name: 'x' })).toMatchObject({ code: 14, message: expect.stringMatching(/The field 'key' must be an object, but got int$/) });
    expect(failure({ key: { a: 1 }, name: 'x', unique: 'yes' })).toMatchObject({ code: 14, message: expect.stringContaining('which is not convertible to bool') });
    expect(failure({ key: { n: 1 }, name: '' }).message).toBe('Error in specification { key: { n: 1 }, name: "", v: 2 } :: caused by :: index name cannot be empty');
  });

  test('TTL options must be a 32-bit, non-negative number on a single field', () => {
    expect(failure({ key: { w: 1 }, expireAfterSeconds: -1, name: 'w_1' })).toEqual({
      code: 67, codeName: 'CannotCreateIndex',
      message: ". Index spec: { key: { w: 1 }, expireAfterSeconds: -1, name: \"w_1\" } :: caused by :: TTL index 'expireAfterSeconds' option cannot be less than 0",
    });
    expect(failure({ key: { w: 1, a: 1 }, expireAfterSeconds: 10, name: 'w_1_a_1' }).message).toBe(
      'TTL indexes are single-field indexes, compound indexes do not support TTL. Index spec: { key: { w: 1, a: 1 }, expireAfterSeconds: 10, name: "w_1_a_1" }',
    );
    expect(failure({ key: { w: 1 }, expireAfterSeconds: 'soon', name: 'w' }).message).toMatch(/must be numeric, but received a type of 'string'$/);
    expect(failure({ key: { w: 1 }, expireAfterSeconds: 1e10, name: 'w' }).message).toMatch(/must be within the range of a 32-bit integer$/);
    expect(validateIndexSpec({ key: { w: 1 }, expireAfterSeconds: 3600, name: 'w_1' }, [ID_INDEX]).spec.expireAfterSeconds).toBe(3600);
  });

  test('partial filters exclude sparse and accept only the operators mongod indexes', () => {
    expect(failure({ key: { p: 1 }, sparse: true, partialFilterExpression: { a: 1 }, name: 'p_1' }).message).toBe(
      'Error in specification { key: { p: 1 }, sparse: true, partialFilterExpression: { a: 1 }, name: "p_1", v: 2 } :: caused by :: cannot mix "partialFilterExpression" and "sparse" options',
    );
    expect(failure({ key: { p: 1 }, partialFilterExpression: { a: { $ne: 1 } }, name: 'p_1' })).toMatchObject({ code: 67, message: expect.stringContaining('unsupported expression in partial index') });
    expect(failure({ key: { p: 1 }, partialFilterExpression: { a: { $exists: false } }, name: 'p_1' }).code).toBe(67);
    const ok = { $and: [{ a: { $exists: true } }, { b: { $gte: 5, $type: 'number' } }], $or: [{ c: 1 }, { d: { $in: [1, 2] } }] };
    expect(validateIndexSpec({ key: { p: 1 }, partialFilterExpression: ok, name: 'p_1' }, [ID_INDEX]).exists).toBe(false);
  });

  test('hashed indexes cannot be unique, and index types the engine lacks are unsupported', () => {
    expect(failure({ key: { a: 'hashed' }, name: 'h', unique: true }).code).toBe(16764);
    expect(validateIndexSpec({ key: { a: 'hashed' }, name: 'h' }, [ID_INDEX]).exists).toBe(false);
    expect(failure({ key: { t: 'text' }, name: 't_text' })).toMatchObject({ code: 115, codeName: 'CommandNotSupported' });
    expect(failure({ key: { a: 1 }, name: 'c', collation: { locale: 'fr' } }).code).toBe(115);
    expect(validateIndexSpec({ key: { a: 1 }, name: 'c', collation: { locale: 'simple' } }, [ID_INDEX]).spec).toEqual({ v: 2, key: { a: 1 }, name: 'c' });
  });
});
