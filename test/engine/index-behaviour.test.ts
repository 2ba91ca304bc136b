/**
 * Index behaviour through the driver: unique, compound, sparse, partial and TTL indexes,
 * index management commands and their errors, and lookups that do not scan.
 */
import { MongoServerError, type Collection, type Document } from 'mongodb';
import { startTestEngine, type TestEngine } from '../helpers/engine';

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine();
});
afterAll(async () => {
  await t.destroy();
});

function fresh(): Collection<Document> {
  return t.db.collection(`i${Math.random().toString(36).slice(2)}`);
}

async function scanned(): Promise<number> {
  const status = await t.db.admin().command({ serverStatus: 1 });
  return status.metrics.queryExecutor.scannedObjects as number;
}

describe('unique indexes', () => {
  it('rejects a second document with the same key and names the index', async () => {
    const c = fresh();
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ email: 'claire@example.fr' });
    const err = await c.insertOne({ email: 'claire@example.fr' }).catch((e: MongoServerError) => e);
    expect((err as MongoServerError).code).toBe(11000);
    expect((err as MongoServerError).message).toContain('index: email_1 dup key: { email: "claire@example.fr" }');
    expect((err as MongoServerError).keyPattern).toEqual({ email: 1 });
  });

  it('treats two documents without the field as duplicates (null) unless sparse', async () => {
    const c = fresh();
    await c.createIndex({ code: 1 }, { unique: true });
    await c.insertOne({ a: 1 });
    await expect(c.insertOne({ a: 2 })).rejects.toMatchObject({ code: 11000 });
    const s = fresh();
    await s.createIndex({ code: 1 }, { unique: true, sparse: true });
    await s.insertMany([{ a: 1 }, { a: 2 }]);
    expect(await s.countDocuments()).toBe(2);
  });

  it('enforces uniqueness of compound keys only on the whole key', async () => {
    const c = fresh();
    await c.createIndex({ site: 1, day: -1 }, { unique: true });
    await c.insertMany([{ site: 'ABV', day: 1 }, { site: 'ABV', day: 2 }, { site: 'CAS', day: 1 }]);
    await expect(c.insertOne({ site: 'ABV', day: 1 })).rejects.toMatchObject({ code: 11000 });
  });

  it('applies a partial unique index only to matching documents', async () => {
    const c = fresh();
    await c.createIndex({ token: 1 }, { unique: true, partialFilterExpression: { state: 'active' } });
    await c.insertMany([{ token: 'x', state: 'expired' }, { token: 'x', state: 'expired' }, { token: 'x', state: 'active' }]);
    await expect(c.insertOne({ token: 'x', state: 'active' })).rejects.toMatchObject({ code: 11000 });
  });

  it('refuses to build a unique index over existing duplicates and leaves no index behind', async () => {
    const c = fresh();
    await c.insertMany([{ k: 1 }, { k: 1 }]);
    await expect(c.createIndex({ k: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
    const names = (await c.listIndexes().toArray()).map((i) => i.name);
    expect(names).toEqual(['_id_']);
  });

  it('checks an update against unique indexes', async () => {
    const c = fresh();
    await c.createIndex({ k: 1 }, { unique: true });
    await c.insertMany([{ k: 1 }, { k: 2 }]);
    await expect(c.updateOne({ k: 2 }, { $set: { k: 1 } })).rejects.toMatchObject({ code: 11000 });
    expect(await c.countDocuments({ k: 2 })).toBe(1);
  });
});

describe('updates keep every index in step', () => {
  it('moves only the entries an update changes, and checks a unique index only when its key changes', async () => {
    const c = fresh();
    await c.createIndex({ code: 1 }, { unique: true });
    await c.createIndex({ site: 1, day: 1 });
    await c.createIndex({ tags: 1 });
    await c.insertMany([
      { code: 'a', site: 'ABV', day: '2026-11-01', tags: ['x', 'y'], n: 0 },
      { code: 'b', site: 'CAS', day: '2026-11-01', tags: ['y'], n: 0 },
    ]);
    // Unindexed field only: every lookup still finds the document once.
    await c.updateOne({ code: 'a' }, { $inc: { n: 1 } });
    // One field of the compound index and one element of the array.
    await c.updateOne({ code: 'a' }, { $set: { day: '2026-11-02', 'tags.0': 'z' } });
    const codes = async (filter: Document) => (await c.find(filter).toArray()).map((d) => d.code).sort();
    expect(await codes({ code: 'a' })).toEqual(['a']);
    expect(await codes({ site: 'ABV', day: '2026-11-01' })).toEqual([]);
    expect(await codes({ site: 'ABV', day: '2026-11-02' })).toEqual(['a']);
    expect(await codes({ tags: 'x' })).toEqual([]);
    expect(await codes({ tags: 'z' })).toEqual(['a']);
    expect(await codes({ tags: 'y' })).toEqual(['a', 'b']);
    // Its own unique key set again is no conflict; another's is, and changes nothing.
    await c.updateOne({ code: 'b' }, { $set: { code: 'b', n: 5 } });
    await expect(c.updateOne({ code: 'b' }, { $set: { code: 'a', site: 'DRX' } })).rejects.toMatchObject({ code: 11000 });
    expect(await codes({ site: 'DRX' })).toEqual([]);
    expect(await codes({ site: 'CAS', day: '2026-11-01' })).toEqual(['b']);
    expect((await c.findOne({ code: 'b' }))?.n).toBe(5);
    const indexed = await c.find({}, { hint: { site: 1, day: 1 } }).toArray();
    expect(indexed).toHaveLength(2);
  });
});

describe('partial indexes follow the fields of their filter', () => {
  it('lets a document in and out when an update changes only a filtered field, not a key field', async () => {
    const c = fresh();
    await c.createIndex({ token: 1 }, { unique: true, partialFilterExpression: { $and: [{ state: 'active' }, { 'meta.level': { $gte: 2 } }] } });
    await c.insertMany([{ n: 1, token: 'x', state: 'active', meta: { level: 3 } }, { n: 2, token: 'x', state: 'expired', meta: { level: 3 } }]);
    // The first leaves the index by its state, the second may then enter it.
    await c.updateOne({ n: 1 }, { $set: { state: 'expired' } });
    await c.updateOne({ n: 2 }, { $set: { state: 'active' } });
    // Out again by a nested filtered field; back in, and then the first one collides.
    await c.updateOne({ n: 2 }, { $set: { 'meta.level': 1 } });
    await c.updateOne({ n: 1 }, { $set: { state: 'active' } });
    await expect(c.updateOne({ n: 2 }, { $inc: { 'meta.level': 5 } })).rejects.toMatchObject({ code: 11000 });
    expect(await c.find({}, { sort: { n: 1 }, projection: { _id: 0 } }).toArray()).toEqual([
      { n: 1, token: 'x', state: 'active', meta: { level: 3 } },
      { n: 2, token: 'x', state: 'active', meta: { level: 1 } },
    ]);
    const listed = await c.find({ token: 'x', state: 'active', 'meta.level': { $gte: 2 } }, { hint: 'token_1' }).toArray();
    expect(listed.map((d) => d.n)).toEqual([1]);
  });
});

describe('multikey indexes', () => {
  it('finds documents by any element of an indexed array', async () => {
    const c = fresh();
    await c.createIndex({ tags: 1 });
    await c.insertMany([{ tags: ['a', 'b'] }, { tags: ['b', 'c'] }, { tags: 'a' }]);
    expect(await c.countDocuments({ tags: 'a' })).toBe(2);
    expect(await c.countDocuments({ tags: 'b' })).toBe(2);
  });
});

describe('lookups use indexes', () => {
  it('finds and updates by an indexed field without scanning the collection', async () => {
    const c = fresh();
    await c.createIndex({ ref: 1 });
    await c.insertMany(Array.from({ length: 3000 }, (_, i) => ({ ref: `r${i}`, n: i })));
    const before = await scanned();
    expect(await c.findOne({ ref: 'r1234' })).toMatchObject({ n: 1234 });
    await c.updateOne({ ref: 'r77' }, { $set: { seen: true } });
    expect(await c.countDocuments({ n: { $gte: 0 }, ref: { $in: ['r1', 'r2'] } })).toBe(2);
    expect((await scanned()) - before).toBeLessThan(10);
  });

  it('serves a range on a single-field index', async () => {
    const c = fresh();
    await c.createIndex({ n: 1 });
    await c.insertMany(Array.from({ length: 2000 }, (_, i) => ({ n: i })));
    const before = await scanned();
    expect(await c.countDocuments({ n: { $gte: 100, $lt: 110 } })).toBe(10);
    expect((await scanned()) - before).toBeLessThan(20);
  });
});

describe('sorted reads use indexes', () => {
  it('returns the newest documents through an index without reading the rest', async () => {
    const c = fresh();
    await c.createIndex({ at: 1 });
    await c.insertMany(Array.from({ length: 2000 }, (_, i) => ({ at: new Date(Date.UTC(2026, 0, 1) + i * 60_000), i })));
    const before = await scanned();
    const newest = await c.find({ i: { $gte: 0 } }).sort({ at: -1 }).limit(3).toArray();
    expect(newest.map((d) => d.i)).toEqual([1999, 1998, 1997]);
    expect((await scanned()) - before).toBeLessThan(10);
  });
});

describe('claims in index order', () => {
  it('claims the earliest due document through the index without sorting every candidate', async () => {
    const c = fresh();
    await c.createIndex({ due: 1 });
    const now = Date.now();
    await c.insertMany(Array.from({ length: 3000 }, (_, i) => ({ i, due: new Date(now - (i + 1) * 1000) })));
    const before = await scanned();
    const claimed = await c.findOneAndUpdate({ due: { $lte: new Date(now) } }, { $set: { due: new Date(now + 60_000) } }, { sort: { due: 1 } });
    expect(claimed!.i).toBe(2999);
    const latest = await c.findOneAndUpdate({ due: { $lte: new Date(now) } }, { $set: { due: new Date(now + 60_000) } }, { sort: { due: -1 } });
    expect(latest!.i).toBe(0);
    expect((await scanned()) - before).toBeLessThan(10);
  });
});

describe('TTL indexes', () => {
  it('deletes documents whose date has passed, on the sweeper interval', async () => {
    const ttl = await startTestEngine(undefined, 'ttl', 100);
    try {
      const c = ttl.db.collection('sessions');
      await c.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
      await c.insertMany([
        { s: 'old', expiresAt: new Date(Date.now() - 1000) },
        { s: 'new', expiresAt: new Date(Date.now() + 3_600_000) },
        { s: 'not-a-date', expiresAt: 'yesterday' },
      ]);
      for (let i = 0; i < 50 && (await c.countDocuments({ s: 'old' })) > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect((await c.find().toArray()).map((d) => d.s).sort()).toEqual(['new', 'not-a-date']);
    } finally {
      await ttl.destroy();
    }
  });

  it('accepts expireAfterSeconds on a date field and lists it', async () => {
    const c = fresh();
    await c.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    const idx = (await c.listIndexes().toArray()).find((i) => i.name === 'expiresAt_1');
    expect(idx).toMatchObject({ expireAfterSeconds: 0, key: { expiresAt: 1 } });
  });
});

describe('index management', () => {
  it('creates, lists and drops indexes with MongoDB replies', async () => {
    const c = fresh();
    await c.insertOne({ a: 1 });
    const res = await t.db.command({ createIndexes: c.collectionName, indexes: [{ key: { a: 1 }, name: 'a_1' }] });
    expect(res).toMatchObject({ numIndexesBefore: 1, numIndexesAfter: 2, ok: 1 });
    const again = await t.db.command({ createIndexes: c.collectionName, indexes: [{ key: { a: 1 }, name: 'a_1' }] });
    expect(again.note).toBe('all indexes already exist');
    await expect(c.createIndex({ b: 1 }, { name: 'a_1' })).rejects.toMatchObject({ code: 86 });
    await expect(c.dropIndex('nope')).rejects.toMatchObject({ code: 27 });
    await expect(c.dropIndex('_id_')).rejects.toMatchObject({ code: 72 });
    await c.dropIndex('a_1');
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('answers NamespaceNotFound (26) when listing indexes of a missing collection', async () => {
    const err = await t.db.command({ listIndexes: 'nothing_here' }).catch((e: MongoServerError) => e);
    expect((err as MongoServerError).code).toBe(26);
  });

  it('refuses text indexes as unsupported rather than pretending', async () => {
    const err = await fresh().createIndex({ body: 'text' }).catch((e: MongoServerError) => e);
    expect((err as MongoServerError).code).toBe(115);
    expect((err as MongoServerError).message).toMatch(/embedded engine/);
  });
});
