/**
 * The Invitation model: one per surveyed call. Holds token hashes (never a token), the
 * send state machine, the dispatch worker's lease and retry bookkeeping, and the call's
 * site, queue, agent and reason copied in for reporting. Only this feature touches it.
 */
import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

export const INVITATION_STATES = ['scheduled', 'sent', 'opened', 'answered', 'suppressed', 'failed', 'expired'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];
/** States in which the customer may still answer (and the invitation may still expire). */
export const OPEN_STATES: InvitationState[] = ['scheduled', 'sent', 'opened'];

const leaseSchema = new Schema({ owner: { type: String, required: true }, until: { type: Date, required: true } }, { _id: false });

const customerSchema = new Schema(
  {
    email: { type: String, required: true },
    name: { type: String, default: null },
    locale: { type: String, required: true, enum: ['fr', 'en'] },
  },
  { _id: false },
);

const invitationSchema = new Schema(
  {
    // Every token ever issued for this invitation (the one createInvitation returned, then
    // one per email sent): a token exists in plain text only in memory while it is handed
    // out, so each email gets a fresh one and its hash is stored before the send.
    tokenHashes: { type: [String], required: true },
    callId: { type: String, required: true, unique: true, immutable: true },
    externalId: { type: String, required: true },
    site: { type: String, required: true },
    queue: { type: String, required: true },
    agent: { type: String, default: null },
    reason: { type: String, default: null },
    /** The call's end, and its local date at the site (YYYY-MM-DD): the day reports count it in. */
    callEndedAt: { type: Date, required: true },
    day: { type: String, required: true },
    customer: { type: customerSchema, required: true },
    templateKey: { type: String, required: true },
    /** Set at the first send from the template's published version. */
    templateVersionId: { type: String, default: null },
    state: { type: String, required: true, enum: INVITATION_STATES, default: 'scheduled' },
    /** When the first email was planned (the call's end plus delay and quiet hours). */
    sendAt: { type: Date, required: true },
    /** Claims of the invitation email (a claim counts even if its worker dies mid-send). */
    attempts: { type: Number, required: true, default: 0 },
    /** When the invitation email is next due; null once no send is pending. */
    nextAttemptAt: { type: Date, default: null },
    lease: { type: leaseSchema, default: null },
    lastError: { type: String, default: null },
    sentAt: { type: Date, default: null },
    /** When the reminder is due; null when none is pending (sent, cancelled, or none planned). */
    reminderAt: { type: Date, default: null },
    reminderAttempts: { type: Number, required: true, default: 0 },
    reminderSentAt: { type: Date, default: null },
    expiresAt: { type: Date, required: true },
    unsubscribedAt: { type: Date, default: null },
    openedAt: { type: Date, default: null },
    answeredAt: { type: Date, default: null },
  },
  { timestamps: true },
);

invitationSchema.index({ tokenHashes: 1 }, { unique: true });
// The send claim. nextAttemptAt is null unless a send is pending (and pushed past the lease
// while one is in flight), so this range holds exactly the claimable invitations and its
// order is the claim's sort: an idle poll is one index probe.
invitationSchema.index({ nextAttemptAt: 1 });
// The reminder claim, on the same principle (null once no reminder is pending).
invitationSchema.index({ reminderAt: 1 });
// The expiry sweep over unanswered invitations.
invitationSchema.index({ state: 1, expiresAt: 1 });

/**
 * Indexes that earlier versions created and no query uses any more (reports count sent
 * invitations in the rollups): each would still cost every insert and send.
 */
const RETIRED_INDEXES = ['site_1_sentAt_1'];
/** MongoDB's codes for a missing index and a missing collection. */
const ALREADY_GONE = new Set([26, 27]);

/** Drops the retired indexes where a database still has them; returns the names dropped. */
export async function dropRetiredIndexes(): Promise<string[]> {
  const dropped: string[] = [];
  for (const name of RETIRED_INDEXES) {
    try {
      await Invitation.collection.dropIndex(name);
      dropped.push(name);
    } catch (err) {
      if (!ALREADY_GONE.has((err as { code?: number }).code ?? 0)) throw err;
    }
  }
  return dropped;
}

export type InvitationRecord = InferSchemaType<typeof invitationSchema> & { _id: Types.ObjectId };
export const Invitation = mongoose.model('Invitation', invitationSchema);
