/**
 * Queue rules: list and read queues, create them at a site, change their name and
 * survey settings, and the API's idempotent upsert (which relocates when the site
 * differs). Every change is audited with before and after. Relocations: relocation.ts.
 */
import { recordAudit, type AuditActor as Actor } from '../audit';
import { visibleSites, type StaffUser } from '../auth';
import { Conflict, Invalid } from '../errors';
import { planRelocation, siteAt } from './assignments';
import { QueueModel } from './model';
import { assignableSite, checkTemplate, relocationAudit } from './checks';
import { findStored, mustFindStored, settingsSnapshot, toQueue, writeQueue, type Queue, type Stored } from './records';
import { queueCode, queueName } from './schemas';
import { checkSurvey, mergeSurvey, sameSurvey, SURVEY_DEFAULTS, type SurveySettings } from './survey-settings';

export interface NewQueue {
  name: string;
  site: string;
  /** When the queue began at `site`; default now. Not in the future. */
  since?: Date;
  survey?: Partial<SurveySettings>;
}

export interface QueueChanges {
  name?: string;
  survey?: Partial<SurveySettings>;
}

function checkedIdentity(code: string, name: string | undefined): { code: string; name: string | undefined } {
  const details = [];
  const c = queueCode.required().label('code').validate(code, { errors: { wrap: { label: false } } });
  if (c.error) details.push({ field: 'code', message: c.error.message, type: c.error.details[0]?.type ?? 'any.invalid' });
  const n = name === undefined ? { value: undefined } : queueName.label('name').validate(name, { errors: { wrap: { label: false } } });
  if ('error' in n && n.error) details.push({ field: 'name', message: n.error.message, type: n.error.details[0]?.type ?? 'any.invalid' });
  if (details.length > 0) throw new Invalid(undefined, { details });
  return { code: c.value as string, name: n.value as string | undefined };
}

/** Every queue, by code. */
export async function listQueues(now = new Date()): Promise<Queue[]> {
  const records = await QueueModel.find().sort({ code: 1 }).lean<Stored[]>();
  return records.map((r) => toQueue(r, now));
}

/** Queues that were ever at a site this staff member may see, by code. */
export async function listQueuesFor(user: StaffUser, now = new Date()): Promise<Queue[]> {
  const visible = visibleSites(user);
  if (visible === null) return listQueues(now);
  const records = await QueueModel.find({ 'assignments.site': { $in: visible } }).sort({ code: 1 }).lean<Stored[]>();
  return records.map((r) => toQueue(r, now));
}

/** Queues at `siteCode` right now, by code. */
export async function queuesAtSite(siteCode: string, now = new Date()): Promise<Queue[]> {
  const records = await QueueModel.find({ 'assignments.site': siteCode }).sort({ code: 1 }).lean<Stored[]>();
  return records.map((r) => toQueue(r, now)).filter((q) => q.site === siteCode);
}

/** The queue with this code, or null. */
export async function queueByCode(code: string, now = new Date()): Promise<Queue | null> {
  const record = await findStored(code);
  return record ? toQueue(record, now) : null;
}

/** Throws NotFound (QUEUE_NOT_FOUND). */
export async function getQueue(code: string, now = new Date()): Promise<Queue> {
  return toQueue(await mustFindStored(code), now);
}

/**
 * Creates a queue at an active site with default survey settings under `input.survey`.
 * Throws Invalid (bad field, unknown or inactive site, unknown template, `since` in the
 * future) or Conflict (QUEUE_EXISTS).
 */
export async function createQueue(code: string, input: NewQueue, actor: Actor, now = new Date()): Promise<Queue> {
  const id = checkedIdentity(code, input.name);
  const since = input.since ?? now;
  if (since.getTime() > now.getTime()) {
    throw new Invalid(undefined, { details: [{ field: 'since', type: 'SINCE_IN_FUTURE', message: 'since must not be in the future' }] });
  }
  const site = await assignableSite(input.site, 'site');
  const survey = checkSurvey(mergeSurvey(SURVEY_DEFAULTS, input.survey));
  await checkTemplate(survey.template);
  if (await QueueModel.exists({ code: id.code })) throw queueExists(id.code);
  let record: Stored;
  try {
    // The schema types quietHours as a sub-document; null (no quiet hours) is stored as is.
    const doc = new QueueModel({ code: id.code, name: id.name, assignments: planRelocation([], site, since, now), survey: survey as object });
    record = (await doc.save()).toObject() as unknown as Stored;
  } catch (err) {
    if ((err as { code?: unknown }).code === 11000) throw queueExists(id.code);
    throw err;
  }
  const queue = toQueue(record, now);
  await recordAudit({
    actor,
    action: 'queue.create',
    target: { type: 'queue', id: queue.code },
    after: { ...settingsSnapshot(queue), site, since },
  });
  return queue;
}

/**
 * Changes the name and/or survey settings (fields left out keep their value). Throws
 * NotFound, Invalid, or Conflict (QUEUE_CHANGED). Nothing is written or audited when
 * nothing changes.
 */
export async function updateQueue(code: string, changes: QueueChanges, actor: Actor, now = new Date()): Promise<{ queue: Queue; changed: boolean }> {
  const id = checkedIdentity(code, changes.name);
  const before = await mustFindStored(id.code);
  const current = toQueue(before, now);
  const next = await settingsAfter(current, { name: id.name, survey: changes.survey });
  if (!next.changed) return { queue: current, changed: false };
  const queue = toQueue(await writeQueue(before, { name: next.name, survey: next.survey }), now);
  await recordAudit(settingsAudit(actor, current, queue));
  return { queue, changed: true };
}

/**
 * PUT semantics for the API: creates the queue (at `input.site` from now), or updates
 * its name and settings and, when `input.site` is not where the queue is now, relocates
 * it from now — all in one write. Repeating the same call changes nothing.
 * Throws like createQueue/updateQueue, and Conflict (RELOCATION_PENDING) when a
 * scheduled move is due.
 */
export async function upsertQueue(
  code: string,
  input: NewQueue,
  actor: Actor,
  now = new Date(),
): Promise<{ queue: Queue; created: boolean; relocated: boolean }> {
  const id = checkedIdentity(code, input.name);
  const before = await findStored(id.code);
  if (!before) {
    try {
      return { queue: await createQueue(id.code, { ...input, since: now }, actor, now), created: true, relocated: false };
    } catch (err) {
      // Two identical PUTs racing: the loser goes on to update what the winner created.
      if (!(err instanceof Conflict && err.code === 'QUEUE_EXISTS')) throw err;
      return upsertQueue(code, input, actor, now);
    }
  }
  const current = toQueue(before, now);
  const next = await settingsAfter(current, { name: id.name, survey: input.survey });
  const toSite = String(input.site).toUpperCase();
  const moving = siteAt(current.assignments, now) !== toSite;
  const assignments = moving ? planRelocation(current.assignments, await assignableSite(toSite, 'site'), now, now) : undefined;
  if (!next.changed && !assignments) return { queue: current, created: false, relocated: false };

  const queue = toQueue(await writeQueue(before, { name: next.name, survey: next.survey, ...(assignments ? { assignments } : {}) }), now);
  if (next.changed) await recordAudit(settingsAudit(actor, current, queue));
  if (assignments) await recordAudit(relocationAudit(actor, current, queue, now));
  return { queue, created: false, relocated: Boolean(assignments) };
}

/** The name and settings after `changes`, checked (throws Invalid), and whether they differ from now. */
async function settingsAfter(current: Queue, changes: QueueChanges): Promise<{ name: string; survey: SurveySettings; changed: boolean }> {
  const survey = checkSurvey(mergeSurvey(current.survey, changes.survey));
  if (survey.template !== current.survey.template) await checkTemplate(survey.template);
  const name = changes.name ?? current.name;
  return { name, survey, changed: name !== current.name || !sameSurvey(survey, current.survey) };
}

function settingsAudit(actor: Actor, before: Queue, after: Queue) {
  return { actor, action: 'queue.update', target: { type: 'queue', id: after.code }, before: settingsSnapshot(before), after: settingsSnapshot(after) };
}

function queueExists(code: string): Conflict {
  const message = `A queue with code ${code} already exists.`;
  return new Conflict(message, { code: 'QUEUE_EXISTS', details: [{ field: 'code', type: 'QUEUE_EXISTS', message }] });
}
