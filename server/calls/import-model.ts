/**
 * The CallImport model: one CSV upload on its way through the admin import (uploaded →
 * mapped → running → done). The file's text is kept only until the import has run
 * (it holds customer addresses); the outcome summary stays. Unfinished uploads expire.
 */
import mongoose, { Schema, type Types } from 'mongoose';

export const IMPORT_STATES = ['uploaded', 'mapped', 'running', 'done'] as const;
export type ImportState = (typeof IMPORT_STATES)[number];

/** Uploads nobody imported are dropped after a week. */
const EXPIRE_AFTER_SECONDS = 7 * 86_400;

const problemSchema = new Schema(
  { line: Number, externalId: String, outcome: String, reason: String },
  { _id: false },
);

const callImportSchema = new Schema(
  {
    filename: { type: String, default: null },
    text: { type: String, default: null },
    delimiter: { type: String, required: true },
    headers: { type: [String], default: [] },
    rowCount: { type: Number, required: true },
    /** Target → column index, once the admin has chosen. */
    mapping: { type: Schema.Types.Mixed, default: null },
    /** Zone of dates written without one. */
    timeZone: { type: String, default: 'UTC' },
    state: { type: String, required: true, enum: IMPORT_STATES, default: 'uploaded' },
    createdBy: { type: String, required: true },
    /** Set while unfinished: the TTL index removes abandoned uploads. */
    expiresAt: { type: Date, default: null },
    result: {
      type: new Schema(
        {
          counts: { type: Schema.Types.Mixed, required: true },
          /** Rows that were not taken (invalid or duplicate), with their line, capped. */
          problems: { type: [problemSchema], default: [] },
          finishedAt: { type: Date, required: true },
        },
        { _id: false },
      ),
      default: null,
    },
  },
  { timestamps: true },
);
callImportSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export interface CallImportRecord {
  _id: Types.ObjectId;
  filename: string | null;
  text: string | null;
  delimiter: string;
  headers: string[];
  rowCount: number;
  mapping: Record<string, number> | null;
  timeZone: string;
  state: ImportState;
  createdBy: string;
  expiresAt: Date | null;
  result: { counts: Record<string, number>; problems: { line: number; externalId: string; outcome: string; reason: string }[]; finishedAt: Date } | null;
  createdAt: Date;
}

export const UPLOAD_TTL_MS = EXPIRE_AFTER_SECONDS * 1000;
export const CallImportModel = mongoose.model('CallImport', callImportSchema);
