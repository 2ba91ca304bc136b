/**
 * Whether the rollups hold what the responses make: the response counters of every bucket,
 * detailed and coarse, recounted here from the stored responses (through Mongoose's
 * default connection) and compared with the stored buckets. Buckets of responses still
 * rollupPending, or named by a counting mark left behind, can be left out (a crash may
 * leave their counts behind until the start).
 */
import mongoose from 'mongoose';
import { bucketId, bucketOf, coarseOf, countsOf, responseFacts, RESPONSE_COUNTERS } from '../../server/rollups';
import type { FactsSource } from '../../server/rollups/facts';

export interface RollupCheck {
  /** One line per bucket whose counters differ from the recount: `bucket: counter stored ≠ recounted, ...`. */
  mismatches: string[];
  /** Buckets holding a response still rollupPending or named by a counting mark (not compared when `skipPending`). */
  pendingBuckets: number;
}

export async function checkRollups(options: { skipPending: boolean }): Promise<RollupCheck> {
  const stored = await mongoose.connection.collection('responses').find({}).toArray();
  const marks = await mongoose.connection.collection('countingmarks').find({}).toArray();
  const marked = new Set(marks.flatMap((m) => (m.invitations as string[] | undefined) ?? []));
  const expected = new Map<string, Record<string, number>>();
  const pending = new Set<string>();
  for (const response of stored) {
    const facts = responseFacts(response as unknown as FactsSource);
    for (const key of [facts.bucket, coarseOf(facts.bucket)]) {
      const sums = expected.get(bucketId(key)) ?? {};
      for (const [counter, n] of Object.entries(countsOf(facts))) sums[counter] = (sums[counter] ?? 0) + n;
      expected.set(bucketId(key), sums);
      if (response.rollupPending === true || marked.has(String(response.invitationId))) pending.add(bucketId(key));
    }
  }
  const buckets = new Map<string, Record<string, unknown>>();
  for (const b of await mongoose.connection.collection('rollups').find({}).toArray()) {
    buckets.set(bucketId(bucketOf({ day: b.day, site: b.site, queue: b.queue, agent: b.agent, reason: b.reason, templateKey: b.template })), b);
  }
  const mismatches: string[] = [];
  for (const id of new Set([...expected.keys(), ...buckets.keys()])) {
    if (options.skipPending && pending.has(id)) continue;
    const counted = expected.get(id) ?? {};
    const bucket = buckets.get(id) ?? {};
    const differ = RESPONSE_COUNTERS.filter((c) => Number(bucket[c] ?? 0) !== (counted[c] ?? 0));
    if (differ.length > 0) mismatches.push(`${id}: ${differ.map((c) => `${c} ${Number(bucket[c] ?? 0)} ≠ ${counted[c] ?? 0}`).join(', ')}`);
  }
  return { mismatches, pendingBuckets: pending.size };
}
