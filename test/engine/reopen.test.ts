/**
 * Opening a data directory again: every kind of index rebuilt from the stored documents as
 * it was (in one pass, reading only the fields the indexes need), progress reported while
 * they are rebuilt, and counts without a filter that read no document.
 */
import { rmSync } from 'node:fs';
import { MongoServerError, type Collection, type Document, type Filter } from 'mongodb';
import { startEmbeddedMongo } from '../../server/db/embedded';
import type { OpenProgress } from '../../server/db/embedded/engine/engine';
import { startTestEngine, tempDir, type TestEngine } from '../helpers/engine';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function scanned(t: TestEngine): Promise<number> {
  const status = await t.db.admin().command({ serverStatus: 1 });
  return status.metrics.queryExecutor.scannedObjects as number;
}

const SITES = ['ABV', 'CMN', 'DRX'];

function person(i: number): Document {
  const doc: Document = {
    _id: i,
    email: `p${i}@example.fr`,
    site: SITES[i % 3],
    day: new Date(Date.UTC(2026, 0, 1 + (i % 30))),
    tags: i % 5 === 0 ? [] : [`t${i % 7}`, `t${i % 11}`],
    score: i % 10,
    customer: { email: `c${i}@example.com`, locale: i % 2 ? 'fr' : 'en' },
    expiresAt: new Date(Date.now() + 86_400_000 + i * 1000),
    note: 'x'.repeat(i % 50),
  };
  if (i % 4 === 0) doc.code = `c${i}`;
  return doc;
}

/** A query per index, forced onto it: its matches and how many documents it read. */
const PROBES: { index: string; filter: Filter<Document> }[] = [
  { index: 'email_1', filter: { email: 'p7@example.fr' } },
  { index: 'site_1_day_-1', filter: { site: 'CMN', day: { $gte: new Date(Date.UTC(2026, 0, 20)) } } },
  { index: 'tags_1', filter: { tags: 't3' } },
  { index: 'code_1', filter: { code: { $in: ['c8', 'c12', 'c13'] } } },
  { index: 'high', filter: { score: { $gt: 7 } } },
  { index: 'customer.email_1', filter: { 'customer.email': 'c9@example.com' } },
  { index: 'expiresAt_1', filter: { expiresAt: { $lt: new Date(Date.now() + 86_400_000 + 50_500) } } },
];

async function probe(t: TestEngine, coll: Collection<Document>) {
  const out: Record<string, { ids: unknown[]; read: number }> = {};
  for (const { index, filter } of PROBES) {
    const before = await scanned(t);
    const docs = await coll.find(filter).hint(index).toArray();
    out[index] = { ids: docs.map((d) => d._id).sort((a, b) => Number(a) - Number(b)), read: (await scanned(t)) - before };
  }
  return out;
}

describe('reopening a data directory', () => {
  it('rebuilds unique, compound, multikey, sparse, partial, dotted and TTL indexes as they were', async () => {
    const dbPath = tempDir();
    dirs.push(dbPath);
    let t = await startTestEngine(dbPath);
    let people = t.db.collection('people');
    await people.createIndexes([
      { key: { email: 1 }, unique: true },
      { key: { site: 1, day: -1 } },
      { key: { tags: 1 } },
      { key: { code: 1 }, unique: true, sparse: true },
      { key: { score: 1 }, name: 'high', partialFilterExpression: { score: { $gt: 5 } } },
      { key: { 'customer.email': 1 } },
      { key: { expiresAt: 1 }, expireAfterSeconds: 3600 },
    ]);
    await people.insertMany(Array.from({ length: 400 }, (_, i) => person(i)));
    const indexes = await people.listIndexes().toArray();
    const before = await probe(t, people);
    await t.stop();

    t = await startTestEngine(dbPath);
    people = t.db.collection('people');
    try {
      expect(await people.listIndexes().toArray()).toEqual(indexes);
      const after = await probe(t, people);
      expect(after).toEqual(before);
      // The probes found what they should, through their index rather than a scan.
      expect(after.email_1).toEqual({ ids: [7], read: 1 });
      const tagged = Array.from({ length: 400 }, (_, i) => person(i)).filter((p) => (p.tags as string[]).includes('t3'));
      expect(after.tags_1!.ids).toEqual(tagged.map((p) => p._id));
      expect(after.high!.ids).toHaveLength(80);
      expect(after['customer.email_1']).toEqual({ ids: [9], read: 1 });

      const again = person(3);
      again._id = 1000;
      const duplicate = await people.insertOne(again).catch((err: unknown) => err);
      expect(duplicate).toBeInstanceOf(MongoServerError);
      expect((duplicate as MongoServerError).message).toContain('index: email_1 dup key: { email: "p3@example.fr" }');
      const code = await people.insertOne({ ...person(1001), code: 'c8' }).catch((err: unknown) => err);
      expect((code as MongoServerError).code).toBe(11000);
      // Sparse: documents without a code still go in, several of them.
      expect((await people.insertMany([person(1002), person(1003)])).insertedCount).toBe(2);
    } finally {
      await t.destroy();
    }
  });

  it('reports its progress while it rebuilds the indexes of a large collection', async () => {
    const dbPath = tempDir();
    dirs.push(dbPath);
    const t = await startTestEngine(dbPath);
    const big = t.db.collection<{ _id: number; k: number }>('big');
    await big.createIndex({ k: 1 });
    for (let from = 0; from < 120_000; from += 20_000) {
      await big.insertMany(Array.from({ length: 20_000 }, (_, i) => ({ _id: from + i, k: (from + i) % 100 })));
    }
    await t.db.collection('small').insertMany(Array.from({ length: 10 }, (_, i) => ({ n: i })));
    await t.stop();

    const reports: OpenProgress[] = [];
    const server = await startEmbeddedMongo({ dbPath, port: 0, onProgress: (progress) => reports.push(progress) });
    await server.stop();
    const documents = 120_010;
    expect(reports[0]).toEqual({ indexed: 0, documents });
    expect(reports.at(-1)).toEqual({ indexed: documents, documents });
    // Reported between slices of the large collection, not only before and after it.
    expect(reports.filter((r) => r.indexed > 0 && r.indexed < 120_000).length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < reports.length; i++) expect(reports[i]!.indexed).toBeGreaterThanOrEqual(reports[i - 1]!.indexed);
  });

  it('counts a collection without a filter from its size, reading no document', async () => {
    const t = await startTestEngine();
    try {
      const coll = t.db.collection('counted');
      await coll.insertMany(Array.from({ length: 400 }, (_, i) => ({ n: i })));
      const before = await scanned(t);
      expect(await coll.estimatedDocumentCount()).toBe(400);
      const count = async (options: Document) => ((await t.db.command({ count: 'counted', ...options })) as { n: number }).n;
      expect(await count({ skip: 390 })).toBe(10);
      expect(await count({ limit: 5 })).toBe(5);
      expect(await count({ limit: -3 })).toBe(3);
      expect(await count({ skip: 398, limit: 5 })).toBe(2);
      expect(await count({ skip: 500 })).toBe(0);
      expect(await count({ query: {} })).toBe(400);
      expect(await t.db.collection('absent').estimatedDocumentCount()).toBe(0);
      expect(await scanned(t)).toBe(before);
      // With a filter, the documents are read.
      expect(await count({ query: { n: { $lt: 10 } } })).toBe(10);
      expect(await scanned(t)).toBeGreaterThan(before);
    } finally {
      await t.destroy();
    }
  });
});
