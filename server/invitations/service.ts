/**
 * Invitation records: creating one per surveyed call (ingest), finding one by a token
 * (survey and unsubscribe pages) and the customer-side state changes (unsubscribed,
 * opened, answered). Sending is dispatch.ts and worker.ts; nothing here sees req/res.
 */
import { Conflict, Invalid } from '../errors';
import { Invitation, type InvitationRecord, type InvitationState } from './model';
import { hashToken, looksLikeToken, newToken } from './tokens';

export interface NewInvitation {
  callId: string;
  externalId: string;
  site: string;
  queue: string;
  agent?: string;
  reason?: string;
  customer: { email: string; name?: string; locale: 'fr' | 'en' };
  templateKey: string;
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
  customer: { email: string; name: string | null; locale: 'fr' | 'en' };
  /** The customer's locale (ingest already fell back to the site's). */
  locale: 'fr' | 'en';
  expiresAt: Date;
  templateKey: string;
  /** The template version the emails used; null before the first send. */
  templateVersionId: string | null;
  callId: string;
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
  if (!(input.sendAt instanceof Date) || !(input.expiresAt instanceof Date) || !(input.sendAt < input.expiresAt)) {
    throw new Invalid('An invitation must expire after it is sent.', { code: 'INVITATION_DATES' });
  }
  const reminderAt = input.reminderAt && input.reminderAt > input.sendAt && input.reminderAt < input.expiresAt ? input.reminderAt : null;
  const token = newToken();
  try {
    const created = await Invitation.create({
      tokenHashes: [hashToken(token)],
      callId: input.callId,
      externalId: input.externalId,
      site: input.site,
      queue: input.queue,
      agent: input.agent ?? null,
      reason: input.reason ?? null,
      customer: { email: input.customer.email, name: input.customer.name ?? null, locale: input.customer.locale },
      templateKey: input.templateKey,
      state: 'scheduled',
      sendAt: input.sendAt,
      nextAttemptAt: input.sendAt,
      reminderAt,
      expiresAt: input.expiresAt,
    });
    return { id: created.id as string, token };
  } catch (err) {
    if ((err as { code?: unknown }).code === 11000) {
      throw new Conflict('This call already has an invitation.', { code: 'INVITATION_EXISTS', cause: err });
    }
    throw err;
  }
}

/** The invitation a token belongs to (any token issued for it), or null for an unknown or malformed token. */
export async function findInvitationByToken(token: string): Promise<InvitationView | null> {
  if (!looksLikeToken(token)) return null;
  const doc = await Invitation.findOne({ tokenHashes: hashToken(token) }).lean<InvitationRecord>();
  return doc ? toView(doc) : null;
}

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
 * token returned by createInvitation can be used before the email goes out).
 */
export async function markAnswered(invitationId: string, now = new Date()): Promise<void> {
  if (!isObjectId(invitationId)) return;
  await Invitation.updateOne(
    { _id: invitationId, state: { $in: ['scheduled', 'sent', 'opened'] } },
    { $set: { state: 'answered', answeredAt: now, reminderAt: null, nextAttemptAt: null } },
  );
}

function isObjectId(id: string): boolean {
  return /^[0-9a-f]{24}$/i.test(id);
}

function toView(doc: InvitationRecord): InvitationView {
  const locale = doc.customer.locale as 'fr' | 'en';
  return {
    id: String(doc._id),
    state: doc.state as InvitationState,
    site: doc.site,
    queue: doc.queue,
    agent: doc.agent ?? null,
    reason: doc.reason ?? null,
    customer: { email: doc.customer.email, name: doc.customer.name ?? null, locale },
    locale,
    expiresAt: doc.expiresAt,
    templateKey: doc.templateKey,
    templateVersionId: doc.templateVersionId ?? null,
    callId: doc.callId,
    sentAt: doc.sentAt ?? null,
    unsubscribedAt: doc.unsubscribedAt ?? null,
  };
}
