/**
 * The OutboxMessage model: emails the outbox transport kept instead of sending (no
 * SMTP_URL), shown at /admin/outbox and GET /api/v1/outbox. Read through outbox.ts.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const outboxSchema = new Schema({
  from: { type: String, required: true },
  to: { type: String, required: true },
  subject: { type: String, required: true },
  text: { type: String, required: true },
  html: { type: String, required: true },
  headers: { type: Schema.Types.Mixed, default: () => ({}) },
  tag: { type: String, default: null },
  createdAt: { type: Date, required: true, default: () => new Date() },
});
outboxSchema.index({ createdAt: -1, _id: -1 });

export type OutboxRecord = InferSchemaType<typeof outboxSchema> & { _id: mongoose.Types.ObjectId };
export const OutboxMessage = mongoose.model('OutboxMessage', outboxSchema);
