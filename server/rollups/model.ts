/**
 * The DailyRollup model: counters per call day (the site's local date of the call's end),
 * site, queue, agent, reason and survey template, kept current as calls, sends and answers
 * arrive, so that reports read days × buckets instead of every response. Every counter can
 * be rebuilt from the calls, invitations and responses (rebuild.ts). A counter a bucket
 * never had may be absent from its document: it is zero (reports sum them with $sum).
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/** What identifies a bucket. `agent` and `reason` are '' when the call had none, COARSE in a coarse bucket (buckets.ts). */
export const BUCKET_FIELDS = ['day', 'site', 'queue', 'agent', 'reason', 'template'] as const;
export type BucketKey = Record<(typeof BUCKET_FIELDS)[number], string>;

/** Counters fed by calls and invitations. */
export const DELIVERY_COUNTERS = [
  /** Calls for which a survey was scheduled (an invitation created). */
  'surveyed',
  /** Surveyed calls whose customer called the same queue again within 7 days. */
  'callbacks',
  /** Invitations whose first email went out. */
  'invited',
] as const;

/** Counters fed by responses (partial ones included; `completed` counts the submitted ones). */
export const RESPONSE_COUNTERS = [
  'responses',
  'completed',
  'infoYes',
  'infoNo',
  'csatN',
  'csatSum',
  /** Sum of the squared answers: with csatN and csatSum, the variance of the mean. */
  'csatSumSq',
  /** Answers 4 or 5. */
  'csatTop2',
  /** Answers 1 or 2. */
  'csatLow',
  'npsN',
  'npsSum',
  'npsSumSq',
  /** 9 or 10. */
  'npsPromoters',
  /** 0 to 6. */
  'npsDetractors',
  'cesN',
  'cesSum',
  'cesSumSq',
  /** 5 to 7 on the 1-7 effort scale ("easy"). */
  'cesEasy',
  /** Responses with at least one text answer. */
  'texts',
] as const;

export type DeliveryCounter = (typeof DELIVERY_COUNTERS)[number];
export type ResponseCounter = (typeof RESPONSE_COUNTERS)[number];
export type Counter = DeliveryCounter | ResponseCounter;
export type Counters = Record<Counter, number>;

/** Where each counter comes from, and what the rebuild recounts it from. */
export const SOURCES = { responses: RESPONSE_COUNTERS, calls: ['surveyed', 'callbacks'], invitations: ['invited'] } as const;
export type Source = keyof typeof SOURCES;

const counterPaths = Object.fromEntries([...DELIVERY_COUNTERS, ...RESPONSE_COUNTERS].map((c) => [c, { type: Number, default: 0 }]));

const rollupSchema = new Schema(
  {
    day: { type: String, required: true },
    site: { type: String, required: true },
    queue: { type: String, required: true },
    agent: { type: String, default: '' },
    reason: { type: String, default: '' },
    template: { type: String, required: true },
    /** 'coarse' on the coarse buckets (buckets.ts), absent on the detailed ones. */
    level: { type: String },
    ...counterPaths,
    /**
     * Bumped by every incremental change of the response counters: a recount writes its
     * totals only if this did not move while it counted (else a change would be lost).
     */
    responseSeq: { type: Number, default: 0 },
    /** The rebuild that last recounted this bucket from each source (buckets it did not reach are zeroed, then removed if empty). */
    rebuilt: {
      responses: { type: Date, default: null },
      calls: { type: Date, default: null },
      invitations: { type: Date, default: null },
    },
  },
  // No timestamps: ingest adds to hundreds of buckets per batch, and each write is only its $inc.
  { versionKey: false },
);

rollupSchema.index({ day: 1, site: 1, queue: 1, agent: 1, reason: 1, template: 1 }, { unique: true });
// Reports: a period for some sites, at one level (level 'coarse', or null for the detailed buckets).
rollupSchema.index({ site: 1, day: 1, level: 1 });

export type RollupRecord = InferSchemaType<typeof rollupSchema> & Counters;
export const DailyRollup = mongoose.model('DailyRollup', rollupSchema, 'rollups');
