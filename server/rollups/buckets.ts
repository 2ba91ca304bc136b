/**
 * Buckets and counter writes: the bucket of a call, invitation or response, and adding
 * to the counters of many buckets in one bulkWrite (a missing bucket is created with the
 * counters it was given; the others are absent, which reads as zero). Deliveries,
 * responses and the rebuild write through here.
 *
 * Two levels live in the collection: the detailed buckets, and one coarse bucket per
 * day × site × queue × template (agent and reason both COARSE) holding the sum of its
 * detailed ones, so reports that do not split by agent or reason read a few documents
 * per day instead of one per agent and reason. Every increment goes to both, in one write.
 */
import type { mongo } from 'mongoose';
import { DailyRollup, type BucketKey, type Counter } from './model';

/** Where a bucket is read from: a call, an invitation or a response (`agent`/`reason` null when none). */
export interface BucketSource {
  day: string;
  site: string;
  queue: string;
  agent?: string | null;
  reason?: string | null;
  templateKey: string;
}

/**
 * The agent and reason of a coarse bucket. Calls' agents and reasons are trimmed at the
 * edge (server/calls/schemas.ts), so no real one starts with a space ('*' alone could be an agent).
 */
export const COARSE = ' *';

/**
 * The `level` field of a coarse bucket (detailed buckets have none): reports pick a level
 * by equality on it, which the {site, day, level} index answers exactly for either level.
 */
export const COARSE_LEVEL = 'coarse';

/** The coarse bucket a detailed bucket adds to (a coarse bucket is its own). */
export function coarseOf(key: BucketKey): BucketKey {
  return { day: key.day, site: key.site, queue: key.queue, agent: COARSE, reason: COARSE, template: key.template };
}

export const isCoarse = (key: BucketKey): boolean => key.agent === COARSE && key.reason === COARSE;

export function bucketOf({ day, site, queue, agent, reason, templateKey }: BucketSource): BucketKey {
  return { day, site, queue, agent: agent ?? '', reason: reason ?? '', template: templateKey };
}

/** A string naming the bucket, for maps and sets: each field prefixed by its length, so that no two buckets share one. */
export function bucketId(key: BucketKey): string {
  let id = '';
  for (const field of [key.day, key.site, key.queue, key.agent, key.reason, key.template]) id += `${field.length}:${field}`;
  return id;
}

/** The bucket's unique key as a filter: every field of the unique index, in its order. */
function keyFilter(key: BucketKey): BucketKey {
  return { day: key.day, site: key.site, queue: key.queue, agent: key.agent, reason: key.reason, template: key.template };
}

/** The bucket's document: its unique key, and the level of a coarse bucket (set when an upsert creates it). */
export function bucketFilter(key: BucketKey): BucketKey & { level?: typeof COARSE_LEVEL } {
  return isCoarse(key) ? { ...keyFilter(key), level: COARSE_LEVEL } : keyFilter(key);
}

/** Counters plus responseSeq, the recount guard (model.ts). */
export type Increment = Partial<Record<Counter | 'responseSeq', number>>;

export type Stored = mongo.Document;
/** The driver's collection: counter writes come by the thousand at ingest; their documents are spelled out here. */
export const rollups = () => DailyRollup.collection as unknown as mongo.Collection<Stored>;

/**
 * Adds each increment to its bucket and to that bucket's coarse one, merging those of one
 * bucket, in one unordered bulkWrite; zero changes are left out and nothing is written when none remains. Two
 * writers creating the same bucket at once: the one refused by the unique index retries.
 * Ingest writes a few hundred buckets per batch of calls: each operation is only its $inc.
 */
export async function incrementBuckets(changes: { bucket: BucketKey; inc: Increment }[]): Promise<void> {
  await writeRetryingRaces(bucketUpdates(changes).map(({ filter, update }) => ({ updateOne: { filter, update, upsert: true } })));
}

/** An upsert adding to a bucket's counters; a coarse bucket's level is set when the upsert creates it. */
export interface BucketUpdate {
  filter: mongo.Filter<Stored>;
  update: { $inc: Record<string, number>; $setOnInsert?: { level: typeof COARSE_LEVEL } };
}

/**
 * The upserts of incrementBuckets: per bucket (and its coarse one) the sum of its
 * increments, zero fields and empty buckets left out. Each is found by its unique key
 * alone, which the database answers without re-checking the document (a coarse bucket's
 * level goes in $setOnInsert rather than in the filter).
 */
export function bucketUpdates(changes: { bucket: BucketKey; inc: Increment }[]): BucketUpdate[] {
  const merged = new Map<string, { bucket: BucketKey; inc: Record<string, number> }>();
  const add = (bucket: BucketKey, inc: Increment) => {
    const id = bucketId(bucket);
    let entry = merged.get(id);
    if (!entry) merged.set(id, (entry = { bucket, inc: {} }));
    for (const field in inc) entry.inc[field] = (entry.inc[field] ?? 0) + (inc[field as keyof Increment] ?? 0);
  };
  for (const { bucket, inc } of changes) {
    add(bucket, inc);
    if (!isCoarse(bucket)) add(coarseOf(bucket), inc);
  }
  const updates: BucketUpdate[] = [];
  for (const { bucket, inc } of merged.values()) {
    let nonZero: Record<string, number> | null = null;
    for (const field in inc) if (inc[field] !== 0) (nonZero ??= {})[field] = inc[field] as number;
    if (!nonZero) continue;
    updates.push({ filter: keyFilter(bucket), update: isCoarse(bucket) ? { $inc: nonZero, $setOnInsert: { level: COARSE_LEVEL } } : { $inc: nonZero } });
  }
  return updates;
}

/** bulkWrite; operations refused by the unique index (a racing upsert created the bucket) run once more, now as updates. */
export async function writeRetryingRaces(ops: mongo.AnyBulkWriteOperation<Stored>[]): Promise<void> {
  if (ops.length === 0) return;
  try {
    await rollups().bulkWrite(ops, { ordered: false });
  } catch (err) {
    const writeErrors = (err as { writeErrors?: { index: number; code?: number }[] }).writeErrors;
    if (!Array.isArray(writeErrors) || writeErrors.length === 0 || writeErrors.some((w) => w.code !== 11000)) throw err;
    await rollups().bulkWrite(
      writeErrors.map((w) => ops[w.index] as mongo.AnyBulkWriteOperation<Stored>),
      { ordered: false },
    );
  }
}
