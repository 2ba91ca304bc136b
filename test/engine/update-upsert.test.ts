/**
 * Unit tests of upserts: the seed document built from a query's equalities, and the
 * update applied to it as an insert ($setOnInsert, _id rules, `$` fields).
 */
import { EJSON, Int32, ObjectId } from 'bson';
import { applyUpdate, upsertSeed } from '../../server/db/embedded/query/update';
import type { Doc } from '../../server/db/embedded/query/values';
import { errorOf } from '../helpers/errors';

const i = (n: number): Int32 => new Int32(n);
const ej = (v: unknown): string => EJSON.stringify(v as Doc, { relaxed: false });
const NOW = new Date('2024-05-01T10:00:00Z');

describe('upserts', () => {
  it('seeds from equality fields, $eq, $and, single-value $in and dotted paths', () => {
    const oid = new ObjectId();
    const seed = upsertSeed({ _id: oid, 'a.b': i(1), c: { $gt: 1 }, $and: [{ d: { $eq: 'x' } }], e: { $in: [i(7)] }, f: { $in: [1, 2] }, g: /re/ });
    expect(ej(seed)).toBe(ej({ _id: oid, a: { b: i(1) }, d: 'x', e: i(7) }));
  });

  it('takes a one-clause $or and ignores a longer one', () => {
    expect(upsertSeed({ $or: [{ a: 1 }] })).toEqual({ a: 1 });
    expect(upsertSeed({ $or: [{ a: 1 }, { b: 2 }] })).toEqual({});
  });

  it('only seeds _id for a replacement update', () => {
    expect(upsertSeed({ _id: 5, a: 1 }, { b: 2 })).toEqual({ _id: 5 });
    expect(upsertSeed({ _id: 5, a: 1 }, { $set: { b: 2 } })).toEqual({ _id: 5, a: 1 });
  });

  it('rejects a path matched twice or with its prefix', () => {
    expect(errorOf(() => upsertSeed({ $and: [{ a: 1 }, { a: 2 }] })).message).toBe("cannot infer query fields to set, path 'a' is matched twice");
    const e = errorOf(() => upsertSeed({ a: { b: 1 }, 'a.b': 1 }));
    expect([e.code, e.message]).toEqual([54, "cannot infer query fields to set, both paths 'a.b' and 'a' are matched"]);
  });

  it('applies $setOnInsert and the update on insert, with _id first', () => {
    const seed = upsertSeed({ name: 'n', _id: i(3) });
    const { doc } = applyUpdate(seed, { $set: { a: i(1) }, $setOnInsert: { created: NOW } }, { isInsert: true, now: NOW });
    expect(Object.keys(doc)).toEqual(['_id', 'name', 'a', 'created']);
  });

  it('allows setting _id on insert when the query had none, but not changing a seeded one', () => {
    expect(applyUpdate({ a: 1 }, { $set: { _id: i(9) } }, { isInsert: true }).doc._id).toEqual(i(9));
    expect(errorOf(() => applyUpdate({ _id: i(1) }, { $set: { _id: i(2) } }, { isInsert: true })).code).toBe(66);
  });

  it('allows top-level $ fields on insert and rejects an array _id', () => {
    expect(applyUpdate({}, { $set: { $price: 1 } }, { isInsert: true }).doc.$price).toBe(1);
    expect(errorOf(() => applyUpdate({}, { $set: { _id: [1] } }, { isInsert: true })).code).toBe(54);
  });

  it('fails the positional operator on insert', () => {
    expect(errorOf(() => applyUpdate({ a: [1] }, { $set: { 'a.$': 2 } }, { isInsert: true })).code).toBe(2);
  });
});
