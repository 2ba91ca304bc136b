/**
 * What a response adds to its bucket: its facts (the headline answers, complete or not)
 * and the counters they make. The same rules exist twice, in JavaScript for the change a
 * save makes and as aggregation expressions for recounts and the rebuild; a test holds
 * them equal. Pure: no I/O.
 */
import type { ResponseRecord } from '../responses';
import { bucketOf } from './buckets';
import { RESPONSE_COUNTERS, type BucketKey, type ResponseCounter } from './model';

/** The part of a response that rollups count. */
export interface ResponseFacts {
  /** From the response's day/site/queue/agent/reason/templateKey. */
  bucket: BucketKey;
  complete: boolean;
  gotInformation: boolean | null;
  csat: number | null;
  nps: number | null;
  ces: number | null;
  hasText: boolean;
}

export type FactsSource = Pick<
  ResponseRecord,
  'day' | 'site' | 'queue' | 'agent' | 'reason' | 'templateKey' | 'complete' | 'gotInformation' | 'csat' | 'nps' | 'ces' | 'text'
>;

const score = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

export function responseFacts(r: FactsSource): ResponseFacts {
  return {
    bucket: bucketOf(r),
    complete: r.complete === true,
    gotInformation: typeof r.gotInformation === 'boolean' ? r.gotInformation : null,
    csat: score(r.csat),
    nps: score(r.nps),
    ces: score(r.ces),
    hasText: typeof r.text === 'string' && r.text.length > 0,
  };
}

export type ResponseCounts = Record<ResponseCounter, number>;

export function zeroCounts(): ResponseCounts {
  return Object.fromEntries(RESPONSE_COUNTERS.map((c) => [c, 0])) as ResponseCounts;
}

const flag = (yes: boolean) => (yes ? 1 : 0);

/** The counters one response adds to its bucket. */
export function countsOf(f: ResponseFacts): ResponseCounts {
  const { csat, nps, ces } = f;
  return {
    responses: 1,
    completed: flag(f.complete),
    infoYes: flag(f.gotInformation === true),
    infoNo: flag(f.gotInformation === false),
    csatN: flag(csat !== null),
    csatSum: csat ?? 0,
    csatSumSq: csat === null ? 0 : csat * csat,
    csatTop2: flag(csat !== null && csat >= 4),
    csatLow: flag(csat !== null && csat <= 2),
    npsN: flag(nps !== null),
    npsSum: nps ?? 0,
    npsSumSq: nps === null ? 0 : nps * nps,
    npsPromoters: flag(nps !== null && nps >= 9),
    npsDetractors: flag(nps !== null && nps <= 6),
    cesN: flag(ces !== null),
    cesSum: ces ?? 0,
    cesSumSq: ces === null ? 0 : ces * ces,
    cesEasy: flag(ces !== null && ces >= 5),
    texts: flag(f.hasText),
  };
}

/** after − before, counter by counter (before null: a new response). */
export function countsDelta(before: ResponseFacts | null, after: ResponseFacts): ResponseCounts {
  const a = countsOf(after);
  if (!before) return a;
  const b = countsOf(before);
  return Object.fromEntries(RESPONSE_COUNTERS.map((c) => [c, a[c] - b[c]])) as ResponseCounts;
}

// The same rules as countsOf, as $group accumulators over response documents.
const isNumber = (field: string) => ({ $isNumber: field });
const when = (condition: unknown, then: unknown = 1) => ({ $sum: { $cond: [condition, then, 0] } });
const scoreCounters = (field: string, prefix: 'csat' | 'nps' | 'ces', high: [number, string], low?: [number, string]) => ({
  [`${prefix}N`]: when(isNumber(field)),
  [`${prefix}Sum`]: when(isNumber(field), field),
  [`${prefix}SumSq`]: when(isNumber(field), { $multiply: [field, field] }),
  [high[1]]: when({ $and: [isNumber(field), { $gte: [field, high[0]] }] }),
  ...(low ? { [low[1]]: when({ $and: [isNumber(field), { $lte: [field, low[0]] }] }) } : {}),
});

/** $group accumulators giving every response counter (the group's _id is the caller's). */
export const COUNT_ACCUMULATORS: Record<ResponseCounter, unknown> = {
  responses: { $sum: 1 },
  completed: when({ $eq: ['$complete', true] }),
  infoYes: when({ $eq: ['$gotInformation', true] }),
  infoNo: when({ $eq: ['$gotInformation', false] }),
  ...scoreCounters('$csat', 'csat', [4, 'csatTop2'], [2, 'csatLow']),
  ...scoreCounters('$nps', 'nps', [9, 'npsPromoters'], [6, 'npsDetractors']),
  ...scoreCounters('$ces', 'ces', [5, 'cesEasy']),
  texts: when({ $gt: [{ $strLenCP: { $cond: [{ $eq: [{ $type: '$text' }, 'string'] }, '$text', ''] } }, 0] }),
} as Record<ResponseCounter, unknown>;

/** The group key of a response's bucket ('' for a missing agent or reason, like bucketOf). */
export const RESPONSE_BUCKET_GROUP = {
  day: '$day',
  site: '$site',
  queue: '$queue',
  agent: { $ifNull: ['$agent', ''] },
  reason: { $ifNull: ['$reason', ''] },
  template: '$templateKey',
};
