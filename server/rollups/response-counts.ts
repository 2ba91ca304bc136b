/**
 * Keeping the response counters equal to the responses (the protocol in the responses
 * service's save): a save adds the change it made; start-up after a crash recounts the
 * buckets of responses left pending (or named by a counting mark left behind) from the
 * responses instead. Response documents are read here; only their rollupPending flag and
 * uncounted saves are written.
 */
import { ResponseModel } from '../responses/model';
import { bucketFilter, bucketId, bucketOf, coarseOf, incrementBuckets, isCoarse, rollups, type Increment } from './buckets';
import { leftMarks, removeMarks } from './counting-marks';
import { COUNT_ACCUMULATORS, countsDelta, zeroCounts, type ResponseCounts, type ResponseFacts } from './facts';
import type { BucketKey } from './model';

/**
 * Adds after − before to the bucket (before null for a new response), creating the bucket
 * if needed; one round trip, none when nothing counted changed.
 */
export async function applyResponseChange(before: ResponseFacts | null, after: ResponseFacts): Promise<void> {
  await incrementBuckets(changeIncrements(before, after));
}

/**
 * The increments of one save: after − before on its bucket, with a step of the recount
 * guard; none when nothing counted changed. A response never changes bucket, but if the
 * two differ each gets its part.
 */
export function changeIncrements(before: ResponseFacts | null, after: ResponseFacts): { bucket: BucketKey; inc: Increment }[] {
  if (before && bucketId(before.bucket) !== bucketId(after.bucket)) {
    return [
      { bucket: before.bucket, inc: withSeq(countsDelta(null, before), -1) },
      { bucket: after.bucket, inc: withSeq(countsDelta(null, after), 1) },
    ];
  }
  const delta = countsDelta(before, after);
  if (Object.values(delta).every((n) => n === 0)) return [];
  return [{ bucket: after.bucket, inc: { ...delta, responseSeq: 1 } }];
}

function withSeq(counts: ResponseCounts, sign: 1 | -1) {
  return { ...Object.fromEntries(Object.entries(counts).map(([c, n]) => [c, sign * n])), responseSeq: 1 };
}

/** The responses of a bucket (the bucket's '' is a response's null; a coarse bucket has every agent and reason). */
function responsesOf(key: BucketKey): Record<string, unknown> {
  if (isCoarse(key)) return { day: key.day, site: key.site, queue: key.queue, templateKey: key.template };
  return {
    day: key.day,
    site: key.site,
    queue: key.queue,
    agent: key.agent === '' ? { $in: [null, ''] } : key.agent,
    reason: key.reason === '' ? { $in: [null, ''] } : key.reason,
    templateKey: key.template,
  };
}

/** The response counters of a bucket, counted from its responses. */
async function countBucket(key: BucketKey): Promise<ResponseCounts> {
  const [row] = await ResponseModel.aggregate<ResponseCounts>([{ $match: responsesOf(key) }, { $group: { _id: null, ...COUNT_ACCUMULATORS } }]);
  const counts = zeroCounts();
  if (row) for (const c of Object.keys(counts) as (keyof ResponseCounts)[]) counts[c] = Number(row[c] ?? 0);
  return counts;
}

/** A recount that kept losing to concurrent changes gives up after this many tries (the response stays pending). */
const MAX_RECOUNT_TRIES = 8;

/**
 * Sets one bucket's response counters to the count of its responses, unless a save changed
 * them meanwhile (then it counts again), and clears rollupPending on the responses it
 * counted whose revision has not moved since (not for a coarse bucket: its responses are
 * cleared by the recount of their detailed bucket, which comes after it).
 */
async function recountBucket(key: BucketKey): Promise<void> {
  const clearsPending = !isCoarse(key);
  const filter = bucketFilter(key);
  for (let attempt = 1; attempt <= MAX_RECOUNT_TRIES; attempt++) {
    // Guard first, then the pending responses, then the count: what is cleared was counted.
    const [current, pending] = await Promise.all([
      rollups().findOne(filter, { projection: { responseSeq: 1 } }),
      clearsPending
        ? ResponseModel.find({ ...responsesOf(key), rollupPending: true }, { _id: 1, revision: 1 }).lean<{ _id: unknown; revision: number }[]>()
        : [],
    ]);
    const counts = await countBucket(key);
    if (await writeCounts(filter, current, counts)) {
      if (pending.length > 0) {
        await ResponseModel.bulkWrite(
          pending.map((p) => ({ updateOne: { filter: { _id: p._id, revision: p.revision, rollupPending: true }, update: { $set: { rollupPending: false, rollupUncounted: 0 } } } })),
          { ordered: false },
        );
      }
      return;
    }
  }
  throw new Error(`The rollup bucket ${bucketId(key)} kept changing while it was recounted; it stays pending.`);
}

/** Writes the counts if the bucket's responseSeq is still the one read; false when it moved (or the bucket appeared). */
async function writeCounts(filter: ReturnType<typeof bucketFilter>, current: Record<string, unknown> | null, counts: ResponseCounts): Promise<boolean> {
  if (!current) {
    if (counts.responses === 0) return true;
    try {
      const created = await rollups().updateOne(filter, { $setOnInsert: { ...counts, responseSeq: 0 } }, { upsert: true });
      return created.upsertedCount === 1;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }
  const seq = (current.responseSeq as number | undefined) ?? null;
  const written = await rollups().updateOne({ ...filter, responseSeq: seq }, { $set: counts });
  return written.matchedCount === 1;
}

/**
 * Recounts the response counters of these buckets and of their coarse buckets from the
 * responses, clears rollupPending on them. Idempotent. The coarse buckets go first: a
 * response is cleared only once both its buckets have counted it. Only while no save is
 * in flight (start-up, tests): a save's change landing after the count would count twice.
 */
export async function recountBuckets(buckets: BucketKey[]): Promise<void> {
  const coarse = new Map(buckets.map((b) => coarseOf(b)).map((b) => [bucketId(b), b]));
  const detailed = new Map(buckets.filter((b) => !isCoarse(b)).map((b) => [bucketId(b), b]));
  for (const key of [...coarse.values(), ...detailed.values()]) await recountBucket(key);
}

/**
 * At start: recounts the buckets of every response left rollupPending, and of the responses
 * named by counting marks left behind (a save or a group's command interrupted by a crash),
 * then removes those marks. Returns how many responses.
 */
export async function reconcilePendingRollups(): Promise<number> {
  const marks = await leftMarks();
  const filter = marks.invitations.length > 0 ? { $or: [{ rollupPending: true }, { invitationId: { $in: marks.invitations } }] } : { rollupPending: true };
  const pending = await ResponseModel.find(filter, { _id: 0, day: 1, site: 1, queue: 1, agent: 1, reason: 1, templateKey: 1 }).lean<
    { day: string; site: string; queue: string; agent: string | null; reason: string | null; templateKey: string }[]
  >();
  if (pending.length > 0) await recountBuckets(pending.map((p) => bucketOf(p)));
  await removeMarks(marks.ids);
  return pending.length;
}
