/**
 * Responses for the comments, export, alert and digest tests (with useTestDatabase()):
 * the default template published, three sites in two time zones, two queues, and
 * responses written straight into the Response model as the survey service would leave
 * them (answers, headline fields, call context), with the times a test needs.
 */
import { Types } from 'mongoose';
import { upsertQueue } from '../../server/queues';
import { ResponseModel, type ResponseRecord } from '../../server/responses';
import { createSite } from '../../server/sites';
import { getPublished, loadSurveyTemplates } from '../../server/templates';

export const SITES = [
  { code: 'ABV', name: 'Abbeville', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' as const },
  { code: 'CAS', name: 'Casablanca', country: 'MA', timezone: 'Africa/Casablanca', locale: 'fr' as const },
  { code: 'DRX', name: 'Dreux', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' as const },
];

let versionId = '';

/** The default template (surveys/post-call.json, published), the sites, queues business-support (ABV) and billing (CAS). */
export async function seedWorld(): Promise<void> {
  await loadSurveyTemplates();
  versionId = (await getPublished('post-call')).id;
  for (const { code, ...site } of SITES) await createSite(code, site, { type: 'system' });
  await upsertQueue('business-support', { name: 'Business support', site: 'ABV', survey: { template: 'post-call' } }, { type: 'system' });
  await upsertQueue('billing', { name: 'Billing', site: 'CAS', survey: { template: 'post-call' } }, { type: 'system' });
}

export interface SeedAnswers {
  info?: 'yes' | 'no';
  missing?: string;
  csat?: number;
  nps?: number;
  comment?: string;
}

export interface SeedOptions {
  site?: string;
  queue?: string;
  agent?: string | null;
  reason?: string | null;
  day?: string;
  /** The customer's last save (updatedAt); also the call's end unless `callEndedAt`. */
  at?: Date;
  callEndedAt?: Date;
  complete?: boolean;
  alert?: 'none' | 'pending' | 'sent';
  locale?: 'fr' | 'en';
  handled?: { at: Date; by: string; byEmail: string; note: string } | null;
  answers?: Record<string, unknown>;
  /** Another template's version (default: post-call's published one). */
  template?: { key: string; versionId: string };
}

let seq = 0;

/** One response document, as the survey service would store it. */
export function responseDoc(answers: SeedAnswers, opts: SeedOptions = {}): Record<string, unknown> {
  seq += 1;
  const at = opts.at ?? new Date(Date.UTC(2026, 10, 20, 10, 0, seq % 60));
  const texts = [answers.missing, answers.comment].filter((t): t is string => typeof t === 'string' && t !== '');
  return {
    _id: new Types.ObjectId(),
    invitationId: `inv-${process.pid}-${seq}`,
    callId: `call-${seq}`,
    externalId: `pbx-${seq}`,
    site: opts.site ?? 'ABV',
    queue: opts.queue ?? 'business-support',
    agent: opts.agent === undefined ? 'a.martin' : opts.agent,
    reason: opts.reason === undefined ? 'billing' : opts.reason,
    callEndedAt: opts.callEndedAt ?? at,
    day: opts.day ?? at.toISOString().slice(0, 10),
    customerHash: `hash-${seq}`,
    templateKey: opts.template?.key ?? 'post-call',
    templateVersionId: opts.template?.versionId ?? versionId,
    locale: opts.locale ?? 'fr',
    channel: 'web',
    answers: opts.answers ?? Object.fromEntries(Object.entries(answers).filter(([, v]) => v !== undefined)),
    gotInformation: answers.info === undefined ? null : answers.info === 'yes',
    csat: answers.csat ?? null,
    nps: answers.nps ?? null,
    ces: null,
    text: texts.length > 0 ? texts.join('\n\n') : null,
    complete: opts.complete ?? true,
    startedAt: at,
    submittedAt: opts.complete === false ? null : at,
    revision: 1,
    rollupPending: false,
    handled: opts.handled ?? null,
    alert: opts.alert ?? 'none',
    createdAt: at,
    updatedAt: at,
  };
}

/** Inserts the responses (timestamps as given) and returns their ids, in order. */
export async function seedResponses(docs: Record<string, unknown>[]): Promise<string[]> {
  await ResponseModel.collection.insertMany(docs as never[], { ordered: true });
  return docs.map((d) => String(d._id));
}

export async function seedResponse(answers: SeedAnswers, opts: SeedOptions = {}): Promise<string> {
  const [id] = await seedResponses([responseDoc(answers, opts)]);
  return id as string;
}

export async function storedResponse(id: string): Promise<ResponseRecord & { updatedAt: Date }> {
  const doc = await ResponseModel.findById(id).lean<ResponseRecord & { updatedAt: Date }>();
  if (!doc) throw new Error(`no response ${id}`);
  return doc;
}
