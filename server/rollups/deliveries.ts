/**
 * The delivery counters as calls and emails happen: ingest adds the calls it scheduled
 * (surveyed) and the surveyed calls it found called back; the dispatch worker adds the
 * invitations whose first email went out (invited). Each batch is one bulkWrite. What
 * decides these events belongs to calls and invitations; this only counts them.
 */
import { bucketOf, incrementBuckets, type BucketSource } from './buckets';

export interface DeliveryCount {
  /** The call's or invitation's bucket fields. */
  of: BucketSource;
  surveyed?: number;
  callbacks?: number;
  invited?: number;
}

/** Adds the counts to their buckets (creating missing ones) in one round trip; none when all are zero. */
export async function addDeliveries(counts: DeliveryCount[]): Promise<void> {
  await incrementBuckets(
    counts.map(({ of, surveyed = 0, callbacks = 0, invited = 0 }) => ({ bucket: bucketOf(of), inc: { surveyed, callbacks, invited } })),
  );
}
