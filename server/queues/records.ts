/**
 * Reading and writing queue documents for the services: the public Queue shape, the
 * audit snapshot, and one guarded write (optimistic on the document version) that
 * refuses a site history with overlaps or gaps. Not exported outside server/queues/.
 */
import { Conflict, NotFound } from '../errors';
import { siteAt, timelineProblems, type Assignment } from './assignments';
import { QueueModel } from './model';
import { mergeSurvey, SURVEY_DEFAULTS, type SurveySettings } from './survey-settings';

export interface Queue {
  code: string;
  name: string;
  /** Where the queue is now; null only before its first assignment begins. */
  site: string | null;
  /** The site history, oldest first; the last one is open (`to` null). */
  assignments: Assignment[];
  survey: SurveySettings;
  createdAt: Date;
  updatedAt: Date;
}

export interface Stored {
  code: string;
  name: string;
  assignments: Assignment[];
  survey: SurveySettings;
  __v?: number;
  createdAt: Date;
  updatedAt: Date;
}

export function toQueue(record: Stored, now = new Date()): Queue {
  const assignments = (record.assignments ?? []).map((a) => ({ site: a.site, from: a.from, to: a.to ?? null, note: a.note ?? null }));
  return {
    code: record.code,
    name: record.name,
    site: siteAt(assignments, now),
    assignments,
    survey: mergeSurvey(SURVEY_DEFAULTS, record.survey ?? {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** What the audit log keeps of a queue's settings (its history is audited as relocations). */
export function settingsSnapshot(queue: Pick<Queue, 'code' | 'name' | 'survey'>) {
  return { code: queue.code, name: queue.name, survey: queue.survey };
}

export function queueNotFound(code: string): NotFound {
  return new NotFound(`There is no queue ${code}.`, { code: 'QUEUE_NOT_FOUND' });
}

export async function findStored(code: string): Promise<Stored | null> {
  return QueueModel.findOne({ code: String(code).toLowerCase() }).lean<Stored>();
}

/** Throws NotFound (QUEUE_NOT_FOUND). */
export async function mustFindStored(code: string): Promise<Stored> {
  const record = await findStored(code);
  if (!record) throw queueNotFound(code);
  return record;
}

/**
 * Writes `changes` if the queue is still at the version read in `before`. Throws
 * Conflict (QUEUE_CHANGED) when someone else wrote in between, and refuses (500) a
 * history that breaks the timeline rules: that would be a bug, not bad input.
 */
export async function writeQueue(
  before: Stored,
  changes: Partial<Pick<Stored, 'name' | 'survey' | 'assignments'>>,
): Promise<Stored> {
  if (changes.assignments) {
    const problems = timelineProblems(changes.assignments);
    if (problems.length > 0) throw new Error(`queue ${before.code}: refusing an unsound site history: ${problems.join('; ')}`);
  }
  const after = await QueueModel.findOneAndUpdate(
    { code: before.code, __v: before.__v ?? 0 },
    { $set: changes, $inc: { __v: 1 } },
    { returnDocument: 'after' },
  ).lean<Stored>();
  if (!after) throw new Conflict(`Queue ${before.code} was changed by someone else; reload and try again.`, { code: 'QUEUE_CHANGED' });
  return after;
}
