/**
 * Ingest's part of the delivery counters: every stored surveyed call adds one to its
 * bucket's `surveyed` (counted while the batch is being stored, taken back for the calls
 * that were not), and callbacks are found. A surveyed call is called back when its
 * customer called the same queue again within 7 days after it (another call ending in
 * (endedAt, endedAt + 7 days]), whichever of the two arrived first. A flag is set once, and
 * only the write that set it counts it, so concurrent batches never count one twice.
 */
import type { Types } from 'mongoose';
import { addDeliveries, type BucketSource, type DeliveryCount } from '../rollups';
import { localDate } from '../time/local-time';
import { CallModel } from './model';

export const CALLBACK_WINDOW_MS = 7 * 86_400_000;

const QUARTER_HOUR_MS = 900_000;
/** Time zone → UTC quarter hour → local date. */
const days = new Map<string, Map<number, string>>();

/**
 * A call's day in the reports: its end as a local date at its site. Memoised per UTC
 * quarter hour (offsets and their changes come in whole quarter hours, so the date cannot
 * change inside one): a batch's thousand calls mostly share a few.
 */
export function reportingDay(endedAt: Date, timeZone: string): string {
  let zone = days.get(timeZone);
  if (!zone) days.set(timeZone, (zone = new Map()));
  const quarter = Math.floor(endedAt.getTime() / QUARTER_HOUR_MS);
  let day = zone.get(quarter);
  if (day === undefined) {
    if (zone.size >= 10_000) zone.clear();
    zone.set(quarter, (day = localDate(endedAt, timeZone)));
  }
  return day;
}

/** What the count needs of a stored call. */
export interface CountedCall {
  _id: Types.ObjectId;
  customerHash: string;
  queue: string;
  endedAt: Date;
  site: string;
  agent: string | null;
  reason: string | null;
  /** Null on calls stored before they carried these: they have no bucket and are left alone. */
  day: string | null;
  templateKey: string | null;
  decision: { outcome: string };
  calledBack?: boolean;
}

/** The fields of a stored call the count reads. */
export const NEARBY_FIELDS = { customerHash: 1, queue: 1, endedAt: 1, site: 1, agent: 1, reason: 1, day: 1, templateKey: 1, 'decision.outcome': 1, calledBack: 1 } as const;

/** The ends a call can be a callback of, or have as callback, for calls ending at `ends` (ms). */
export function callbackWindow(ends: readonly number[]): { $gte: Date; $lte: Date } {
  return { $gte: new Date(Math.min(...ends) - CALLBACK_WINDOW_MS), $lte: new Date(Math.max(...ends) + CALLBACK_WINDOW_MS) };
}

/** The stored calls of these calls' customers and queues within the callback window of their ends. */
function findNearby(calls: readonly CountedCall[]): Promise<CountedCall[]> {
  return CallModel.find(
    {
      customerHash: { $in: [...new Set(calls.map((c) => c.customerHash))] },
      queue: { $in: [...new Set(calls.map((c) => c.queue))] },
      endedAt: callbackWindow(calls.map((c) => c.endedAt.getTime())),
    },
    NEARBY_FIELDS,
  ).lean<CountedCall[]>();
}

/**
 * Chunks of this process between their lookup and their count (id → start). A chunk that
 * failed before counting never leaves: it is forgotten after STALE_MS.
 */
const inFlight = new Map<number, number>();
let lastChunk = 0;
const STALE_MS = 60_000;

export interface ChunkWatch {
  /** Whether another chunk of this process ran since the watch began (it may have stored calls the lookup missed). */
  overlapped(): boolean;
  release(): void;
}

/**
 * Called before a chunk's lookups. The calls near the new ones are read with the quarantine's
 * lookup (lookups.ts), before the batch is stored: reading after would read the batch
 * back too, most of the cost for nothing. Another chunk of this process overlapping this
 * one may store calls that lookup missed: then countIngested reads again once the batch is
 * stored. Ingest in several processes at once can miss a callback between two calls posted
 * at the same moment, as the quarantine can let both be surveyed.
 */
export function watchChunk(): ChunkWatch {
  const now = Date.now();
  for (const [id, since] of inFlight) if (now - since > STALE_MS) inFlight.delete(id);
  const id = ++lastChunk;
  const concurrent = inFlight.size > 0;
  inFlight.set(id, now);
  return { overlapped: () => concurrent || lastChunk !== id, release: () => inFlight.delete(id) };
}

type Bucketed = CountedCall & { day: string; templateKey: string };

function surveyed(call: CountedCall): call is Bucketed {
  return call.decision.outcome === 'scheduled' && typeof call.day === 'string' && typeof call.templateKey === 'string';
}

function bucketSource(call: Bucketed): BucketSource {
  return { day: call.day, site: call.site, queue: call.queue, agent: call.agent, reason: call.reason, templateKey: call.templateKey };
}

/**
 * Adds one to `surveyed` for each surveyed call among these (one rollup write; none if
 * there is none), or takes it back with `sign` −1. Ingest counts a batch while storing it,
 * the count's round trip hidden behind the inserts, and takes back the calls that were
 * then refused or removed.
 */
export async function countSurveyed(calls: readonly CountedCall[], sign: 1 | -1 = 1): Promise<void> {
  await addDeliveries(calls.filter(surveyed).map((call) => ({ of: bucketSource(call), surveyed: sign })));
}

/**
 * Counts the callbacks a batch of newly stored calls reveals, theirs and earlier calls'
 * (no write when no customer called twice). `nearby`: the stored calls near them, read
 * before they were stored.
 */
export async function countCallbacks(calls: CountedCall[], nearby: CountedCall[], watch: ChunkWatch): Promise<void> {
  try {
    if (calls.length === 0) return;
    const around = watch.overlapped() ? await findNearby(calls) : [...nearby, ...calls];
    const counts: DeliveryCount[] = await markCallbacks(around);
    if (counts.length > 0) await addDeliveries(counts);
  } finally {
    watch.release();
  }
}

/** Flags every surveyed call among these that has a later call of its customer and queue within the window; returns the callbacks per bucket. */
async function markCallbacks(calls: CountedCall[]): Promise<DeliveryCount[]> {
  // Most batches have each customer once: only customers with several calls are grouped.
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const call of calls) (seen.has(call.customerHash) ? repeated : seen).add(call.customerHash);
  if (repeated.size === 0) return [];
  const byCustomerQueue = new Map<string, CountedCall[]>();
  for (const call of calls) {
    if (!repeated.has(call.customerHash)) continue;
    const key = `${call.customerHash}|${call.queue}`;
    const group = byCustomerQueue.get(key);
    if (group) group.push(call);
    else byCustomerQueue.set(key, [call]);
  }
  const flips = new Map<string, { of: BucketSource; ids: Types.ObjectId[] }>();
  for (const group of byCustomerQueue.values()) {
    if (group.length < 2) continue;
    const ends = group.map((c) => c.endedAt.getTime());
    group.forEach((call, i) => {
      if (call.calledBack === true || !surveyed(call)) return;
      const end = ends[i] as number;
      if (!ends.some((t) => t > end && t <= end + CALLBACK_WINDOW_MS)) return;
      const of = bucketSource(call);
      const key = JSON.stringify(of);
      const entry = flips.get(key) ?? { of, ids: [] };
      entry.ids.push(call._id);
      flips.set(key, entry);
    });
  }
  // One update per bucket: its modified count is how many this batch flagged (a concurrent one may have flagged some).
  return Promise.all(
    [...flips.values()].map(async ({ of, ids }) => {
      const { modifiedCount } = await CallModel.updateMany({ _id: { $in: ids }, calledBack: { $ne: true } }, { $set: { calledBack: true } });
      return { of, callbacks: modifiedCount };
    }),
  );
}
