/**
 * Catalog commands through the driver: create, drop, listCollections,
 * renameCollection, collStats, dbStats, listDatabases, dropDatabase; and the
 * features the engine refuses with CommandNotSupported instead of a wrong answer.
 */
import { MongoServerError } from 'mongodb';
import { startTestEngine, type TestEngine } from '../helpers/engine';

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine(undefined, 'catalog');
});
afterAll(async () => {
  await t.destroy();
});

describe('collections', () => {
  it('creates a collection once and answers NamespaceExists (48) the second time', async () => {
    await t.db.createCollection('sites');
    const err = await t.db.command({ create: 'sites' }).catch((e: MongoServerError) => e);
    expect((err as MongoServerError).code).toBe(48);
  });

  it('lists collections with their options and filters by name', async () => {
    await t.db.createCollection('queues');
    const all = await t.db.listCollections().toArray();
    expect(all.map((c) => c.name)).toEqual(expect.arrayContaining(['sites', 'queues']));
    const one = await t.db.listCollections({ name: 'queues' }).toArray();
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({ name: 'queues', type: 'collection', idIndex: { name: '_id_' } });
  });

  it('renames a collection, keeping documents and indexes', async () => {
    const c = t.db.collection('before');
    await c.createIndex({ a: 1 });
    await c.insertMany([{ a: 1 }, { a: 2 }]);
    await c.rename('after');
    const renamed = t.db.collection('after');
    expect(await renamed.countDocuments()).toBe(2);
    expect((await renamed.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'a_1']);
    expect((await t.db.listCollections({ name: 'before' }).toArray())).toHaveLength(0);
  });

  it('refuses to rename onto an existing collection without dropTarget', async () => {
    await t.db.collection('r1').insertOne({ x: 1 });
    await t.db.collection('r2').insertOne({ x: 2 });
    await expect(t.db.collection('r1').rename('r2')).rejects.toMatchObject({ code: 48 });
    await t.db.collection('r1').rename('r2', { dropTarget: true });
    expect(await t.db.collection('r2').findOne({}, { projection: { _id: 0 } })).toEqual({ x: 1 });
  });

  it('drops a collection and reports a missing one as NamespaceNotFound (26)', async () => {
    await t.db.collection('gone').insertOne({});
    expect(await t.db.collection('gone').drop()).toBe(true);
    const err = await t.db.command({ drop: 'gone' }).catch((e: MongoServerError) => e);
    expect((err as MongoServerError).code).toBe(26);
  });

  it('reports collection and database statistics', async () => {
    const c = t.db.collection('stats');
    await c.insertMany([{ a: 1 }, { a: 2 }, { a: 3 }]);
    const stats = await t.db.command({ collStats: 'stats' });
    expect(stats).toMatchObject({ ns: 'catalog.stats', count: 3, nindexes: 1 });
    expect(stats.size).toBeGreaterThan(0);
    const db = await t.db.stats();
    expect(db.db).toBe('catalog');
    expect(db.objects).toBeGreaterThanOrEqual(3);
  });
});

describe('databases', () => {
  it('lists databases and drops one', async () => {
    const other = t.client.db('scratch');
    await other.collection('x').insertOne({ a: 1 });
    const { databases } = await t.db.admin().listDatabases();
    expect(databases.map((d) => d.name)).toEqual(expect.arrayContaining(['catalog', 'scratch']));
    await other.dropDatabase();
    const after = await t.db.admin().listDatabases({ nameOnly: true });
    expect(after.databases.map((d) => d.name)).not.toContain('scratch');
  });
});

describe('unsupported features', () => {
  it.each([
    ['capped collections', { create: 'capped', capped: true, size: 1024 }],
    ['time-series collections', { create: 'ts', timeseries: { timeField: 't' } }],
    ['collation', { find: 'sites', filter: {}, collation: { locale: 'fr', strength: 1 } }],
    ['$text', { find: 'sites', filter: { $text: { $search: 'abbeville' } } }],
  ])('refuses %s with code 115 and a pointer to MongoDB', async (_name, cmd) => {
    const err = await t.db.command(cmd).catch((e: MongoServerError) => e);
    expect((err as MongoServerError).code).toBe(115);
    expect((err as MongoServerError).message).toMatch(/embedded engine.*MONGODB_URI/);
  });

  it('behaves like a standalone MongoDB for transactions: the same refusal, nothing written', async () => {
    const session = t.client.startSession();
    try {
      session.startTransaction();
      await expect(t.db.collection('txn').insertOne({ a: 1 }, { session })).rejects.toThrow(/does not support retryable writes/);
      expect(await t.db.collection('txn').countDocuments()).toBe(0);
    } finally {
      await session.endSession();
    }
  });

  it('answers an unknown command with CommandNotFound (59)', async () => {
    const err = await t.db.command({ frobnicate: 1 }).catch((e: MongoServerError) => e);
    expect((err as MongoServerError).code).toBe(59);
  });
});
