/**
 * Sorted finds served by a compound index after equalities on its leading fields
 * (`{ site: 'A' }` sorted `{ at: -1, _id: -1 }` on `{ site: 1, at: -1, _id: -1 }`): same
 * results as an in-memory sort, read in index order so a limit stops early, bounds on the
 * sort field seek into the index, a more selective index wins when the sort field is not
 * bounded, and an open cursor survives writes.
 */
import { ObjectId, type Collection, type Document } from 'mongodb';
import { startTestEngine, type TestEngine } from '../helpers/engine';

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine();
});
afterAll(async () => {
  await t.destroy();
});

async function scanned(): Promise<number> {
  const status = await t.db.admin().command({ serverStatus: 1 });
  return status.metrics.queryExecutor.scannedObjects as number;
}

/** Documents read by `run`, and what it returned. */
async function measured<T>(run: () => Promise<T>): Promise<{ read: number; result: T }> {
  const before = await scanned();
  const result = await run();
  return { read: (await scanned()) - before, result };
}

const START = Date.UTC(2026, 0, 1);

/** 3,000 documents over three sites, some sharing a time (ties go by _id), every fifth without text. */
async function seeded(): Promise<{ c: Collection<Document>; docs: Document[] }> {
  const c = t.db.collection(`w${Math.random().toString(36).slice(2)}`);
  await c.createIndex({ site: 1, at: -1, _id: -1 });
  const docs = Array.from({ length: 3000 }, (_, i) => ({
    _id: new ObjectId(),
    site: ['A', 'B', 'C'][i % 3],
    at: new Date(START + Math.floor(i / 2) * 60_000),
    text: i % 5 === 0 ? null : `comment ${i}`,
  }));
  await c.insertMany(docs);
  return { c, docs };
}

const newestFirst = (a: Document, b: Document) => b.at.getTime() - a.at.getTime() || (b._id.toHexString() < a._id.toHexString() ? -1 : 1);
const ids = (docs: Document[]) => docs.map((d) => d._id.toHexString());

describe('a sort on the fields after an equality prefix of an index', () => {
  it('returns the in-memory order and reads about the limit, not the site', async () => {
    const { c, docs } = await seeded();
    const expected = docs.filter((d) => d.site === 'A' && d.text !== null).sort(newestFirst).slice(0, 26);
    const { read, result } = await measured(() => c.find({ site: 'A', text: { $ne: null } }).sort({ at: -1, _id: -1 }).limit(26).toArray());
    expect(ids(result)).toEqual(ids(expected));
    // Every fifth document lacks a text: the residual filter skips a few.
    expect(read).toBeLessThanOrEqual(40);
  });

  it('walks the index backwards for the opposite order', async () => {
    const { c, docs } = await seeded();
    const expected = docs.filter((d) => d.site === 'B').sort(newestFirst).reverse().slice(0, 10);
    const { read, result } = await measured(() => c.find({ site: { $in: ['B'] } }).sort({ at: 1, _id: 1 }).limit(10).toArray());
    expect(ids(result)).toEqual(ids(expected));
    expect(read).toBeLessThanOrEqual(10);
  });

  it('seeks to a bound on the sort field, as a keyset page does', async () => {
    const { c, docs } = await seeded();
    const site = docs.filter((d) => d.site === 'C').sort(newestFirst);
    const cursor = site[600];
    const keyset = { site: 'C', at: { $lte: cursor.at }, $or: [{ at: { $lt: cursor.at } }, { at: cursor.at, _id: { $lt: cursor._id } }] };
    const { read, result } = await measured(() => c.find(keyset).sort({ at: -1, _id: -1 }).limit(26).toArray());
    expect(ids(result)).toEqual(ids(site.slice(601, 627)));
    expect(read).toBeLessThanOrEqual(28);
    const lower = { site: 'C', at: { $gte: site[20].at, $lte: site[5].at } };
    const ranged = await c.find(lower).sort({ at: -1, _id: -1 }).toArray();
    expect(ids(ranged)).toEqual(ids(site.filter((d) => d.at >= site[20].at && d.at <= site[5].at)));
  });

  it('prefers a selective index on another field when the sort field is not bounded', async () => {
    const { c, docs } = await seeded();
    await c.updateMany({}, [{ $set: { day: { $dateToString: { date: '$at', format: '%Y-%m-%d' } } } }]);
    await c.createIndex({ day: 1 });
    const onDay = docs.filter((d) => d.at.toISOString().startsWith('2026-01-02'));
    const expected = onDay.filter((d) => d.site === 'A' && d.text === null).sort(newestFirst).reverse().slice(0, 5);
    // Oldest first, the walk would read the site's whole first day before reaching the second.
    const { read, result } = await measured(() => c.find({ site: 'A', day: '2026-01-02', text: null }).sort({ at: 1, _id: 1 }).limit(5).toArray());
    expect(ids(result)).toEqual(ids(expected));
    expect(read).toBeLessThanOrEqual(onDay.length);
  });

  it('leaves mixed directions to the in-memory sort, with the same results', async () => {
    const { c, docs } = await seeded();
    const byAtThenId = (a: Document, b: Document) => b.at.getTime() - a.at.getTime() || (a._id.toHexString() < b._id.toHexString() ? -1 : 1);
    const expected = docs.filter((d) => d.site === 'A').sort(byAtThenId).slice(0, 15);
    const result = await c.find({ site: 'A' }).sort({ at: -1, _id: 1 }).limit(15).toArray();
    expect(ids(result)).toEqual(ids(expected));
  });

  it('keeps an open cursor going across writes to the collection', async () => {
    const { c, docs } = await seeded();
    const cursor = c.find({ site: 'A' }).sort({ at: -1, _id: -1 }).batchSize(50);
    const seen: Document[] = [];
    for (let i = 0; i < 120; i++) seen.push((await cursor.next()) as Document);
    await c.insertMany(Array.from({ length: 200 }, (_, i) => ({ site: 'A', at: new Date(START - (i + 1) * 1000), text: 'late' })));
    await c.deleteMany({ site: 'A', at: { $lt: new Date(START + 100 * 60_000) }, text: { $ne: 'late' } });
    for await (const doc of cursor) seen.push(doc);
    const times = seen.map((d) => d.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(ids(seen)).size).toBe(seen.length);
    expect(seen.filter((d) => d.text === 'late')).toHaveLength(200);
    expect(seen.length).toBeGreaterThan(docs.filter((d) => d.site === 'A').length - 100);
  });
});
