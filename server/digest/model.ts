/**
 * The DigestLog model: one document per quality lead and reported week, written before
 * the digest is sent (the unique index is the claim), so a restart or a second process
 * never sends a week's digest twice. Read and written by the digest sender only.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const digestLogSchema = new Schema(
  {
    /** The staff user's id. */
    user: { type: String, required: true },
    /** The reported ISO week, e.g. "2026-W47". */
    week: { type: String, required: true },
    /** 'sending' from the claim until the mail server accepted the message. */
    state: { type: String, required: true, enum: ['sending', 'sent'] },
    claimedAt: { type: Date, required: true },
    sentAt: { type: Date, default: null },
  },
  { versionKey: false },
);
digestLogSchema.index({ user: 1, week: 1 }, { unique: true });

export type DigestLogRecord = InferSchemaType<typeof digestLogSchema>;
export const DigestLog = mongoose.model('DigestLog', digestLogSchema, 'digest_log');
