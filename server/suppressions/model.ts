/**
 * The Suppression model: addresses that must never get another survey (unsubscribed,
 * hard bounce, complaint). Holds only a SHA-256 of the normalised address, never the
 * address itself; service.ts computes the hash.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/** erasure: the customer asked for their data to be erased (server/privacy); only this hash remains. */
export const SUPPRESSION_REASONS = ['unsubscribed', 'bounced', 'complaint', 'erasure'] as const;

const suppressionSchema = new Schema({
  hash: { type: String, required: true, unique: true, immutable: true },
  reason: { type: String, required: true, enum: SUPPRESSION_REASONS },
  /** Where it came from: an invitation id, 'smtp', 'admin'... never an address. */
  source: { type: String, default: null },
  createdAt: { type: Date, required: true, default: () => new Date() },
});

export type SuppressionRecord = InferSchemaType<typeof suppressionSchema>;
export const Suppression = mongoose.model('Suppression', suppressionSchema);
