/**
 * The RetentionState model: one document saying how far retention has got, so an hourly
 * pass reads only the calls that came of age since the last one (on any database, the
 * embedded engine included), and when the last full sweep ran (it finds calls stored
 * after their end had already passed the retention, e.g. an import of old calls).
 */
import mongoose, { Schema } from 'mongoose';

const retentionStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** Every call that ended before this had its customer erased when the pass ran. */
    erasedBefore: { type: Date, default: null },
    fullSweepAt: { type: Date, default: null },
    lastPassAt: { type: Date, default: null },
  },
  { versionKey: false },
);

export interface RetentionStateRecord {
  _id: string;
  erasedBefore: Date | null;
  fullSweepAt: Date | null;
  lastPassAt: Date | null;
}

export const RETENTION_STATE_ID = 'retention';
export const RetentionState = mongoose.model('RetentionState', retentionStateSchema, 'retention_state');
