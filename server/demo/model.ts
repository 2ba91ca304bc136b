/**
 * The DemoLoad model: one document (`_id: 'demo'`) saying whether the demo is in this
 * database, with what seed and size, when it was loaded and what it holds. It makes
 * loading idempotent and lets a crashed load be cleaned up and redone.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const DEMO_ID = 'demo';

const countsSchema = new Schema(
  {
    sites: { type: Number, required: true },
    queues: { type: Number, required: true },
    agents: { type: Number, required: true },
    calls: { type: Number, required: true },
    invitations: { type: Number, required: true },
    responses: { type: Number, required: true },
  },
  { _id: false },
);

const demoLoadSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** `loading` until every document is in; a load found `loading` later crashed (or is running elsewhere). */
    state: { type: String, required: true, enum: ['loading', 'loaded'] },
    seed: { type: Number, required: true },
    size: { type: Number, required: true },
    /** The load time: the demo's six months end here. */
    startedAt: { type: Date, required: true },
    loadedAt: { type: Date, default: null },
    counts: { type: countsSchema, default: null },
  },
  { versionKey: false, collection: 'demo' },
);

export type DemoLoadRecord = InferSchemaType<typeof demoLoadSchema>;
export type DemoCounts = InferSchemaType<typeof countsSchema>;
export const DemoLoad = mongoose.model('DemoLoad', demoLoadSchema);
