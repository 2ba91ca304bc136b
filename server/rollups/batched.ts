/**
 * Response changes counted together: saves whose change arrives while a rollup write is in
 * flight wait and go out in the next one, as one bulkWrite of $inc upserts (per bucket,
 * the sum of their deltas). Each save still waits for the write that counts it, so a
 * report read after an answer includes it; a failed write fails every save it carried,
 * which stay rollupPending for the recount at start.
 */
import { createCoalescer, namespaceOf, type ClientWrite } from '../db';
import { bucketUpdates, incrementBuckets } from './buckets';
import { DailyRollup } from './model';
import type { ResponseFacts } from './facts';
import { changeIncrements } from './response-counts';

/** One save's change: before null for a new response. */
export interface ResponseChange {
  before: ResponseFacts | null;
  after: ResponseFacts;
}

/** applyResponseChange for many saves: their deltas summed per bucket, one round trip (none if nothing changed). */
export async function applyResponseChanges(changes: ResponseChange[]): Promise<void> {
  await incrementBuckets(changes.flatMap((c) => changeIncrements(c.before, c.after)));
}

/**
 * applyResponseChanges as writes to join another command (MongoDB 8's bulkWrite across
 * collections): the same upserts, none when nothing changed.
 */
export function responseChangeWrites(changes: ResponseChange[]): ClientWrite[] {
  const namespace = namespaceOf(DailyRollup);
  return bucketUpdates(changes.flatMap((c) => changeIncrements(c.before, c.after))).map(({ filter, update }) => ({ namespace, name: 'updateOne', filter, update, upsert: true }));
}

/** Saves counted per write at most: a few hundred buckets make a bulkWrite of a few dozen kilobytes. */
const MAX_BATCH = 256;

const counted = createCoalescer<ResponseChange>(applyResponseChanges, { maxBatch: MAX_BATCH });

/** applyResponseChange, grouped with the other saves of the moment (see above). */
export function countResponseChange(before: ResponseFacts | null, after: ResponseFacts): Promise<void> {
  return counted({ before, after });
}
