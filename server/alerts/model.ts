/**
 * The AlertLead model: per quality lead, when their last alert email went out (at most one
 * per 15 minutes, across every app process) and which still-pending responses it already
 * told them about. Read and written by the alert sender only.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const alertLeadSchema = new Schema(
  {
    /** The staff user's id. */
    user: { type: String, required: true, unique: true },
    lastAlertAt: { type: Date, default: null },
    /**
     * Ids of responses still `alert: 'pending'` that this lead was already alerted about:
     * a response stays pending until every lead of its site has it here, then leaves it.
     */
    alerted: { type: [String], default: [] },
  },
  { versionKey: false },
);

export type AlertLeadRecord = InferSchemaType<typeof alertLeadSchema>;
export const AlertLead = mongoose.model('AlertLead', alertLeadSchema, 'alert_leads');
