/**
 * The Call model: a finished call as the telephony system (or a CSV import) reported
 * it, with the survey decision taken for it and why. externalId is unique: it is the
 * idempotency key of ingest. Invalid and duplicate calls are never stored.
 */
import mongoose, { Schema, type Types } from 'mongoose';

export const OUTCOMES = ['scheduled', 'duplicate', 'suppressed', 'quarantined', 'sampled_out', 'invalid'] as const;
/** The outcomes a stored call can have (invalid and duplicate calls are not stored). */
export const STORED_OUTCOMES = ['scheduled', 'suppressed', 'quarantined', 'sampled_out'] as const;
export type StoredOutcome = (typeof STORED_OUTCOMES)[number];

const decisionSchema = new Schema(
  {
    outcome: { type: String, required: true, enum: STORED_OUTCOMES },
    /** Stable reason code (SCHEDULED, QUIET_HOURS, SUPPRESSED, QUARANTINED, SAMPLED_OUT, TOO_OLD). */
    code: { type: String, required: true },
    /** Human text in English, as the API returns it. */
    reason: { type: String, required: true },
    sendAt: { type: Date, default: null },
    /** Quarantined: until when, and the survey that caused it. */
    until: { type: Date, default: null },
    surveyedOn: { type: Date, default: null },
    suppression: { type: String, default: null },
    /** Scheduled to reach the agent's weekly minimum despite sampling. */
    balanced: { type: Boolean, default: false },
    decidedAt: { type: Date, required: true },
  },
  { _id: false },
);

// A sub-schema: a nested `type` key would otherwise be read as the path's type.
const sourceSchema = new Schema(
  {
    type: { type: String, required: true, enum: ['api', 'csv'] },
    /** The API key's id or the import's id. */
    id: { type: String, required: true },
  },
  { _id: false },
);

const callSchema = new Schema(
  {
    externalId: { type: String, required: true, unique: true, immutable: true },
    endedAt: { type: Date, required: true },
    /** Site code: the call's own, else the queue's site when the call ended. */
    site: { type: String, required: true },
    queue: { type: String, required: true },
    agent: { type: String, default: null },
    reason: { type: String, default: null },
    durationSec: { type: Number, default: null },
    customer: {
      email: { type: String, required: true },
      name: { type: String, default: null },
      locale: { type: String, required: true, enum: ['fr', 'en'] },
    },
    /** sha256 of the normalised address: quarantine lookups never need the plain email. */
    customerHash: { type: String, required: true },
    /** ISO week of endedAt in the site's zone ("2026-W47"): balanced sampling counts per agent and week. */
    week: { type: String, required: true },
    decision: { type: decisionSchema, required: true },
    invitationId: { type: String, default: null },
    source: { type: sourceSchema, required: true },
    /** The call's end as a local date at its site (YYYY-MM-DD): its day in the reports. */
    day: { type: String, default: null },
    /** The queue's survey template when the call was decided (a scheduled call's invitation has it). */
    templateKey: { type: String, default: null },
    /** Surveyed calls: the customer called the same queue again within 7 days after (callbacks.ts). */
    calledBack: { type: Boolean, default: false },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

// Quarantine: this customer's surveys near a date. Callbacks (a customer's calls near a date)
// read through its customerHash prefix, in the same query: a customer has few calls.
callSchema.index({ customerHash: 1, 'decision.sendAt': 1 });
// Balanced sampling: an agent's scheduled surveys in a queue and week.
callSchema.index({ queue: 1, agent: 1, week: 1 });
// The decision log, newest calls first, optionally by queue.
callSchema.index({ endedAt: -1 });
callSchema.index({ queue: 1, endedAt: -1 });
// Retention (server/privacy): calls whose customer is not erased yet, by age. Erasing one
// takes it out, so finding the calls past the retention reads only those left to erase.
callSchema.index({ endedAt: 1 }, { partialFilterExpression: { 'customer.email': { $type: 'string' } } });

/** A stored call as read with lean(). */
export interface CallRecord {
  _id: Types.ObjectId;
  externalId: string;
  endedAt: Date;
  site: string;
  queue: string;
  agent: string | null;
  reason: string | null;
  durationSec: number | null;
  customer: { email: string; name: string | null; locale: 'fr' | 'en' };
  customerHash: string;
  week: string;
  decision: {
    outcome: StoredOutcome;
    code: string;
    reason: string;
    sendAt: Date | null;
    until: Date | null;
    surveyedOn: Date | null;
    suppression: string | null;
    balanced: boolean;
    decidedAt: Date;
  };
  source: { type: 'api' | 'csv'; id: string };
  /** Null on calls stored before these were kept. */
  day: string | null;
  templateKey: string | null;
  calledBack: boolean;
  createdAt: Date;
}
export const CallModel = mongoose.model('Call', callSchema);
