/**
 * MongoDB 8's bulkWrite command through the official driver's MongoClient.bulkWrite:
 * inserts, updates and deletes across collections in one command, ordered and unordered,
 * verbose results, errors by operation, and every write durable once acknowledged.
 */
import { MongoClientBulkWriteError, MongoServerError, type AnyClientBulkWriteModel, type Document } from 'mongodb';
import { startTestEngine, type TestEngine } from '../helpers/engine';

let t: TestEngine;
let names: { a: string; b: string };

beforeAll(async () => {
  t = await startTestEngine();
});
afterAll(async () => {
  await t.destroy();
});
beforeEach(async () => {
  const suffix = Math.random().toString(36).slice(2);
  names = { a: `a${suffix}`, b: `b${suffix}` };
  await t.db.collection(names.a).createIndex({ k: 1 }, { unique: true });
});

const ns = (name: string) => `test.${name}`;
const models = (writes: AnyClientBulkWriteModel<Document>[]) => writes;

describe('bulkWrite across collections', () => {
  it('runs inserts, updates, upserts and deletes of two collections in order, with per-operation results', async () => {
    await t.db.collection(names.b).insertMany([{ _id: 1 as never, n: 1 }, { _id: 2 as never, n: 2 }, { _id: 3 as never, n: 3 }]);
    const writes: AnyClientBulkWriteModel<Document>[] = [
      { namespace: ns(names.a), name: 'insertOne', document: { _id: 'x' as never, k: 1 } },
      { namespace: ns(names.b), name: 'updateMany', filter: { n: { $gte: 2 } }, update: { $inc: { n: 10 } } },
      { namespace: ns(names.a), name: 'updateOne', filter: { k: 2 }, update: { $set: { v: 'new' } }, upsert: true },
      // Sees the insert before it: the command runs in order.
      { namespace: ns(names.a), name: 'updateOne', filter: { k: 1 }, update: { $set: { v: 'first' } } },
      { namespace: ns(names.b), name: 'replaceOne', filter: { _id: 1 as never }, replacement: { n: 100 } },
      { namespace: ns(names.b), name: 'deleteOne', filter: { n: 12 } },
      { namespace: ns(names.b), name: 'deleteMany', filter: { nothing: true } },
    ];

    const result = await t.client.bulkWrite(writes, { verboseResults: true });

    expect(result).toMatchObject({ insertedCount: 1, matchedCount: 4, modifiedCount: 4, upsertedCount: 1, deletedCount: 1 });
    expect(result.insertResults?.get(0)).toEqual({ insertedId: 'x' });
    expect(result.updateResults?.get(1)).toEqual({ matchedCount: 2, modifiedCount: 2, didUpsert: false });
    expect(result.updateResults?.get(2)).toMatchObject({ matchedCount: 1, modifiedCount: 0, didUpsert: true });
    expect(result.deleteResults?.get(5)).toEqual({ deletedCount: 1 });
    expect(result.deleteResults?.get(6)).toEqual({ deletedCount: 0 });
    expect(await t.db.collection(names.a).find({}, { projection: { _id: 0 } }).sort({ k: 1 }).toArray()).toEqual([
      { k: 1, v: 'first' },
      { k: 2, v: 'new' },
    ]);
    expect(await t.db.collection(names.b).find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, n: 100 }, { _id: 3, n: 13 }]);
  });

  it('stops an ordered command at the first failed write: those before it stay, none after it runs', async () => {
    await t.db.collection(names.a).insertOne({ k: 1 });
    const err = await t.client
      .bulkWrite(models([
        { namespace: ns(names.b), name: 'insertOne', document: { step: 1 } },
        { namespace: ns(names.a), name: 'insertOne', document: { k: 1 } },
        { namespace: ns(names.b), name: 'insertOne', document: { step: 3 } },
      ]))
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(MongoClientBulkWriteError);
    const failed = (err as MongoClientBulkWriteError).writeErrors;
    expect([...failed.keys()]).toEqual([1]);
    expect(failed.get(1)).toMatchObject({ code: 11000, message: expect.stringMatching(/^E11000 duplicate key error collection: test\.a\w+ index: k_1/) });
    expect((err as MongoClientBulkWriteError).partialResult).toMatchObject({ insertedCount: 1 });
    expect(await t.db.collection(names.b).find({}, { projection: { _id: 0 } }).toArray()).toEqual([{ step: 1 }]);
  });

  it('carries on past a failed write when unordered and reports each failure', async () => {
    await t.db.collection(names.a).insertOne({ k: 1 });
    const err = await t.client
      .bulkWrite(
        models([
          { namespace: ns(names.a), name: 'insertOne', document: { k: 1 } },
          { namespace: ns(names.b), name: 'updateOne', filter: {}, update: { $inc: { s: 'text' } as never }, upsert: true },
          { namespace: ns(names.b), name: 'insertOne', document: { step: 3 } },
        ]),
        { ordered: false },
      )
      .catch((e: unknown) => e);

    const failed = (err as MongoClientBulkWriteError).writeErrors;
    expect([...failed.keys()].sort()).toEqual([0, 1]);
    expect(failed.get(1)?.code).toBe(14);
    expect(await t.db.collection(names.b).countDocuments({ step: 3 })).toBe(1);
  });

  it('keeps every acknowledged write across a restart', async () => {
    const dir = t.dbPath;
    await t.client.bulkWrite(models([
      { namespace: ns(names.a), name: 'insertOne', document: { k: 7 } },
      { namespace: ns(names.b), name: 'insertOne', document: { _id: 'kept' as never } },
      { namespace: ns(names.a), name: 'updateOne', filter: { k: 7 }, update: { $set: { done: true } } },
    ]));
    await t.stop();
    t = await startTestEngine(dir);

    expect(await t.db.collection(names.a).findOne({ k: 7 }, { projection: { _id: 0 } })).toEqual({ k: 7, done: true });
    expect(await t.db.collection(names.b).countDocuments({ _id: 'kept' as never })).toBe(1);
  });

  it('refuses the command outside the admin database and a namespace index out of range', async () => {
    const elsewhere = await t.db.command({ bulkWrite: 1, ops: [{ insert: 0, document: { a: 1 } }], nsInfo: [{ ns: ns(names.a) }] }).catch((e: unknown) => e);
    expect(elsewhere).toBeInstanceOf(MongoServerError);
    expect((elsewhere as MongoServerError).code).toBe(13);

    const reply = await t.client.db('admin').command({ bulkWrite: 1, ops: [{ insert: 3, document: { a: 1 } }], nsInfo: [{ ns: ns(names.a) }] });
    expect(reply).toMatchObject({ ok: 1, nErrors: 1, nInserted: 0, cursor: { firstBatch: [{ ok: 0, idx: 0, code: 2 }] } });
  });

  it('is announced by the handshake (wire version 25, MongoDB 8.0)', async () => {
    const hello = await t.client.db('admin').command({ hello: 1 });
    expect(hello.maxWireVersion).toBe(25);
  });
});
