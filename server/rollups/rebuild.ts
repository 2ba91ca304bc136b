/**
 * Rebuilding every bucket from the records (`npm run rollups:rebuild`): response counters
 * from the responses, surveyed and callbacks from the calls (their calledBack flags),
 * invited from the invitations. Each source is grouped by bucket in the database and its
 * groups stream back a batch at a time, so memory holds one batch, never the records (and
 * the coarse buckets, summed from the groups as they pass: one per day, site, queue and
 * template). It
 * reads the calls' and invitations' collections directly: counting them is all it does.
 */
import type { mongo, PipelineStage } from 'mongoose';
import { CallModel } from '../calls/model';
import { Invitation } from '../invitations/model';
import { ResponseModel } from '../responses/model';
import { bucketFilter, bucketId, coarseOf, COARSE_LEVEL, rollups, writeRetryingRaces, type Stored } from './buckets';
import { COUNT_ACCUMULATORS, RESPONSE_BUCKET_GROUP } from './facts';
import { DailyRollup, SOURCES, type BucketKey, type Source } from './model';

const WRITE_BATCH = 500;

/** A record's bucket as a group key, for calls and invitations (agent and reason '' when none). */
const bucketGroup = (day: unknown) => ({
  day,
  site: '$site',
  queue: '$queue',
  agent: { $ifNull: ['$agent', ''] },
  reason: { $ifNull: ['$reason', ''] },
  template: '$templateKey',
});

/** Per source: the collection and the pipeline giving one document per bucket, `_id` the bucket. */
const PIPELINES: Record<Source, { model: { aggregate: typeof ResponseModel.aggregate }; pipeline: PipelineStage[] }> = {
  responses: { model: ResponseModel, pipeline: [{ $group: { _id: RESPONSE_BUCKET_GROUP, ...COUNT_ACCUMULATORS } } as PipelineStage] },
  calls: {
    model: CallModel,
    pipeline: [
      // Calls stored before calls carried their day and template have no bucket.
      { $match: { 'decision.outcome': 'scheduled', day: { $type: 'string' }, templateKey: { $type: 'string' } } },
      { $group: { _id: bucketGroup('$day'), surveyed: { $sum: 1 }, callbacks: { $sum: { $cond: [{ $eq: ['$calledBack', true] }, 1, 0] } } } },
    ],
  },
  invitations: {
    model: Invitation,
    pipeline: [
      { $match: { sentAt: { $ne: null } } },
      // Invitations from before they carried the call's day: the UTC date of their send time, as createInvitation defaults it.
      { $group: { _id: bucketGroup({ $ifNull: ['$day', { $dateToString: { format: '%Y-%m-%d', date: '$sendAt' } }] }), invited: { $sum: 1 } } },
    ],
  },
};

/** Sets this source's counters of every bucket it has, marking them with the rebuild's stamp. Returns how many buckets. */
async function rebuildFrom(source: Source, stamp: Date): Promise<number> {
  const { model, pipeline } = PIPELINES[source];
  const counters = SOURCES[source] as readonly string[];
  let ops: mongo.AnyBulkWriteOperation<Stored>[] = [];
  let buckets = 0;
  const write = async (key: BucketKey, set: Record<string, unknown>) => {
    ops.push({ updateOne: { filter: bucketFilter(key), update: { $set: { ...set, [`rebuilt.${source}`]: stamp } }, upsert: true } });
    buckets += 1;
    if (ops.length >= WRITE_BATCH) {
      await writeRetryingRaces(ops);
      ops = [];
    }
  };
  const coarse = new Map<string, { key: BucketKey; sums: Record<string, number> }>();
  const cursor = model.aggregate<{ _id: BucketKey } & Record<string, number>>(pipeline).allowDiskUse(true).cursor({ batchSize: 1000 });
  for await (const group of cursor) {
    const set = Object.fromEntries(counters.map((c) => [c, Number(group[c] ?? 0)]));
    const key = coarseOf(group._id);
    const sum = coarse.get(bucketId(key)) ?? { key, sums: Object.fromEntries(counters.map((c) => [c, 0])) };
    coarse.set(bucketId(key), sum);
    for (const c of counters) sum.sums[c] = (sum.sums[c] ?? 0) + (set[c] ?? 0);
    await write(group._id, set);
  }
  for (const { key, sums } of coarse.values()) await write(key, sums);
  await writeRetryingRaces(ops);
  return buckets;
}

/**
 * Rebuilds every counter of every bucket from calls, invitations and responses; buckets
 * left with nothing are removed. Changes that land while it runs may be counted from a
 * state it did not see: run it when the app is quiet (it is exact once it has finished
 * over records that did not move).
 */
export async function rebuildRollups(): Promise<{ buckets: number }> {
  const stamp = new Date();
  for (const source of Object.keys(SOURCES) as Source[]) {
    await rebuildFrom(source, stamp);
    // Buckets this source no longer has anything in: its counters go back to zero.
    const zeros = Object.fromEntries((SOURCES[source] as readonly string[]).map((c) => [c, 0]));
    await rollups().updateMany({ [`rebuilt.${source}`]: { $ne: stamp } }, { $set: zeros });
  }
  // Every counter is now set. Every response counts in `responses`: a bucket with none of these four has nothing.
  await DailyRollup.deleteMany({ surveyed: 0, callbacks: 0, invited: 0, responses: 0 });
  return { buckets: await DailyRollup.countDocuments() };
}

/**
 * At start: a database counted before the coarse level existed has detailed buckets and no
 * coarse one (reports would read nothing). Rebuilds it once; true when it did.
 */
export async function rebuildIfNoCoarseLevel(): Promise<boolean> {
  if (!(await DailyRollup.exists({})) || (await DailyRollup.exists({ level: COARSE_LEVEL }))) return false;
  await rebuildRollups();
  return true;
}
