/**
 * The AuditEntry model: who did what to which thing and when, with the state before and
 * after for changes to settings and templates. Written by recordAudit(), read by the
 * admin audit page; entries are never changed.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const auditSchema = new Schema({
  at: { type: Date, required: true, default: () => new Date() },
  actor: {
    type: { type: String, required: true, enum: ['user', 'apiKey', 'system'] },
    id: { type: String, default: null },
    /** The user's email or the key's name at the time: readable even after they change. */
    label: { type: String, default: null },
  },
  action: { type: String, required: true },
  target: {
    type: { type: String, required: true },
    id: { type: String, required: true },
  },
  before: { type: Schema.Types.Mixed, default: null },
  after: { type: Schema.Types.Mixed, default: null },
});
auditSchema.index({ at: -1 });
auditSchema.index({ action: 1, at: -1 });
auditSchema.index({ 'target.type': 1, 'target.id': 1, at: -1 });

export type AuditEntryDoc = InferSchemaType<typeof auditSchema> & { _id: mongoose.Types.ObjectId };

export const AuditEntry = mongoose.model('AuditEntry', auditSchema);
