/**
 * The decision log pages (admins): calls with their survey decision and reason,
 * filtered by queue, agent, site, outcome and dates, with counts per outcome per queue
 * and per agent; and one call's page. Reading only; the queries are in service.ts.
 */
import type { Request, Response } from 'express';
import { inputOf } from '../http/validate';
import { listQueues } from '../queues';
import { listSites } from '../sites';
import { decisionText, outcomeLabel } from './decision-view';
import { STORED_OUTCOMES, type CallRecord } from './model';
import type { LogFilter } from './schemas';
import { countDecisions, getCall, listCalls, type CountRow } from './service';

/** Agents listed in the counts table; the filter narrows it further. */
const MAX_AGENT_ROWS = 100;
const FALLBACK_ZONE = 'UTC';

async function siteZones(): Promise<Map<string, string>> {
  return new Map((await listSites()).map((s) => [s.code, s.timezone]));
}

/** Queue names by code: the log stores codes, readers know queues by name (a code no longer listed shows as itself). */
function queueNames(queues: { code: string; name: string }[]): Map<string, string> {
  return new Map(queues.map((q) => [q.code, q.name]));
}

function callView(res: Response, call: CallRecord, zones: Map<string, string>, names: Map<string, string>) {
  const { t, locale } = res.locals;
  const timeZone = zones.get(call.site) ?? FALLBACK_ZONE;
  return {
    ...call,
    timeZone,
    queueName: names.get(call.queue) ?? null,
    href: `/admin/calls/${encodeURIComponent(call.externalId)}`,
    queueHref: `/admin/calls${queryOf({ queue: call.queue })}`,
    agentHref: call.agent ? `/admin/calls${queryOf({ agent: call.agent })}` : null,
    outcomeLabel: outcomeLabel(t, call.decision.outcome),
    decisionText: decisionText(t, locale, call, timeZone),
  };
}

/** The filter as a query string (without paging), for links that keep it. */
function queryOf(filter: LogFilter, extra: Record<string, string> = {}): string {
  const entries = Object.entries({ ...filter, before: undefined, ...extra }).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
}

function countRows(rows: CountRow[], filter: LogFilter, field: 'queue' | 'agent', names?: Map<string, string>) {
  return rows.map((row) => ({
    key: row.key,
    name: (row.key && names?.get(row.key)) ?? null,
    href: row.key ? `/admin/calls${queryOf(filter, { [field]: row.key })}` : null,
    cells: STORED_OUTCOMES.map((o) => row.counts[o]),
    total: row.total,
  }));
}

// GET /admin/calls: the decision log, filtered, with counts per queue and per agent.
export async function showDecisionLog(_req: Request, res: Response): Promise<void> {
  const filter = inputOf<{ query: LogFilter }>(res).query;
  const { t } = res.locals;
  const [page, counts, queues, zones] = await Promise.all([listCalls(filter), countDecisions(filter), listQueues(), siteZones()]);
  const names = queueNames(queues);
  res.render('admin/calls/log', {
    title: t('calls.log.title'),
    filter,
    queues: queues.map((q) => ({ code: q.code, name: q.name, selected: q.code === filter.queue })),
    sites: [...zones.keys()].map((code) => ({ code, selected: code === filter.site })),
    outcomes: STORED_OUTCOMES.map((o) => ({ value: o, label: outcomeLabel(t, o), selected: o === filter.outcome })),
    outcomeHeads: STORED_OUTCOMES.map((o) => outcomeLabel(t, o)),
    totals: { cells: STORED_OUTCOMES.map((o) => counts.totals.counts[o]), total: counts.totals.total },
    byQueue: countRows(counts.byQueue, filter, 'queue', names),
    byAgent: countRows(counts.byAgent.slice(0, MAX_AGENT_ROWS), filter, 'agent'),
    agentsCut: counts.byAgent.length > MAX_AGENT_ROWS,
    calls: page.calls.map((c) => callView(res, c, zones, names)),
    nextHref: page.next ? `/admin/calls${queryOf(filter, { before: page.next })}` : null,
    firstHref: filter.before ? `/admin/calls${queryOf(filter)}` : null,
  });
}

// GET /admin/calls/:externalId: one call, what it was about and its survey decision.
export async function showCall(_req: Request, res: Response): Promise<void> {
  const { params } = inputOf<{ params: { externalId: string } }>(res);
  const call = await getCall(params.externalId);
  const [zones, queues] = await Promise.all([siteZones(), listQueues()]);
  res.render('admin/calls/show', {
    title: res.locals.t('calls.show.title', { id: call.externalId }),
    call: callView(res, call, zones, queueNames(queues)),
    sourceLabel: res.locals.t(`calls.sources.${call.source.type}`),
  });
}
