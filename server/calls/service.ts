/**
 * Reading calls and their decisions: one call by externalId (API, admin page) and the
 * decision log (filtered calls, newest first, with counts per outcome per queue and
 * per agent). Writing calls is ingest.ts's job. Throws NotFound; never sees req/res.
 */
import { Types, type PipelineStage } from 'mongoose';
import { NotFound } from '../errors';
import { CallModel, STORED_OUTCOMES, type CallRecord, type StoredOutcome } from './model';
import type { LogFilter } from './schemas';

export const LOG_PAGE_SIZE = 50;
const DAY_MS = 86_400_000;

/** Throws NotFound (CALL_NOT_FOUND). */
export async function getCall(externalId: string): Promise<CallRecord> {
  const call = await CallModel.findOne({ externalId }).lean<CallRecord>();
  if (!call) throw new NotFound(`There is no call ${externalId}.`, { code: 'CALL_NOT_FOUND' });
  return call;
}

/** The JSON shape of a call and its decision (GET /api/v1/calls/:externalId). */
export function callJson(call: CallRecord) {
  const { externalId, endedAt, site, queue, agent, reason, durationSec, customer, decision, source, createdAt } = call;
  return {
    externalId,
    endedAt,
    site,
    queue,
    agent,
    reason,
    durationSec,
    customer: { email: customer.email, name: customer.name, locale: customer.locale },
    decision: {
      outcome: decision.outcome,
      reason: decision.reason,
      sendAt: decision.sendAt ?? undefined,
      decidedAt: decision.decidedAt,
    },
    source: { type: source.type },
    receivedAt: createdAt,
  };
}

/** The MongoDB filter of the log's filters (dates are whole UTC days, `to` included). */
export function logMatch(filter: LogFilter, options: { paging?: boolean } = {}): Record<string, unknown> {
  const match: Record<string, unknown> = {};
  if (filter.queue) match.queue = filter.queue;
  if (filter.agent) match.agent = filter.agent;
  if (filter.site) match.site = filter.site;
  if (filter.outcome) match['decision.outcome'] = filter.outcome;
  const ended: Record<string, Date> = {};
  if (filter.from) ended.$gte = new Date(`${filter.from}T00:00:00Z`);
  if (filter.to) ended.$lt = new Date(new Date(`${filter.to}T00:00:00Z`).getTime() + DAY_MS);
  if (Object.keys(ended).length > 0) match.endedAt = ended;
  const cursor = options.paging ? parseCursor(filter.before) : null;
  // After the last call shown: earlier end, or the same end and a smaller id (ends can tie).
  if (cursor) match.$or = [{ endedAt: { $lt: cursor.endedAt } }, { endedAt: cursor.endedAt, _id: { $lt: cursor.id } }];
  return match;
}

/** `before` is "<endedAt ISO>_<call id>". */
function parseCursor(before: string | undefined): { endedAt: Date; id: Types.ObjectId } | null {
  const [iso, id] = (before ?? '').split('_');
  const endedAt = new Date(iso ?? '');
  if (!id || !Types.ObjectId.isValid(id) || Number.isNaN(endedAt.getTime())) return null;
  return { endedAt, id: new Types.ObjectId(id) };
}

/** A page of calls matching the filter, newest first; `next` is the `before` of the following page. */
export async function listCalls(filter: LogFilter): Promise<{ calls: CallRecord[]; next: string | null }> {
  const calls = await CallModel.find(logMatch(filter, { paging: true }))
    .sort({ endedAt: -1, _id: -1 })
    .limit(LOG_PAGE_SIZE + 1)
    .lean<CallRecord[]>();
  const page = calls.slice(0, LOG_PAGE_SIZE);
  const last = page[page.length - 1];
  return { calls: page, next: calls.length > LOG_PAGE_SIZE && last ? `${last.endedAt.toISOString()}_${last._id.toHexString()}` : null };
}

export interface CountRow {
  key: string;
  counts: Record<StoredOutcome, number>;
  total: number;
}

export interface LogCounts {
  byQueue: CountRow[];
  byAgent: CountRow[];
  totals: CountRow;
}

function emptyCounts(): Record<StoredOutcome, number> {
  return Object.fromEntries(STORED_OUTCOMES.map((o) => [o, 0])) as Record<StoredOutcome, number>;
}

/** Rows keyed by queue or agent, each with a count per outcome, biggest first. */
function toRows(groups: { _id: { key: string | null; outcome: StoredOutcome }; n: number }[]): CountRow[] {
  const rows = new Map<string, CountRow>();
  for (const g of groups) {
    const key = g._id.key ?? '';
    const row = rows.get(key) ?? { key, counts: emptyCounts(), total: 0 };
    row.counts[g._id.outcome] += g.n;
    row.total += g.n;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
}

/** Counts per outcome for every queue and every agent among the calls matching the filter (paging ignored). */
export async function countDecisions(filter: LogFilter): Promise<LogCounts> {
  const count = (field: '$queue' | '$agent'): PipelineStage[] => [
    { $match: logMatch(filter) },
    { $group: { _id: { key: field, outcome: '$decision.outcome' }, n: { $sum: 1 } } },
  ];
  const [byQueue, byAgent] = await Promise.all([
    CallModel.aggregate(count('$queue')).then(toRows),
    CallModel.aggregate(count('$agent')).then(toRows),
  ]);
  const totals: CountRow = { key: '', counts: emptyCounts(), total: 0 };
  for (const row of byQueue) {
    for (const o of STORED_OUTCOMES) totals.counts[o] += row.counts[o];
    totals.total += row.total;
  }
  return { byQueue, byAgent, totals };
}
