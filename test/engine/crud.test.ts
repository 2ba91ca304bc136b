/**
 * CRUD commands through the official driver: insert, find, update, delete,
 * findAndModify, count and distinct, with MongoDB's reply shapes and error codes.
 */
import { BSON, MongoBulkWriteError, MongoServerError, ObjectId, type Collection, type Document } from 'mongodb';
import { startTestEngine, type TestEngine } from '../helpers/engine';

let t: TestEngine;
let coll: Collection<Document>;

beforeAll(async () => {
  t = await startTestEngine();
});
afterAll(async () => {
  await t.destroy();
});
beforeEach(async () => {
  coll = t.db.collection(`c${Math.random().toString(36).slice(2)}`);
});

describe('insert', () => {
  it('adds an ObjectId _id first when the document has none and returns it', async () => {
    const res = await coll.insertOne({ name: 'Claire' });
    expect(res.insertedId).toBeInstanceOf(ObjectId);
    const raw = await coll.findOne({ name: 'Claire' });
    expect(Object.keys(raw!)).toEqual(['_id', 'name']);
  });

  it('rejects a duplicate _id with E11000 and the key pattern and value', async () => {
    await coll.insertOne({ _id: 7 as never, a: 1 });
    const err = await coll.insertOne({ _id: 7 as never, a: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect((err as MongoServerError).code).toBe(11000);
    expect((err as MongoServerError).message).toMatch(/E11000 duplicate key error collection: test\.\w+ index: _id_ dup key: \{ _id: 7 \}/);
    expect((err as MongoServerError).keyValue).toEqual({ _id: 7 });
  });

  it('stops an ordered batch at the first error and continues an unordered one', async () => {
    const docs = [{ _id: 1 }, { _id: 1 }, { _id: 2 }] as Document[];
    const ordered = await coll.insertMany(docs).catch((e: unknown) => e);
    expect(ordered).toBeInstanceOf(MongoBulkWriteError);
    expect((ordered as MongoBulkWriteError).result.insertedCount).toBe(1);
    expect(await coll.countDocuments()).toBe(1);

    const other = t.db.collection(`u${Date.now()}`);
    const unordered = await other.insertMany(docs, { ordered: false }).catch((e: unknown) => e);
    expect((unordered as MongoBulkWriteError).writeErrors).toHaveLength(1);
    expect(await other.countDocuments()).toBe(2);
  });

  it('refuses an array as _id with code 53', async () => {
    await expect(coll.insertOne({ _id: [1, 2] as never })).rejects.toMatchObject({ code: 53 });
  });
});

describe('find', () => {
  beforeEach(async () => {
    await coll.insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: i as never, n: i, even: i % 2 === 0, tags: [`t${i % 3}`] })));
  });

  it('returns every document across several batches', async () => {
    const all = await coll.find({}, { batchSize: 7 }).toArray();
    expect(all).toHaveLength(250);
    expect(all.map((d) => d.n)).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  it('filters, sorts, skips, limits and projects', async () => {
    const docs = await coll.find({ even: true, n: { $gte: 100 } }).sort({ n: -1 }).skip(2).limit(3).project({ n: 1, _id: 0 }).toArray();
    expect(docs).toEqual([{ n: 244 }, { n: 242 }, { n: 240 }]);
  });

  it('matches array elements implicitly', async () => {
    expect(await coll.countDocuments({ tags: 't1' })).toBe(83);
  });

  it('answers CursorNotFound (43) for a killed cursor', async () => {
    const cursor = coll.find({}, { batchSize: 2 });
    await cursor.next();
    const id = cursor.id!;
    await t.db.command({ killCursors: coll.collectionName, cursors: [id] });
    const err = await t.db.command({ getMore: id, collection: coll.collectionName }).catch((e: MongoServerError) => e);
    expect(err.code).toBe(43);
  });

  it('cuts a batch before the document that would take it past 16 MiB, and hands that document out next', async () => {
    const big = t.db.collection(`big${Math.random().toString(36).slice(2)}`);
    const mib = 1024 * 1024;
    await big.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i as never, pad: String.fromCharCode(97 + i).repeat(mib) })));
    const first = await t.db.command({ find: big.collectionName, sort: { _id: 1 } });
    const firstBatch = first.cursor.firstBatch as Document[];
    expect(firstBatch.length).toBeGreaterThan(0);
    expect(firstBatch.length).toBeLessThan(20);
    const batchBytes = firstBatch.reduce((sum, doc) => sum + BSON.calculateObjectSize(doc), 0);
    expect(batchBytes).toBeLessThanOrEqual(16 * mib);
    // One more document would have gone past the limit.
    expect(batchBytes + mib).toBeGreaterThan(16 * mib - 64 * 1024);
    const more = await t.db.command({ getMore: first.cursor.id, collection: big.collectionName });
    const rest = more.cursor.nextBatch as Document[];
    expect([...firstBatch, ...rest].map((doc) => doc._id)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(rest[0]!.pad).toBe(String.fromCharCode(97 + firstBatch.length).repeat(mib));
    expect(more.cursor.id.toString()).toBe('0');
  });

  it('reports an unknown query operator as BadValue (2)', async () => {
    const err = await coll.findOne({ n: { $bogus: 1 } }).catch((e: MongoServerError) => e);
    expect((err as MongoServerError).code).toBe(2);
  });
});

describe('update', () => {
  it('applies operators to one or many documents and reports matched and modified counts', async () => {
    await coll.insertMany([{ k: 1, v: 1 }, { k: 1, v: 2 }, { k: 2, v: 3 }]);
    const one = await coll.updateOne({ k: 1 }, { $inc: { v: 10 } });
    expect([one.matchedCount, one.modifiedCount]).toEqual([1, 1]);
    const many = await coll.updateMany({ k: 1 }, { $set: { seen: true } });
    expect([many.matchedCount, many.modifiedCount]).toEqual([2, 2]);
    const again = await coll.updateMany({ k: 1 }, { $set: { seen: true } });
    expect([again.matchedCount, again.modifiedCount]).toEqual([2, 0]);
  });

  it('upserts from the equality parts of the filter with $setOnInsert', async () => {
    const res = await coll.updateOne({ email: 'a@b.fr', 'profile.site': 'ABV' }, { $set: { n: 1 }, $setOnInsert: { created: true } }, { upsert: true });
    expect(res.upsertedCount).toBe(1);
    const doc = await coll.findOne({ _id: res.upsertedId! });
    expect(doc).toMatchObject({ email: 'a@b.fr', profile: { site: 'ABV' }, n: 1, created: true });
    await coll.updateOne({ email: 'a@b.fr' }, { $set: { n: 2 }, $setOnInsert: { created: false } }, { upsert: true });
    expect(await coll.findOne({ email: 'a@b.fr' })).toMatchObject({ n: 2, created: true });
  });

  it('replaces a whole document but keeps its _id', async () => {
    const { insertedId } = await coll.insertOne({ a: 1, b: 2 });
    await coll.replaceOne({ _id: insertedId }, { c: 3 });
    expect(await coll.findOne({ _id: insertedId })).toEqual({ _id: insertedId, c: 3 });
  });

  it('updates the matched array element through the positional operator and arrayFilters', async () => {
    const { insertedId } = await coll.insertOne({ grades: [{ g: 80, n: 0 }, { g: 95, n: 0 }, { g: 99, n: 0 }] });
    await coll.updateOne({ _id: insertedId, 'grades.g': 95 }, { $set: { 'grades.$.n': 1 } });
    await coll.updateOne({ _id: insertedId }, { $inc: { 'grades.$[hi].n': 10 } }, { arrayFilters: [{ 'hi.g': { $gte: 95 } }] });
    const doc = await coll.findOne({ _id: insertedId });
    expect(doc!.grades.map((x: Document) => x.n)).toEqual([0, 11, 10]);
  });

  it('runs pipeline updates', async () => {
    const { insertedId } = await coll.insertOne({ a: 2, b: 3 });
    await coll.updateOne({ _id: insertedId }, [{ $set: { sum: { $add: ['$a', '$b'] } } }]);
    expect(await coll.findOne({ _id: insertedId })).toMatchObject({ sum: 5 });
  });

  it('refuses $inc on a string with TypeMismatch (14)', async () => {
    await coll.insertOne({ _id: 1 as never, s: 'x' });
    const err = await coll.updateOne({ _id: 1 as never }, { $inc: { s: 1 } }).catch((e: MongoServerError) => e);
    expect((err as MongoServerError).code).toBe(14);
  });

  it('refuses to change _id with ImmutableField (66)', async () => {
    await coll.insertOne({ _id: 1 as never });
    const err = await coll.updateOne({ _id: 1 as never }, { $set: { _id: 2 } }).catch((e: MongoServerError) => e);
    expect((err as MongoServerError).code).toBe(66);
  });

  it('refuses an unknown modifier with FailedToParse (9)', async () => {
    const err = await coll.updateOne({}, { $bogus: { a: 1 } } as never).catch((e: MongoServerError) => e);
    expect((err as MongoServerError).code).toBe(9);
  });
});

describe('delete', () => {
  it('deletes one or many and reports the count', async () => {
    await coll.insertMany([{ k: 1 }, { k: 1 }, { k: 1 }, { k: 2 }]);
    expect((await coll.deleteOne({ k: 1 })).deletedCount).toBe(1);
    expect((await coll.deleteMany({ k: 1 })).deletedCount).toBe(2);
    expect(await coll.countDocuments()).toBe(1);
  });
});

describe('findAndModify', () => {
  it('returns the document before or after the change', async () => {
    await coll.insertMany([{ q: 1, v: 1 }, { q: 1, v: 2 }]);
    const before = await coll.findOneAndUpdate({ q: 1 }, { $inc: { v: 100 } }, { sort: { v: -1 } });
    expect(before!.v).toBe(2);
    const after = await coll.findOneAndUpdate({ q: 1 }, { $inc: { v: 1 } }, { sort: { v: 1 }, returnDocument: 'after', projection: { _id: 0 } });
    expect(after).toEqual({ q: 1, v: 2 });
  });

  it('upserts and removes', async () => {
    const up = await coll.findOneAndUpdate({ key: 'x' }, { $set: { n: 1 } }, { upsert: true, returnDocument: 'after', includeResultMetadata: true });
    expect(up.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false });
    expect(up.value).toMatchObject({ key: 'x', n: 1 });
    const removed = await coll.findOneAndDelete({ key: 'x' });
    expect(removed).toMatchObject({ key: 'x' });
    expect(await coll.countDocuments()).toBe(0);
  });

  it('claims each document once when many clients race for it', async () => {
    await coll.insertMany(Array.from({ length: 40 }, (_, i) => ({ i, state: 'due' })));
    const claims = await Promise.all(
      Array.from({ length: 60 }, () => coll.findOneAndUpdate({ state: 'due' }, { $set: { state: 'claimed' } })),
    );
    const claimed = claims.filter(Boolean).map((d) => d!.i);
    expect(claimed).toHaveLength(40);
    expect(new Set(claimed).size).toBe(40);
  });
});

describe('count and distinct', () => {
  it('counts with a query, skip and limit', async () => {
    await coll.insertMany(Array.from({ length: 10 }, (_, i) => ({ i })));
    const res = await t.db.command({ count: coll.collectionName, query: { i: { $gte: 2 } }, skip: 1, limit: 5 });
    expect(res.n).toBe(5);
    expect(await coll.estimatedDocumentCount()).toBe(10);
  });

  it('returns distinct values with arrays flattened', async () => {
    await coll.insertMany([{ s: 'ABV' }, { s: ['CAS', 'ABV'] }, { s: 'DRX' }, { x: 1 }]);
    expect(await coll.distinct('s')).toEqual(['ABV', 'CAS', 'DRX']);
  });
});
