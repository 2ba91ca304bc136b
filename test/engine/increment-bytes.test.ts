/**
 * `$inc` on the stored bytes: wherever it applies, the very document the general update
 * makes (types, values and field order); everywhere else it declines and the general
 * update runs, through the driver as through the engine's own parts.
 */
import { Binary, Decimal128, Double, Int32, Long, ObjectId, serialize } from 'bson';
import { type Document } from 'mongodb';
import { incrementBytes, plainIncrements } from '../../server/db/embedded/query/increment-bytes';
import { compileUpdate } from '../../server/db/embedded/query/update';
import { deserializeDoc, serializeDoc, type Doc } from '../../server/db/embedded/query/values';
import { startTestEngine, type TestEngine } from '../helpers/engine';

/** A stored document with counters among fields of every kind the walk must step over. */
function stored(counters: Doc): Buffer {
  return Buffer.from(serialize({
    _id: new ObjectId('65a1b2c3d4e5f60718293a4b'),
    day: '2026-12-02',
    nested: { a: 1, list: [1, 'two', { three: 3 }] },
    when: new Date(Date.UTC(2026, 11, 2)),
    bin: new Binary(Buffer.from([1, 2, 3]), 0),
    pattern: /ab+c/i,
    missing: null,
    flag: true,
    big: Long.fromNumber(5),
    exact: Decimal128.fromString('1.5'),
    ...counters,
    after: 'still here',
  }));
}

/** What the general update makes of the same document and update, as bytes. */
function general(bytes: Buffer, update: Doc): Buffer {
  return serializeDoc(compileUpdate(update).apply(deserializeDoc(bytes)).doc);
}

function inPlace(bytes: Buffer, update: Doc): Buffer | null {
  const increments = plainIncrements(update);
  return increments && incrementBytes(bytes, increments);
}

describe('$inc on stored bytes', () => {
  const cases: [string, Doc, Doc][] = [
    ['Int32 counters by integers', { completed: new Int32(3), yes: new Int32(0) }, { $inc: { completed: new Int32(1), yes: new Int32(2) } }],
    ['a negative increment', { completed: new Int32(3) }, { $inc: { completed: new Int32(-5) } }],
    ['a Double counter by an integer and by a fraction', { sum: new Double(2.5), mean: new Double(1) }, { $inc: { sum: new Int32(4), mean: new Double(0.25) } }],
    ['up to the last Int32', { n: new Int32(2 ** 31 - 2) }, { $inc: { n: new Int32(1) } }],
    ['with $setOnInsert beside it', { completed: new Int32(1) }, { $inc: { completed: new Int32(1) }, $setOnInsert: { level: 'coarse' } }],
  ];
  it.each(cases)('gives what the general update gives: %s', (_name, counters, update) => {
    const bytes = stored(counters);
    const patched = inPlace(bytes, update);
    expect(patched).not.toBeNull();
    expect(patched!.equals(general(bytes, update))).toBe(true);
    // A copy: the stored document is never written to.
    expect(bytes.equals(stored(counters))).toBe(true);
  });

  const declined: [string, Doc, Doc][] = [
    ['a missing counter', { completed: new Int32(1) }, { $inc: { completed: new Int32(1), other: new Int32(1) } }],
    ['an Int32 past its range', { n: new Int32(2 ** 31 - 1) }, { $inc: { n: new Int32(1) } }],
    ['an Int32 plus a Double', { n: new Int32(1) }, { $inc: { n: new Double(0.5) } }],
    ['a Long counter', {}, { $inc: { big: new Int32(1) } }],
    ['a string', {}, { $inc: { day: new Int32(1) } }],
  ];
  it.each(declined)('declines %s (the general update decides)', (_name, counters, update) => {
    expect(plainIncrements(update)).not.toBeNull();
    expect(inPlace(stored(counters), update)).toBeNull();
  });

  it('takes only updates made of $inc on top-level fields by non-zero finite numbers', () => {
    const one = new Int32(1);
    for (const update of [
      { $inc: { 'nested.a': one } },
      { $inc: { _id: one } },
      { $inc: { completed: new Int32(0) } },
      { $inc: { completed: new Double(Number.NaN) } },
      { $inc: { completed: Long.fromNumber(1) } },
      { $inc: { completed: 'one' } },
      { $inc: {} },
      { $inc: { completed: one }, $set: { day: 'x' } },
      { $inc: { completed: one }, $setOnInsert: { completed: 0 } },
      { $inc: { completed: one }, $setOnInsert: { level: { nested: 1 } } },
      { completed: 1 },
      [{ $set: { completed: 1 } }],
    ]) {
      expect(plainIncrements(update)).toBeNull();
    }
    expect(plainIncrements({ $inc: { completed: 1, sum: 0.5 } })).toEqual(new Map<string, unknown>([['completed', 1], ['sum', 0.5]]));
  });
});

describe('counter updates through the driver', () => {
  let t: TestEngine;
  beforeEach(async () => {
    t = await startTestEngine();
  });
  afterEach(async () => {
    await t.destroy();
  });

  it('count exactly and survive a restart; an indexed counter keeps its index right', async () => {
    const buckets = t.db.collection<Document>('buckets');
    await buckets.createIndex({ day: 1, site: 1 }, { unique: true });
    await buckets.createIndex({ ranked: 1 });
    const key = { day: '2026-12-02', site: 'ABV' };
    const results = [];
    for (let i = 0; i < 5; i++) {
      results.push(await buckets.updateOne(key, { $inc: { completed: 1, sum: 0.5 }, $setOnInsert: { level: 'coarse', ranked: 0 } }, { upsert: true }));
    }
    expect(results.map((r) => [r.matchedCount, r.modifiedCount, r.upsertedCount])).toEqual([[0, 0, 1], [1, 1, 0], [1, 1, 0], [1, 1, 0], [1, 1, 0]]);
    // An indexed counter, a filter beyond the unique key, a counter that changes type: the general way.
    await buckets.updateOne(key, { $inc: { ranked: 2 } });
    await buckets.updateOne({ ...key, level: 'coarse' }, { $inc: { completed: 1 } });
    // Each reads the document once, on the stored bytes or (declined: Int32 plus a fraction) the general way.
    let before = await scanned(t);
    await buckets.updateOne(key, { $inc: { sum: 0.5 } });
    expect((await scanned(t)) - before).toBe(1);
    before = await scanned(t);
    await buckets.updateOne(key, { $inc: { completed: 0.5 } });
    expect((await scanned(t)) - before).toBe(1);
    const expected = { _id: expect.any(ObjectId), day: '2026-12-02', site: 'ABV', completed: 6.5, sum: 3, level: 'coarse', ranked: 2 };
    expect(await buckets.findOne(key)).toEqual(expected);
    expect(await buckets.countDocuments({ ranked: 2 })).toBe(1);
    expect(await buckets.countDocuments({ ranked: 0 })).toBe(0);

    await t.stop();
    t = await startTestEngine(t.dbPath);
    expect(await t.db.collection('buckets').findOne(key)).toEqual(expected);
  });
});

async function scanned(t: TestEngine): Promise<number> {
  const status = await t.db.admin().command({ serverStatus: 1 });
  return status.metrics.queryExecutor.scannedObjects as number;
}
