/**
 * Report figures from rollups: sumRollups() runs one aggregation over DailyRollup for a
 * period and filters, grouped by the dimensions asked; figuresOf() turns summed counters
 * into the rates every page, export, email and API shows, with intervals from stats.ts.
 * Reading responses one by one is never done here: cost grows with days × buckets.
 *
 * Rates: response = responses / invited; information = yes / (yes + no); CSAT = answers
 * 4-5 / CSAT answers (plus the mean); NPS from promoters and detractors; CES mean and share
 * "easy" (5-7); callbacks = surveyed calls called back within 7 days / surveyed calls.
 */
import type { PipelineStage } from 'mongoose';
import { COARSE_LEVEL, DailyRollup, DELIVERY_COUNTERS, RESPONSE_COUNTERS, type Counter, type Counters } from '../rollups';
import { daysOf, type Period, type ReportFilters } from './filters';
import { ALPHA, MIN_N, nps, twoProportionTest, wilson, type Interval, type NpsFigure } from './stats';

export type { Counters };
export type Dimension = 'site' | 'queue' | 'agent' | 'reason' | 'template' | 'day';
export const COUNTERS: readonly Counter[] = [...DELIVERY_COUNTERS, ...RESPONSE_COUNTERS];

export interface Row {
  key: Partial<Record<Dimension, string>>;
  counters: Counters;
}

export interface Rate {
  /** x / n in [0, 1]; null when n = 0. */
  value: number | null;
  interval: Interval | null;
  n: number;
  x: number;
  /** n ≥ MIN_N: below, pages grey the figure as "not enough answers" and never rank it. */
  enough: boolean;
}

export interface Figures {
  surveyed: number;
  invited: number;
  responses: number;
  completed: number;
  responseRate: Rate;
  information: Rate;
  csat: Rate & { mean: number | null };
  nps: (NpsFigure & { n: number; enough: boolean }) | null;
  ces: { mean: number | null; n: number; easy: Rate };
  callbacks: Rate;
  /** The information question has MIN_N answers or more. */
  enough: boolean;
}

export interface Change {
  /** current − previous, as a proportion. */
  difference: number;
  p: number;
  direction: 'up' | 'down';
}

export function emptyCounters(): Counters {
  return Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counters;
}

/** Adds `b` into `a` (returns `a`). */
export function addCounters(a: Counters, b: Counters): Counters {
  for (const c of COUNTERS) a[c] += b[c];
  return a;
}

/** The sum of the rows' counters. */
export function totalOf(rows: Row[]): Counters {
  return rows.reduce((sum, row) => addCounters(sum, row.counters), emptyCounters());
}

/**
 * Counters summed over the rollups of `range` for the filters' sites (queues, template),
 * one row per combination of `by` (one row with key {} when `by` is empty and any bucket
 * matched). One aggregation whose $match selects by site, day and level (the {site, day,
 * level} index): the coarse buckets unless `by` splits by agent or reason, so most pages
 * read days × sites × queues documents whatever the number of agents and reasons.
 */
export async function sumRollups(range: Period, f: Pick<ReportFilters, 'sites' | 'queues' | 'template'>, by: Dimension[]): Promise<Row[]> {
  if (f.sites.length === 0) return [];
  // The period's days listed as well as bounded: with site, an exact key lookup on {site, day} in any planner.
  const match: Record<string, unknown> = { site: { $in: f.sites }, day: { $gte: range.from, $lte: range.to, $in: daysOf(range) } };
  if (f.queues.length > 0) match.queue = { $in: f.queues };
  if (f.template) match.template = f.template;
  match.level = by.includes('agent') || by.includes('reason') ? null : COARSE_LEVEL;
  const group = {
    _id: Object.fromEntries(by.map((d) => [d, `$${d}`])),
    ...Object.fromEntries(COUNTERS.map((c) => [c, { $sum: `$${c}` }])),
  } as PipelineStage.Group['$group'];
  const docs = await DailyRollup.aggregate<Record<string, unknown> & { _id: Record<string, string> }>([{ $match: match }, { $group: group }]);
  return docs.map((doc) => ({
    key: Object.fromEntries(by.map((d) => [d, String(doc._id?.[d] ?? '')])),
    counters: Object.fromEntries(COUNTERS.map((c) => [c, Number(doc[c] ?? 0)])) as Counters,
  }));
}

/** x of n as a Rate (x clamped to n: counters of a bucket in flux must not break the interval). */
export function rate(x: number, n: number): Rate {
  const safeX = Math.max(0, Math.min(x, n));
  return {
    value: n > 0 ? safeX / n : null,
    interval: wilson(safeX, Math.max(0, n)),
    n,
    x: safeX,
    enough: n >= MIN_N,
  };
}

/** Every figure of a set of summed counters. */
export function figuresOf(c: Counters): Figures {
  const information = rate(c.infoYes, c.infoYes + c.infoNo);
  const npsFigure = nps(Math.min(c.npsPromoters, c.npsN), Math.min(c.npsDetractors, Math.max(0, c.npsN - c.npsPromoters)), c.npsN);
  return {
    surveyed: c.surveyed,
    invited: c.invited,
    responses: c.responses,
    completed: c.completed,
    responseRate: rate(c.responses, c.invited),
    information,
    csat: { ...rate(c.csatTop2, c.csatN), mean: c.csatN > 0 ? c.csatSum / c.csatN : null },
    nps: npsFigure ? { ...npsFigure, n: c.npsN, enough: c.npsN >= MIN_N } : null,
    ces: { mean: c.cesN > 0 ? c.cesSum / c.cesN : null, n: c.cesN, easy: rate(c.cesEasy, c.cesN) },
    callbacks: rate(c.callbacks, c.surveyed),
    enough: information.enough,
  };
}

/**
 * The change of a rate from `previous` to `current` when the two-proportion test finds
 * it significant (p < 0.05) and both sides have enough answers; null otherwise (no arrow shown).
 */
export function significantChange(current: Rate, previous: Rate): Change | null {
  if (!current.enough || !previous.enough) return null;
  const test = twoProportionTest(current.x, current.n, previous.x, previous.n);
  if (!test || !(test.p < ALPHA) || test.difference === 0) return null;
  return { difference: test.difference, p: test.p, direction: test.difference > 0 ? 'up' : 'down' };
}
