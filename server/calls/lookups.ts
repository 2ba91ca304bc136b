/**
 * What ingest looks up for a batch of valid calls, a few queries per batch rather than
 * per call: their queues and sites (resolving each call's site), the externalIds
 * already stored, suppressions, the customers' surveys near these dates and calls near
 * their ends (callbacks), and the agents' scheduled surveys per queue and ISO week.
 * Decisions are eligibility.ts's job.
 */
import { Types } from 'mongoose';
import { hashEmail, suppressionsByHash, type SuppressionReason } from '../suppressions';
import { queueByCode, siteAt, type Queue } from '../queues';
import { siteByCode, type Site } from '../sites';
import { isoWeekOfDate } from '../time/local-time';
import { callbackWindow, NEARBY_FIELDS, reportingDay, type CountedCall } from './callbacks';
import { CallModel } from './model';
import type { CallInput } from './schemas';

const DAY_MS = 86_400_000;

/** A valid call with everything its decision needs about itself. */
export interface ResolvedCall {
  call: CallInput;
  queue: Queue;
  site: Site;
  customerHash: string;
  /** ISO week of endedAt in the site's zone. */
  week: string;
}

export interface References {
  queues: Map<string, Queue | null>;
  sites: Map<string, Site | null>;
}

/** Lookups one key at a time run this many at once: enough to keep the database busy, not to flood its pool. */
const CONCURRENCY = 16;

/** `find` for each distinct key, a few at a time; missing keys map to null. */
export async function lookupAll<T>(keys: Iterable<string>, find: (key: string) => Promise<T | null>): Promise<Map<string, T | null>> {
  const unique = [...new Set(keys)];
  const found = new Map<string, T | null>();
  let next = 0;
  const worker = async () => {
    while (next < unique.length) {
      const key = unique[next++] as string;
      found.set(key, (await find(key)) ?? null);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, unique.length) }, worker));
  return found;
}

/** Queues by code (missing ones map to null). */
export function loadQueues(codes: Iterable<string>): Promise<Map<string, Queue | null>> {
  return lookupAll(codes, (code) => queueByCode(code));
}

/**
 * Every site these calls name or their queue had when they ended, with `queues` (from
 * loadQueues) for reference; the sites in `known` are not looked up again (nor returned).
 */
export async function loadReferences(calls: readonly CallInput[], queues: Map<string, Queue | null>, known?: ReadonlyMap<string, Site | null>): Promise<References> {
  const siteCodes = calls.flatMap((c) => {
    const queue = queues.get(c.queue);
    return [c.site, queue ? queueSiteAt(queue, c.endedAt) : null].filter((s): s is string => Boolean(s) && !known?.has(s as string));
  });
  const sites = await lookupAll(siteCodes, (code) => siteByCode(code));
  return { queues, sites };
}

/**
 * The site that had the queue when the call ended. A call from before the queue's first
 * assignment (the queue was set up just after its calls began) goes to that first site.
 */
export function queueSiteAt(queue: Queue, endedAt: Date): string | null {
  return siteAt(queue.assignments, endedAt) ?? queue.assignments[0]?.site ?? null;
}

/**
 * The call with its queue, site, customer hash and week; or why it cannot be taken (an
 * `invalid` reason). `known`: the same call resolved before from another reading, whose
 * hash and week are reused where they were computed from the same values.
 */
export function resolveCall(call: CallInput, refs: References, known?: ResolvedCall | null): { resolved: ResolvedCall } | { reason: string } {
  const queue = refs.queues.get(call.queue);
  if (!queue) return { reason: `queue ${call.queue} is unknown` };
  const code = call.site ?? queueSiteAt(queue, call.endedAt);
  if (!code) return { reason: `queue ${call.queue} has no site; send site` };
  const site = refs.sites.get(code);
  if (!site) return { reason: `site ${code} is unknown` };
  const customerHash = known && known.call.customer.email === call.customer.email ? known.customerHash : hashEmail(call.customer.email);
  const week = known && known.site === site && known.call.endedAt.getTime() === call.endedAt.getTime() ? known.week : isoWeekOfDate(reportingDay(call.endedAt, site.timezone));
  return { resolved: { call, queue, site, customerHash, week } };
}

/** Which of these externalIds are already stored. */
export async function storedExternalIds(ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const found = await CallModel.find({ externalId: { $in: ids } }, { externalId: 1, _id: 0 }).lean<{ externalId: string }[]>();
  return new Set(found.map((f) => f.externalId));
}

export interface History {
  /** By customer hash. */
  suppressions: Map<string, SuppressionReason>;
  /** Send times of scheduled surveys, by customer hash. */
  surveys: Map<string, Date[]>;
  /** Scheduled surveys by `${queue}|${agent}|${week}`. */
  agentWeeks: Map<string, number>;
  /** Stored calls of these customers and queues ending within the callback window of one of these calls. */
  nearby: CountedCall[];
}

export function agentWeekKey(queue: string, agent: string, week: string): string {
  return `${queue}|${agent}|${week}`;
}

/**
 * Suppressions, nearby surveys and agent counts for the calls about to be decided;
 * the stored calls whose ids are in `exclude` (hex) are left out.
 */
export async function loadHistory(calls: readonly ResolvedCall[], now: Date, exclude: ReadonlySet<string> = new Set()): Promise<History> {
  const [suppressions, { surveys, nearby }, agentWeeks] = await Promise.all([
    suppressionsByHash(calls.map((c) => c.customerHash)),
    customerCalls(calls, now, exclude),
    agentWeekCounts(calls, exclude),
  ]);
  return { suppressions, surveys, agentWeeks, nearby };
}

/** Whether the history read for `expected` is the history of `call`: same customer, queue, agent, end and week. */
export function coversCall(expected: ResolvedCall | null, call: ResolvedCall): boolean {
  return (
    expected !== null &&
    expected.customerHash === call.customerHash &&
    expected.queue.code === call.queue.code &&
    expected.call.agent === call.call.agent &&
    expected.call.endedAt.getTime() === call.call.endedAt.getTime() &&
    expected.week === call.week
  );
}

/**
 * Adds `more`, read later for other calls, to `history`: a call or survey read twice counts
 * once, and an agent's week keeps the larger count (the later read may include calls stored since).
 */
export function mergeHistory(history: History, more: History): void {
  for (const [hash, reason] of more.suppressions) history.suppressions.set(hash, reason);
  for (const [hash, dates] of more.surveys) {
    const known = history.surveys.get(hash) ?? [];
    const times = new Set(known.map((d) => d.getTime()));
    history.surveys.set(hash, [...known, ...dates.filter((d) => !times.has(d.getTime()))]);
  }
  for (const [key, n] of more.agentWeeks) history.agentWeeks.set(key, Math.max(n, history.agentWeeks.get(key) ?? 0));
  const ids = new Set(history.nearby.map((c) => c._id.toHexString()));
  history.nearby.push(...more.nearby.filter((c) => !ids.has(c._id.toHexString())));
}

/** One query for both: the customers' surveys near these dates, and their calls near these ends. */
async function customerCalls(calls: readonly ResolvedCall[], now: Date, exclude: ReadonlySet<string>): Promise<Pick<History, 'surveys' | 'nearby'>> {
  const surveys = new Map<string, Date[]>();
  if (calls.length === 0) return { surveys, nearby: [] };
  const ends = calls.map((c) => c.call.endedAt.getTime());
  const window = callbackWindow(ends);
  // Every survey that could quarantine one of these calls: within quarantineDays of its send time.
  const maxDays = Math.max(...calls.map((c) => c.queue.survey.quarantineDays));
  const from = new Date(Math.min(...ends) - maxDays * DAY_MS);
  const to = new Date(Math.max(Math.max(...ends), now.getTime()) + (maxDays + 2) * DAY_MS);
  const near: Record<string, unknown>[] = [{ endedAt: window }];
  if (maxDays > 0) near.push({ 'decision.sendAt': { $gte: from, $lte: to } });
  const found = await CallModel.find(
    { customerHash: { $in: [...new Set(calls.map((c) => c.customerHash))] }, $or: near },
    { ...NEARBY_FIELDS, 'decision.sendAt': 1 },
  ).lean<(CountedCall & { decision: { sendAt: Date | null } })[]>();
  const queues = new Set(calls.map((c) => c.call.queue));
  const nearby: CountedCall[] = [];
  for (const f of found) {
    if (exclude.size > 0 && exclude.has(f._id.toHexString())) continue;
    const sendAt = f.decision.sendAt;
    if (maxDays > 0 && sendAt && sendAt >= from && sendAt <= to) {
      const list = surveys.get(f.customerHash) ?? [];
      list.push(sendAt);
      surveys.set(f.customerHash, list);
    }
    if (queues.has(f.queue) && f.endedAt >= window.$gte && f.endedAt <= window.$lte) nearby.push(f);
  }
  return { surveys, nearby };
}

async function agentWeekCounts(calls: readonly ResolvedCall[], exclude: ReadonlySet<string>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const balanced = calls.filter((c) => c.call.agent && c.queue.survey.minPerAgentPerWeek > 0);
  if (balanced.length === 0) return counts;
  const rows = await CallModel.aggregate<{ _id: { queue: string; agent: string; week: string }; n: number }>([
    {
      $match: {
        queue: { $in: [...new Set(balanced.map((c) => c.queue.code))] },
        agent: { $in: [...new Set(balanced.map((c) => c.call.agent as string))] },
        week: { $in: [...new Set(balanced.map((c) => c.week))] },
        'decision.outcome': 'scheduled',
        ...(exclude.size > 0 ? { _id: { $nin: [...exclude].map((id) => new Types.ObjectId(id)) } } : {}),
      },
    },
    { $group: { _id: { queue: '$queue', agent: '$agent', week: '$week' }, n: { $sum: 1 } } },
  ]);
  for (const row of rows) counts.set(agentWeekKey(row._id.queue, row._id.agent, row._id.week), row.n);
  return counts;
}
