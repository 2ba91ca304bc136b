/**
 * The Response model: one per invitation (unique), created by the first answer saved
 * (a partial one from the email's one-click link, or a submitted form) and updated by
 * every later save until the invitation expires. Holds the answers keyed by question id,
 * the headline fields copied out for reports, the call's context copied from the
 * invitation, and the rollup bookkeeping that keeps reports exact across crashes.
 */
import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

export const CHANNELS = ['email-click', 'web'] as const;
export type Channel = (typeof CHANNELS)[number];

const handledSchema = new Schema(
  {
    at: { type: Date, required: true },
    /** The staff user's id and email at the time. */
    by: { type: String, required: true },
    byEmail: { type: String, required: true },
    note: { type: String, default: '' },
  },
  { _id: false },
);

const responseSchema = new Schema(
  {
    invitationId: { type: String, required: true, unique: true, immutable: true },
    callId: { type: String, required: true },
    externalId: { type: String, required: true },
    site: { type: String, required: true },
    queue: { type: String, required: true },
    agent: { type: String, default: null },
    reason: { type: String, default: null },
    /** The call's end, and its local date at the site (YYYY-MM-DD): the reports' day. */
    callEndedAt: { type: Date, required: true },
    day: { type: String, required: true },
    /** sha256 of the customer's normalised address (erasure on request finds responses by it). */
    customerHash: { type: String, required: true },
    templateKey: { type: String, required: true },
    templateVersionId: { type: String, required: true },
    locale: { type: String, required: true, enum: ['fr', 'en'] },
    /** email-click: began with the one-click answer of the email; web: began on the page. */
    channel: { type: String, required: true, enum: CHANNELS },
    /** { questionId: value } as validated against the template version. */
    answers: { type: Schema.Types.Mixed, required: true, default: {} },
    // Headline fields, from the version's information question and its first csat, nps and ces questions.
    gotInformation: { type: Boolean, default: null },
    csat: { type: Number, default: null },
    nps: { type: Number, default: null },
    ces: { type: Number, default: null },
    /** Every text answer, in question order, joined by blank lines (comments page and its search); null when none. */
    text: { type: String, default: null },
    /** False while only a partial answer was saved (the one-click answer, or autosave); true once submitted. */
    complete: { type: Boolean, required: true, default: false },
    startedAt: { type: Date, required: true },
    submittedAt: { type: Date, default: null },
    /** Saves so far (each one increments it): the rollup bookkeeping's version. */
    revision: { type: Number, required: true, default: 1 },
    /** True from a save until its change is in the rollups; responses left so by a crash are recounted at start. */
    rollupPending: { type: Boolean, required: true, default: true },
    /** Saves written but not yet counted in the rollups (each adds one, and takes it off once counted): the flag clears at zero. */
    rollupUncounted: { type: Number, default: 0 },
    /** A quality lead closed the loop on this comment. */
    handled: { type: handledSchema, default: null },
    /**
     * Alerts to the site's quality leads: 'pending' once a save answers no to the
     * information question or gives a CSAT of 2 or less, 'sent' once the alert went out.
     */
    alert: { type: String, required: true, enum: ['none', 'pending', 'sent'], default: 'none' },
  },
  { timestamps: true },
);

// Start-up recovery: responses whose last change may not be in the rollups.
responseSchema.index({ rollupPending: 1 }, { partialFilterExpression: { rollupPending: true } });
// Rollup rebuild and recount of one bucket.
responseSchema.index({ day: 1, site: 1, queue: 1 });
// Comments: newest first per site, ties by _id (one walk per site, stopping at a page).
responseSchema.index({ site: 1, updatedAt: -1, _id: -1 });
// The alert sender's queue.
responseSchema.index({ alert: 1 }, { partialFilterExpression: { alert: 'pending' } });
// Erasure on request.
responseSchema.index({ customerHash: 1 });

export type ResponseRecord = InferSchemaType<typeof responseSchema> & { _id: Types.ObjectId };
export const ResponseModel = mongoose.model('Response', responseSchema);
