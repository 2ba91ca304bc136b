/**
 * The response counters against the responses, on the embedded engine: a seeded random
 * workload of saves (new, partial then full, changed answers, concurrent saves of one
 * response and of one bucket) made with the save protocol of the responses service; the
 * incremental counters equal the responses and a rebuild from scratch gives the same;
 * a crash between the steps of a save is repaired by the start-up reconcile.
 */
import { Types } from 'mongoose';
import { ResponseModel } from '../../server/responses';
import {
  applyResponseChange,
  bucketId,
  COARSE,
  coarseOf,
  isCoarse,
  countsOf,
  DailyRollup,
  rebuildRollups,
  reconcilePendingRollups,
  recountBuckets,
  responseFacts,
  RESPONSE_COUNTERS,
  type BucketKey,
  type RollupRecord,
} from '../../server/rollups';
import { prepareFeatures } from '../../server/features';
import { createLogger } from '../../server/logger';
import { testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { seeded, type Rng } from '../helpers/random';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

interface Context {
  invitationId: string;
  day: string;
  site: string;
  queue: string;
  agent: string | null;
  reason: string | null;
}

interface Answers {
  complete: boolean;
  gotInformation: boolean | null;
  csat: number | null;
  nps: number | null;
  ces: number | null;
  text: string | null;
}

function context(day: string, site: string, queue: string, agent: string | null, reason: string | null): Context {
  return { invitationId: new Types.ObjectId().toHexString(), day, site, queue, agent, reason };
}

/**
 * One save as the responses service makes it: (1) the upsert that marks the response
 * rollupPending and returns the document before, (2) the rollup change (or a recount when
 * an earlier save is unfinished), (3) clearing the flag if no later save came. `crash`
 * stops after step 1 or 2, as a process killed there would.
 */
/** How many saves took each path (the workload must exercise them all). */
const paths = { created: 0, raced: 0, changed: 0, recounted: 0 };

async function save(ctx: Context, answers: Answers, crash?: 'after-write' | 'after-rollups'): Promise<void> {
  const { invitationId, ...call } = ctx;
  const set = { ...answers, answers: { info: answers.gotInformation }, submittedAt: answers.complete ? new Date() : null, rollupPending: true };
  const update = {
    $set: set,
    $inc: { revision: 1 },
    $setOnInsert: {
      ...call,
      callId: `call-${invitationId}`,
      externalId: `pbx-${invitationId}`,
      callEndedAt: new Date(`${ctx.day}T10:00:00Z`),
      customerHash: 'f'.repeat(64),
      templateKey: 'post-call',
      templateVersionId: 'v1',
      locale: 'fr',
      channel: 'web',
      startedAt: new Date(),
    },
  };
  const options = { upsert: true, returnDocument: 'before', lean: true } as const;
  let before;
  try {
    before = await ResponseModel.findOneAndUpdate({ invitationId }, update, options);
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    paths.raced += 1;
    before = await ResponseModel.findOneAndUpdate({ invitationId }, update, { ...options, upsert: false });
  }
  if (crash === 'after-write') return;
  const after = responseFacts({ ...ctx, templateKey: 'post-call', ...answers });
  const revision = (before?.revision ?? 0) + 1;
  paths[before?.rollupPending ? 'recounted' : before ? 'changed' : 'created'] += 1;
  if (before?.rollupPending) await recountBuckets([after.bucket]);
  else await applyResponseChange(before ? responseFacts(before) : null, after);
  if (crash === 'after-rollups') return;
  await ResponseModel.updateOne({ invitationId, revision }, { $set: { rollupPending: false } });
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

function randomAnswers(rng: Rng, complete: boolean): Answers {
  const maybe = <T>(value: () => T): T | null => (rng() < 0.25 ? null : value());
  if (!complete) return { complete, gotInformation: pick(rng, [true, false]), csat: null, nps: null, ces: null, text: null };
  return {
    complete,
    gotInformation: pick(rng, [true, false, null]),
    csat: maybe(() => 1 + Math.floor(rng() * 5)),
    nps: maybe(() => Math.floor(rng() * 11)),
    ces: maybe(() => 1 + Math.floor(rng() * 7)),
    text: pick(rng, [null, null, '', 'Personne ne savait.', 'Très clair, merci']),
  };
}

type Table = Map<string, Record<string, number>>;

/** The response counters each bucket (detailed and coarse) should have: every response's counts, summed in JavaScript. */
async function countedFromResponses(): Promise<Table> {
  const table: Table = new Map();
  for (const doc of await ResponseModel.find({}).lean()) {
    const facts = responseFacts(doc);
    for (const bucket of [facts.bucket, coarseOf(facts.bucket)]) {
      const row = table.get(bucketId(bucket)) ?? {};
      for (const [c, n] of Object.entries(countsOf(facts))) row[c] = (row[c] ?? 0) + n;
      table.set(bucketId(bucket), row);
    }
  }
  return table;
}

/** A bucket's response counters, those it never had (absent from the document) as the zero they are. */
function responseCounters(doc: RollupRecord): Record<string, number> {
  return Object.fromEntries(RESPONSE_COUNTERS.map((c) => [c, doc[c] ?? 0]));
}

async function countersOn(day: string): Promise<Record<string, number> | null> {
  const doc = await DailyRollup.findOne({ day, agent: { $ne: COARSE } }).lean<RollupRecord>();
  return doc && { ...responseCounters(doc), responseSeq: doc.responseSeq ?? 0 };
}

/** The response counters of the stored buckets (buckets where they are all zero left out). */
async function storedCounters(): Promise<Table> {
  const table: Table = new Map();
  for (const doc of await DailyRollup.find({}).lean<(RollupRecord & BucketKey)[]>()) {
    const row = responseCounters(doc);
    if (Object.values(row).some((n) => n !== 0)) table.set(bucketId(doc), row);
  }
  return table;
}

const sorted = (table: Table) => Object.fromEntries([...table.entries()].sort(([a], [b]) => a.localeCompare(b)));

/** Each stored coarse bucket's response counters, and the sum of its stored detailed buckets' (one level summed into the other). */
async function coarseAndSummed(): Promise<{ coarse: Record<string, Record<string, number>>; summed: Record<string, Record<string, number>> }> {
  const coarse: Table = new Map();
  const summed: Table = new Map();
  for (const doc of await DailyRollup.find({}).lean<(RollupRecord & BucketKey)[]>()) {
    const row = responseCounters(doc);
    if (isCoarse(doc)) coarse.set(bucketId(doc), row);
    else {
      const sum = summed.get(bucketId(coarseOf(doc))) ?? {};
      for (const [c, n] of Object.entries(row)) sum[c] = (sum[c] ?? 0) + n;
      summed.set(bucketId(coarseOf(doc)), sum);
    }
  }
  return { coarse: sorted(coarse), summed: sorted(summed) };
}

describe('a random workload of saves', () => {
  const SEED = 20261120;

  it('leaves every bucket equal to its responses, and a rebuild from scratch gives the same counters', async () => {
    const rng = seeded(SEED);
    const pool = Array.from({ length: 60 }, () =>
      context(pick(rng, ['2026-11-20', '2026-11-21']), pick(rng, ['ABV', 'CAS']), pick(rng, ['business-support', 'billing']), pick(rng, ['a.martin', null]), pick(rng, ['billing', null])),
    );
    for (let step = 0; step < 250; step++) {
      const roll = rng();
      const ctx = pick(rng, pool);
      if (roll < 0.3) {
        await save(ctx, randomAnswers(rng, false));
      } else if (roll < 0.7) {
        await save(ctx, randomAnswers(rng, true));
      } else if (roll < 0.85) {
        // Concurrent saves of one response: a double submit, a retry racing an autosave.
        await Promise.all(Array.from({ length: 2 + Math.floor(rng() * 2) }, () => save(ctx, randomAnswers(rng, rng() < 0.7))));
      } else {
        // Concurrent first saves of several responses, some of one bucket.
        const others = Array.from({ length: 4 }, () => pick(rng, pool));
        await Promise.all(others.map((other) => save(other, randomAnswers(rng, rng() < 0.5))));
      }
    }

    expect(await ResponseModel.countDocuments({ rollupPending: true })).toBe(0);
    expect(Math.min(paths.created, paths.changed, paths.recounted)).toBeGreaterThan(0);
    const expected = sorted(await countedFromResponses());
    expect(Object.keys(expected).length).toBeGreaterThan(10);
    const incremental = sorted(await storedCounters());
    expect(incremental).toEqual(expected);
    const levels = await coarseAndSummed();
    expect(Object.keys(levels.coarse).length).toBeGreaterThan(3);
    expect(levels.coarse).toEqual(levels.summed);

    await DailyRollup.deleteMany({});
    const { buckets } = await rebuildRollups();
    expect(buckets).toBe(Object.keys(expected).length);
    expect(sorted(await storedCounters())).toEqual(incremental);
    const rebuilt = await coarseAndSummed();
    expect(rebuilt.coarse).toEqual(rebuilt.summed);
  }, 90_000);
});

describe('counting one bucket', () => {
  it('creates the bucket on the first response with every other counter at zero', async () => {
    const ctx = context('2026-10-01', 'ABV', 'business-support', null, null);
    await save(ctx, { complete: false, gotInformation: false, csat: null, nps: null, ces: null, text: null });
    const docs = await DailyRollup.find({ day: '2026-10-01' }).sort({ agent: 1 }).lean<RollupRecord[]>();
    expect(docs).toHaveLength(2);
    expect(docs[0]).toMatchObject({ site: 'ABV', queue: 'business-support', agent: '', reason: '', template: 'post-call' });
    // Its coarse bucket, in the same write, with the same counters.
    expect(docs[1]).toMatchObject({ site: 'ABV', queue: 'business-support', agent: COARSE, reason: COARSE, template: 'post-call', responseSeq: 1 });
    expect(responseCounters(docs[1] as RollupRecord)).toEqual(responseCounters(docs[0] as RollupRecord));
    expect(await countersOn('2026-10-01')).toEqual({ ...responseCounters({} as RollupRecord), responses: 1, infoNo: 1, responseSeq: 1 });
  });

  it('writes nothing when a save changes nothing counted', async () => {
    const ctx = context('2026-10-02', 'ABV', 'business-support', 'b.durand', null);
    const answers: Answers = { complete: true, gotInformation: true, csat: 4, nps: null, ces: null, text: null };
    await save(ctx, answers);
    const first = await countersOn('2026-10-02');
    await save(ctx, answers);
    // responseSeq counts the writes: it did not move.
    expect(await countersOn('2026-10-02')).toEqual(first);
    expect(first).toMatchObject({ responses: 1, completed: 1, responseSeq: 1 });
  });

  it('recounts to zero a bucket whose responses were erased, and recounting twice changes nothing', async () => {
    const ctx = context('2026-10-03', 'CAS', 'business-support', null, 'billing');
    await save(ctx, { complete: true, gotInformation: true, csat: 5, nps: 10, ces: 7, text: 'Parfait' });
    const bucket = responseFacts({ ...ctx, templateKey: 'post-call', complete: true, gotInformation: true, csat: 5, nps: 10, ces: 7, text: null }).bucket;
    await recountBuckets([bucket, bucket]);
    expect(await countersOn('2026-10-03')).toMatchObject({ responses: 1, csatSum: 5, npsPromoters: 1, cesEasy: 1, texts: 1 });
    await ResponseModel.deleteOne({ invitationId: ctx.invitationId });
    await recountBuckets([bucket]);
    await recountBuckets([bucket]);
    const docs = await DailyRollup.find({ day: '2026-10-03' }).lean<RollupRecord[]>();
    expect(docs).toHaveLength(2);
    for (const doc of docs) expect(responseCounters(doc)).toEqual(responseCounters({} as RollupRecord));
  });
});

describe('after a crash in the middle of saves', () => {
  it('recounts at start the buckets of responses left pending, so the counters equal the responses again', async () => {
    const day = '2026-12-01';
    const done = context(day, 'ABV', 'business-support', 'a.martin', 'billing');
    const changed = context(day, 'ABV', 'business-support', 'a.martin', 'billing');
    const fresh = context(day, 'ABV', 'business-support', 'a.martin', 'billing');
    const counted = context(day, 'CAS', 'business-support', null, null);
    const answers = (csat: number): Answers => ({ complete: true, gotInformation: csat >= 3, csat, nps: null, ces: null, text: null });
    await save(done, answers(5));
    await save(changed, answers(4));
    await save(counted, answers(2));

    // Killed after the response was written (rollups not yet changed) or after the rollups changed (flag not yet cleared).
    await save(changed, answers(1), 'after-write');
    await save(fresh, answers(3), 'after-write');
    await save(counted, answers(5), 'after-rollups');
    const pendingBuckets = (await storedCounters()).size;
    expect(pendingBuckets).toBeGreaterThan(0);
    const inDay = async () => {
      const all = await storedCounters();
      const truth = await countedFromResponses();
      const onDay = (t: Table) => sorted(new Map([...t].filter(([id]) => id.includes(day))));
      return { stored: onDay(all), truth: onDay(truth) };
    };
    const before = await inDay();
    expect(before.stored).not.toEqual(before.truth);

    expect(await reconcilePendingRollups()).toBe(3);
    const after = await inDay();
    expect(after.stored).toEqual(after.truth);
    expect(await ResponseModel.countDocuments({ rollupPending: true })).toBe(0);
    // Nothing left to do at the next start.
    expect(await reconcilePendingRollups()).toBe(0);
  });

  it('is repaired by the app\'s start-up work', async () => {
    const ctx = context('2026-12-02', 'CAS', 'billing', 'c.bernard', 'moving');
    await save(ctx, { complete: true, gotInformation: true, csat: 5, nps: 9, ces: 6, text: null });
    await save(ctx, { complete: true, gotInformation: false, csat: 1, nps: 2, ces: 2, text: 'Injoignable' }, 'after-write');
    expect(await countersOn('2026-12-02')).toMatchObject({ infoYes: 1, infoNo: 0 });
    const config = testConfig();
    await prepareFeatures({ config, logger: createLogger(config) });
    expect(await countersOn('2026-12-02')).toMatchObject({ responses: 1, infoYes: 0, infoNo: 1, csatLow: 1, npsDetractors: 1, texts: 1 });
    expect(await ResponseModel.countDocuments({ rollupPending: true })).toBe(0);
  });
});
