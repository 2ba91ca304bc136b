/**
 * The Queue model: a service line ("Business support") with its site history
 * (assignments) and its survey settings. The rules live in assignments.ts,
 * survey-settings.ts and the services; other features read queues through index.ts.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { SURVEY_DEFAULTS } from './survey-settings';

const assignmentSchema = new Schema(
  {
    site: { type: String, required: true },
    from: { type: Date, required: true },
    to: { type: Date, default: null },
    note: { type: String, default: null },
  },
  { _id: false },
);

const quietHoursSchema = new Schema({ start: { type: String, required: true }, end: { type: String, required: true } }, { _id: false });

const surveySchema = new Schema(
  {
    template: { type: String, default: SURVEY_DEFAULTS.template },
    delayMinutes: { type: Number, default: SURVEY_DEFAULTS.delayMinutes },
    samplingRate: { type: Number, default: SURVEY_DEFAULTS.samplingRate },
    quarantineDays: { type: Number, default: SURVEY_DEFAULTS.quarantineDays },
    quietHours: { type: quietHoursSchema, default: () => ({ ...SURVEY_DEFAULTS.quietHours }) },
    expiryDays: { type: Number, default: SURVEY_DEFAULTS.expiryDays },
    reminderDays: { type: Number, default: SURVEY_DEFAULTS.reminderDays },
    minPerAgentPerWeek: { type: Number, default: SURVEY_DEFAULTS.minPerAgentPerWeek },
  },
  { _id: false },
);

const queueSchema = new Schema(
  {
    code: { type: String, required: true, unique: true, immutable: true },
    name: { type: String, required: true },
    assignments: { type: [assignmentSchema], default: [] },
    survey: { type: surveySchema, default: () => ({}) },
  },
  { timestamps: true },
);
// Reports and scopes look queues up by the sites they were ever at.
queueSchema.index({ 'assignments.site': 1 });

export type QueueRecord = InferSchemaType<typeof queueSchema>;
export const QueueModel = mongoose.model('Queue', queueSchema);
