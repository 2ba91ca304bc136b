/**
 * The aggregate command through the driver: grouping, $lookup across collections,
 * $facet, cursors over large results, and $out / $merge writing into collections.
 */
import { MongoServerError } from 'mongodb';
import { startTestEngine, type TestEngine } from '../helpers/engine';

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine(undefined, 'agg');
  await t.db.collection('sites').insertMany([
    { _id: 'ABV' as never, name: 'Abbeville' },
    { _id: 'CAS' as never, name: 'Casablanca' },
  ]);
  await t.db.collection('responses').insertMany(
    Array.from({ length: 300 }, (_, i) => ({
      site: i % 3 === 0 ? 'CAS' : 'ABV',
      info: i % 4 !== 0,
      csat: (i % 5) + 1,
      at: new Date(Date.UTC(2026, 10, 1 + (i % 20), 12)),
    })),
  );
});
afterAll(async () => {
  await t.destroy();
});

describe('aggregate', () => {
  it('groups with counts and averages, sorted', async () => {
    const rows = await t.db.collection('responses').aggregate([
      { $match: { at: { $gte: new Date('2026-11-01') } } },
      { $group: { _id: '$site', n: { $sum: 1 }, yes: { $sum: { $cond: ['$info', 1, 0] } }, csat: { $avg: '$csat' } } },
      { $sort: { _id: 1 } },
    ]).toArray();
    expect(rows.map((r) => [r._id, r.n])).toEqual([['ABV', 200], ['CAS', 100]]);
    expect(rows[0].yes + rows[1].yes).toBe(225);
    expect(typeof rows[0].csat).toBe('number');
  });

  it('joins another collection with $lookup', async () => {
    const [row] = await t.db.collection('responses').aggregate([
      { $limit: 1 },
      { $lookup: { from: 'sites', localField: 'site', foreignField: '_id', as: 'siteDoc' } },
    ]).toArray();
    expect(row.siteDoc).toHaveLength(1);
    expect(['Abbeville', 'Casablanca']).toContain(row.siteDoc[0].name);
  });

  it('runs several sub-pipelines with $facet', async () => {
    const [row] = await t.db.collection('responses').aggregate([
      { $facet: { total: [{ $count: 'n' }], unhappy: [{ $match: { csat: { $lte: 2 } } }, { $count: 'n' }] } },
    ]).toArray();
    expect(row.total[0].n).toBe(300);
    expect(row.unhappy[0].n).toBe(120);
  });

  it('groups by day in a site time zone', async () => {
    await t.db.collection('late').insertOne({ at: new Date('2026-11-20T23:30:00Z') });
    const [row] = await t.db.collection('late').aggregate([
      { $project: { day: { $dateToString: { date: '$at', format: '%Y-%m-%d', timezone: 'Europe/Paris' } } } },
    ]).toArray();
    expect(row.day).toBe('2026-11-21');
  });

  it('pages a large result through getMore', async () => {
    const rows = await t.db.collection('responses').aggregate([{ $project: { csat: 1 } }], { batchSize: 50 }).toArray();
    expect(rows).toHaveLength(300);
  });

  it('writes results into another collection with $out', async () => {
    await t.db.collection('responses').aggregate([
      { $group: { _id: '$site', n: { $sum: 1 } } },
      { $out: 'rollup' },
    ]).toArray();
    const rollup = await t.db.collection('rollup').find().sort({ _id: 1 }).toArray();
    expect(rollup).toEqual([{ _id: 'ABV', n: 200 }, { _id: 'CAS', n: 100 }]);
  });

  it('merges results into a collection with $merge', async () => {
    await t.db.collection('merged').insertOne({ _id: 'ABV' as never, n: 0, keep: true });
    await t.db.collection('responses').aggregate([
      { $group: { _id: '$site', n: { $sum: 1 } } },
      { $merge: { into: 'merged', on: '_id', whenMatched: 'merge', whenNotMatched: 'insert' } },
    ]).toArray();
    const merged = await t.db.collection('merged').find().sort({ _id: 1 }).toArray();
    expect(merged).toEqual([{ _id: 'ABV', n: 200, keep: true }, { _id: 'CAS', n: 100 }]);
  });

  it('requires the cursor option, as MongoDB does', async () => {
    const err = await t.db.command({ aggregate: 'responses', pipeline: [] }).catch((e: MongoServerError) => e);
    expect((err as MongoServerError).code).toBe(9);
  });
});
