/**
 * Relocations, the first-class action on a queue: move it to another site from a date
 * (past, after its current assignment began, or future: scheduled), cancel a scheduled
 * move, and answer "which site had this queue on that date?" for calls and reports.
 */
import { recordAudit, type AuditActor as Actor } from '../audit';
import { cancelScheduledMove, movesOf, planRelocation, siteAt, type Assignment } from './assignments';
import { assignableSite, relocationAudit } from './checks';
import { QueueModel } from './model';
import { findStored, mustFindStored, toQueue, writeQueue, type Queue, type Stored } from './records';

export interface Relocation {
  queue: string;
  queueName: string;
  fromSite: string;
  toSite: string;
  at: Date;
  note: string | null;
  /** Not effective yet. */
  scheduled: boolean;
}

export interface RelocationFilter {
  queue?: string;
  /** Moves from or to one of these sites; null or absent for every site (pass visibleSites(user)). */
  sites?: string[] | null;
  /** Moves at or after this instant. */
  from?: Date;
  /** Moves before this instant. */
  to?: Date;
}

/**
 * Moves the queue to `toSite` from `effectiveFrom` (see planRelocation for the rules),
 * audited as queue.relocate. Throws NotFound, Invalid (unknown or inactive site, same
 * site, too early), Conflict (RELOCATION_PENDING, QUEUE_CHANGED).
 */
export async function relocateQueue(
  code: string,
  toSite: string,
  effectiveFrom: Date,
  actor: Actor,
  note?: string,
  now = new Date(),
): Promise<Queue> {
  const before = await mustFindStored(code);
  const current = toQueue(before, now);
  const site = await assignableSite(toSite, 'site');
  const assignments = planRelocation(current.assignments, site, effectiveFrom, now, note?.trim() || null);
  const queue = toQueue(await writeQueue(before, { assignments }), now);
  await recordAudit(relocationAudit(actor, current, queue, effectiveFrom));
  return queue;
}

/**
 * What relocateQueue would do, without doing it (the confirmation step of the admin
 * page). Throws exactly what relocateQueue would.
 */
export async function previewRelocation(code: string, toSite: string, effectiveFrom: Date, now = new Date()) {
  const current = toQueue(await mustFindStored(code), now);
  const site = await assignableSite(toSite, 'site');
  planRelocation(current.assignments, site, effectiveFrom, now);
  return { queue: current, fromSite: siteAt(current.assignments, new Date(effectiveFrom.getTime() - 1)), toSite: site, at: effectiveFrom, scheduled: effectiveFrom > now };
}

/** Undoes the last move if it has not taken effect; audited as queue.relocation.cancel. Throws NotFound, Invalid (NO_SCHEDULED_RELOCATION). */
export async function cancelScheduledRelocation(code: string, actor: Actor, now = new Date()): Promise<Queue> {
  const before = await mustFindStored(code);
  const current = toQueue(before, now);
  const cancelled = current.assignments[current.assignments.length - 1] as Assignment;
  const assignments = cancelScheduledMove(current.assignments, now);
  const queue = toQueue(await writeQueue(before, { assignments }), now);
  await recordAudit(relocationAudit(actor, current, queue, cancelled.from, 'queue.relocation.cancel'));
  return queue;
}

/** The site that had the queue on `date`; null for an unknown queue or a date before its first assignment. */
export async function siteOfQueueAt(queueCode: string, date: Date): Promise<string | null> {
  const record = await findStored(queueCode);
  return record ? siteAt(toQueue(record).assignments, date) : null;
}

/** Site histories of several queues at once (for batches: pair with siteAt()); unknown codes are left out. */
export async function queueAssignments(queueCodes: readonly string[]): Promise<Map<string, Assignment[]>> {
  const records = await QueueModel.find({ code: { $in: [...new Set(queueCodes)] } }).lean<Stored[]>();
  return new Map(records.map((r) => [r.code, toQueue(r).assignments]));
}

/** Every move matching the filter, oldest first, for report markers and the admin pages. */
export async function relocations(filter: RelocationFilter = {}, now = new Date()): Promise<Relocation[]> {
  const query: Record<string, unknown> = { 'assignments.1': { $exists: true } };
  if (filter.queue) query.code = filter.queue;
  if (filter.sites) query['assignments.site'] = { $in: filter.sites };
  const records = await QueueModel.find(query).lean<Stored[]>();
  const sites = filter.sites ? new Set(filter.sites) : null;
  return records
    .flatMap((r) => movesOf(toQueue(r, now).assignments).map((m) => ({ ...m, queue: r.code, queueName: r.name, scheduled: m.at > now })))
    .filter((m) => !sites || sites.has(m.fromSite) || sites.has(m.toSite))
    .filter((m) => (!filter.from || m.at >= filter.from) && (!filter.to || m.at < filter.to))
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.queue.localeCompare(b.queue))
    .map(({ queue, queueName, fromSite, toSite, at, note, scheduled }) => ({ queue, queueName, fromSite, toSite, at, note, scheduled }));
}
