/**
 * Invitation records: creating one per surveyed call (ingest), finding one by a token
 * (survey and unsubscribe pages) and the customer-side state changes (unsubscribed,
 * opened, answered). Sending is dispatch.ts and worker.ts; nothing here sees req/res.
 */
import { Types } from 'mongoose';
import { asCollectionWrite, createCoalescer, namespaceOf, type ClientWrite } from '../db';
import { Conflict, Invalid } from '../errors';
import { Invitation, type InvitationRecord, type InvitationState } from './model';
import { hashToken, looksLikeToken, newTokens } from './tokens';

export interface NewInvitation {
  callId: string;
  externalId: string;
  site: string;
  queue: string;
  agent?: string;
  reason?: string;
  customer: { email: string; name?: string; locale: 'fr' | 'en' };
  templateKey: string;
  /** When the call ended (default: sendAt) and its local date at the site (default: the UTC date of callEndedAt). */
  callEndedAt?: Date;
  day?: string;
  sendAt: Date;
  expiresAt: Date;
  reminderAt?: Date | null;
}

export interface InvitationView {
  id: string;
  state: InvitationState;
  site: string;
  queue: string;
  agent: string | null;
  reason: string | null;
  /** The call's end and its local date at the site (YYYY-MM-DD), the day reports count it in. */
  callEndedAt: Date;
  day: string;
  customer: { email: string; name: string | null; locale: 'fr' | 'en' };
  /** The customer's locale (ingest already fell back to the site's). */
  locale: 'fr' | 'en';
  expiresAt: Date;
  templateKey: string;
  /** The template version the emails used; null before the first send. */
  templateVersionId: string | null;
  callId: string;
  /** The call's id in the telephony system (a response copies it). */
  externalId: string;
  sentAt: Date | null;
  unsubscribedAt: Date | null;
}

/**
 * Schedules the invitation email for `sendAt` (and the reminder for `reminderAt`, if any).
 * Returns the id and a fresh token (valid for the survey and unsubscribe links; only its
 * hash is stored). Throws Invalid for impossible dates, Conflict (INVITATION_EXISTS) when
 * the call already has an invitation.
 */
export async function createInvitation(input: NewInvitation): Promise<{ id: string; token: string }> {
  const [result] = await createInvitations([input]);
  const failure = result as { error?: unknown };
  if (failure.error) throw failure.error;
  return result as { id: string; token: string };
}

/**
 * createInvitation for a batch (ingest schedules up to 1,000 at once) in one unordered
 * insert: each result is the new id and token, or the error for that input (Invalid
 * dates, Conflict INVITATION_EXISTS); one failure does not stop the others.
 */
export async function createInvitations(inputs: NewInvitation[]): Promise<({ id: string; token: string } | { error: Error })[]> {
  const results: ({ id: string; token: string } | { error: Error })[] = new Array(inputs.length);
  const docs: { index: number; doc: Record<string, unknown>; token: string }[] = [];
  const tokens = newTokens(inputs.length);
  inputs.forEach((input, index) => {
    if (!(input.sendAt instanceof Date) || !(input.expiresAt instanceof Date) || !(input.sendAt < input.expiresAt)) {
      results[index] = { error: new Invalid('An invitation must expire after it is sent.', { code: 'INVITATION_DATES' }) };
      return;
    }
    if ((input.callEndedAt !== undefined && !validDate(input.callEndedAt)) || (input.day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(input.day))) {
      results[index] = { error: new Invalid('The call’s end must be a date and its day YYYY-MM-DD.', { code: 'INVITATION_CALL_DAY' }) };
      return;
    }
    const token = tokens[index] as string;
    docs.push({ index, token, doc: newInvitationDoc(input, token) });
  });
  if (docs.length === 0) return results;
  // The documents are complete and checked here (every schema default spelled out in
  // newInvitationDoc), so Mongoose's per-document hydration, which costs more than the insert, is skipped.
  await Invitation.insertMany(docs.map((d) => d.doc), { ordered: false, lean: true }).catch((err: unknown) => {
    const e = err as { code?: unknown; writeErrors?: { index?: number; err?: { index?: number; code?: number } }[]; insertedDocs?: unknown[] };
    if (!Array.isArray(e.writeErrors) && e.code !== 11000) throw err;
    for (const w of e.writeErrors ?? []) {
      const at = w.err?.index ?? w.index ?? 0;
      const code = w.err?.code ?? (w as { code?: number }).code;
      const entry = docs[at] as (typeof docs)[number];
      results[entry.index] = { error: code === 11000 ? new Conflict('This call already has an invitation.', { code: 'INVITATION_EXISTS', cause: err }) : (err as Error) };
    }
  });
  for (const { index, doc, token } of docs) {
    if (!results[index]) results[index] = { id: String(doc._id), token };
  }
  return results;
}

/** Removes not-yet-sent invitations of these calls (ingest withdraws those whose call was not stored). */
export async function withdrawInvitations(callIds: string[]): Promise<void> {
  if (callIds.length === 0) return;
  await Invitation.deleteMany({ callId: { $in: callIds }, state: 'scheduled', sentAt: null });
}

function validDate(value: unknown): boolean {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

function newInvitationDoc(input: NewInvitation, token: string): Record<string, unknown> {
  const callEndedAt = input.callEndedAt ?? input.sendAt;
  const reminderAt = input.reminderAt && input.reminderAt > input.sendAt && input.reminderAt < input.expiresAt ? input.reminderAt : null;
  const now = new Date();
  return {
    _id: new Types.ObjectId(),
    tokenHashes: [hashToken(token)],
    callId: input.callId,
    externalId: input.externalId,
    site: input.site,
    queue: input.queue,
    agent: input.agent ?? null,
    reason: input.reason ?? null,
    callEndedAt,
    day: input.day ?? callEndedAt.toISOString().slice(0, 10),
    customer: { email: input.customer.email, name: input.customer.name ?? null, locale: input.customer.locale },
    templateKey: input.templateKey,
    templateVersionId: null,
    state: 'scheduled',
    sendAt: input.sendAt,
    attempts: 0,
    nextAttemptAt: input.sendAt,
    lease: null,
    lastError: null,
    sentAt: null,
    reminderAt,
    reminderAttempts: 0,
    reminderSentAt: null,
    expiresAt: input.expiresAt,
    unsubscribedAt: null,
    openedAt: null,
    answeredAt: null,
    createdAt: now,
    updatedAt: now,
    __v: 0,
  };
}

/** The invitation a token belongs to (any token issued for it), or null for an unknown or malformed token. */
export async function findInvitationByToken(token: string): Promise<InvitationView | null> {
  if (!looksLikeToken(token)) return null;
  const doc = await foundByHash(hashToken(token));
  return doc ? toView(doc) : null;
}

/**
 * The invitations of these token hashes, in their order (null: unknown), in one query: the
 * lookups of the moment share it. Once it is sent, the next lookups may gather and go (a
 * read waits for nothing of another): a customer's lookup does not wait for the round trip
 * of the one before it. The find command itself rather than a cursor: a hash names one
 * invitation at most (unique index), so one batch holds the answer, and the driver's
 * cursor costs the process about a tenth of a survey answer's CPU. The driver does not
 * retry a command as it retries a cursor's first read: after a failover the customer's
 * answer fails as any request in that instant, and their retry is answered.
 */
async function findByTokenHashes(hashes: string[], release: () => void): Promise<(ViewedDoc | null)[]> {
  const db = Invitation.db.db;
  if (!db) throw new Error('The database is not connected.');
  const sent = db.command({ find: Invitation.collection.collectionName, filter: { tokenHashes: { $in: hashes } }, projection: VIEW_PROJECTION, batchSize: hashes.length, singleBatch: true });
  release();
  const reply = await sent;
  const docs = (reply as { cursor: { firstBatch: ViewedDoc[] } }).cursor.firstBatch;
  const byHash = new Map<string, ViewedDoc>();
  for (const doc of docs) for (const hash of doc.tokenHashes) byHash.set(hash, doc);
  return hashes.map((h) => byHash.get(h) ?? null);
}

const foundByHash = createCoalescer(findByTokenHashes, { gatherTurn: true });

/** Stops the reminder (the customer may still answer). Idempotent; unknown ids are ignored. */
export async function markUnsubscribed(invitationId: string, now = new Date()): Promise<void> {
  if (!isObjectId(invitationId)) return;
  await Invitation.updateOne({ _id: invitationId, unsubscribedAt: null }, { $set: { unsubscribedAt: now, reminderAt: null } });
}

/** First visit of the survey page: 'sent' becomes 'opened' (other states stay). */
export async function markOpened(invitationId: string, now = new Date()): Promise<void> {
  if (!isObjectId(invitationId)) return;
  await Invitation.updateOne({ _id: invitationId, state: 'sent' }, { $set: { state: 'opened', openedAt: now } });
}

/**
 * The customer answered: no reminder, no expiry sweep. Works from 'scheduled' too (a
 * token returned by createInvitation can be used before the email goes out). A survey
 * submit sends the same write with its answers (answeredWrite).
 */
export async function markAnswered(invitationId: string, now = new Date()): Promise<void> {
  const write = answeredWrite(invitationId, now);
  if (write) await Invitation.collection.bulkWrite([asCollectionWrite(write)]);
}

/** markAnswered as a write to join another command (the answers' own, where the database allows); null for an unknown id. */
export function answeredWrite(invitationId: string, at: Date): ClientWrite | null {
  if (!isObjectId(invitationId)) return null;
  return {
    namespace: namespaceOf(Invitation),
    name: 'updateOne',
    filter: { _id: new Types.ObjectId(invitationId), state: { $in: ['scheduled', 'sent', 'opened'] } },
    update: { $set: { state: 'answered', answeredAt: at, reminderAt: null, nextAttemptAt: null, updatedAt: new Date() } },
  };
}

function isObjectId(id: string): boolean {
  return /^[0-9a-f]{24}$/i.test(id);
}

/**
 * The fields an InvitationView is made of: a token lookup reads these alone (with the
 * hashes it matched), so the database encodes and the app decodes a reply a third smaller.
 */
const VIEWED_FIELDS = [
  'tokenHashes',
  'state',
  'site',
  'queue',
  'agent',
  'reason',
  'callEndedAt',
  'sendAt',
  'day',
  'customer',
  'expiresAt',
  'templateKey',
  'templateVersionId',
  'callId',
  'externalId',
  'sentAt',
  'unsubscribedAt',
] as const;
type ViewedDoc = Pick<InvitationRecord, '_id' | (typeof VIEWED_FIELDS)[number]>;
const VIEW_PROJECTION: Record<string, 1> = Object.fromEntries(VIEWED_FIELDS.map((f) => [f, 1]));

function toView(doc: ViewedDoc): InvitationView {
  const locale = doc.customer.locale as 'fr' | 'en';
  return {
    id: String(doc._id),
    state: doc.state as InvitationState,
    site: doc.site,
    queue: doc.queue,
    agent: doc.agent ?? null,
    reason: doc.reason ?? null,
    // Invitations stored before these were kept: as createInvitation defaults them.
    callEndedAt: doc.callEndedAt ?? doc.sendAt,
    day: doc.day ?? (doc.callEndedAt ?? doc.sendAt).toISOString().slice(0, 10),
    customer: { email: doc.customer.email, name: doc.customer.name ?? null, locale },
    locale,
    expiresAt: doc.expiresAt,
    templateKey: doc.templateKey,
    templateVersionId: doc.templateVersionId ?? null,
    callId: doc.callId,
    externalId: doc.externalId,
    sentAt: doc.sentAt ?? null,
    unsubscribedAt: doc.unsubscribedAt ?? null,
  };
}
