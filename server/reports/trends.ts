/**
 * The Trends page's numbers: figures per site and per day, ISO week or month (one
 * aggregation over rollups by site and day, bucketed here), the relocations of the period
 * (from the queues' histories), and for each relocation the same queue N weeks before (at
 * the site it left) and after (at the site it moved to), compared with a two-proportion test;
 * and the latest relocations outside the period, which the page links to.
 *
 * Scoping: series and relocations only cover the filters' sites (already limited to the
 * user's). A side of a relocation at a site the user may not see is hidden, and then
 * nothing is compared: a difference would give away the hidden site's figures.
 */
import { canSeeSite, type StaffUser } from '../auth';
import { relocations, type Relocation } from '../queues';
import { listSites, type Site } from '../sites';
import { addDays, isoWeekOfDate, localDate } from '../time/local-time';
import { addCounters, emptyCounters, figuresOf, sumRollups, totalOf, type Figures } from './figures';
import type { Granularity, Period, ReportFilters } from './filters';
import { ALPHA, twoProportionTest, type ProportionTest } from './stats';

export const DEFAULT_WEEKS = 8;
export const MAX_WEEKS = 52;
export const TREND_METRICS = ['information', 'csat', 'responseRate'] as const;
export type TrendMetric = (typeof TREND_METRICS)[number];
export const COMPARED_METRICS = ['information', 'csat'] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];

/** The period a call day belongs to: the day itself, its ISO week ("2026-W10") or its month ("2026-03"). */
export function periodOf(day: string, granularity: Granularity): string {
  if (granularity === 'day') return day;
  if (granularity === 'month') return day.slice(0, 7);
  return isoWeekOfDate(day);
}

/** Every period touched by the days from `p.from` to `p.to`, in order (gaps included). */
export function periodsOf(p: Period, granularity: Granularity): string[] {
  const periods: string[] = [];
  for (let day = p.from; day <= p.to; day = addDays(day, 1)) {
    const period = periodOf(day, granularity);
    if (periods[periods.length - 1] !== period) periods.push(period);
  }
  return periods;
}

export interface SiteSeries {
  site: Site;
  /** Figures by period; periods without any rollup are absent. */
  figures: Map<string, Figures>;
}

export interface TrendSeries {
  periods: string[];
  /** The filters' sites that have data in the period, in the filters' order. */
  series: SiteSeries[];
}

/** Figures per site and period for the filters (one aggregation over the rollups). */
export async function trendSeries(f: ReportFilters, sites: Site[]): Promise<TrendSeries> {
  const rows = await sumRollups(f, f, ['site', 'day']);
  const sums = new Map<string, Map<string, ReturnType<typeof emptyCounters>>>();
  for (const row of rows) {
    const site = row.key.site ?? '';
    const period = periodOf(row.key.day ?? '', f.granularity);
    const bySite = sums.get(site) ?? new Map();
    sums.set(site, bySite);
    bySite.set(period, addCounters(bySite.get(period) ?? emptyCounters(), row.counters));
  }
  const series = f.sites
    .map((code) => sites.find((s) => s.code === code))
    .filter((site): site is Site => site !== undefined && sums.has(site.code))
    .map((site) => ({
      site,
      figures: new Map([...(sums.get(site.code) ?? [])].map(([period, counters]) => [period, figuresOf(counters)])),
    }));
  return { periods: periodsOf(f, f.granularity), series };
}

export interface Side {
  site: string;
  window: Period;
  /** Null when the user may not see this site. */
  figures: Figures | null;
}

export type Comparison =
  | { kind: 'hidden' }
  | { kind: 'notEnough' }
  | { kind: 'untestable' }
  | { kind: 'change' | 'noChange'; test: ProportionTest };

export interface RelocationPanel {
  move: Relocation;
  /** The local date of the move at the site it moved to. */
  day: string;
  timezone: string;
  before: Side;
  after: Side;
  comparisons: Record<ComparedMetric, Comparison>;
}

/** A move that took effect, with its local date at the site it moved to. */
export interface FoundMove {
  move: Relocation;
  day: string;
}

/** The effective moves of the filters' sites and queues (local date at the new site), oldest first. */
async function effectiveMoves(f: ReportFilters, sites: Site[], now: Date): Promise<FoundMove[]> {
  const zones = new Map(sites.map((s) => [s.code, s.timezone]));
  const moves = await relocations({ sites: f.sites }, now);
  return moves
    .filter((m) => !m.scheduled && (f.queues.length === 0 || f.queues.includes(m.queue)))
    .map((move) => ({ move, day: localDate(move.at, zones.get(move.toSite) ?? 'UTC') }));
}

/** How many of the latest moves outside the period the page links to, rather than leave their dates to guesswork. */
export const MOVES_ELSEWHERE_SHOWN = 5;

/**
 * The days a move's panel compares: `weeks` weeks before its day at the site it left,
 * `weeks` weeks from that day at the site it moved to (until today there at the latest).
 */
export function moveWindows(day: string, weeks: number, timezone: string, now = new Date()): { before: Period; after: Period } {
  const lastAfter = addDays(day, 7 * weeks - 1);
  const today = localDate(now, timezone);
  const afterEnd = lastAfter < today ? lastAfter : today > day ? today : day;
  return { before: { from: addDays(day, -7 * weeks), to: addDays(day, -1) }, after: { from: day, to: afterEnd } };
}

function compare(before: Figures | null, after: Figures | null, metric: ComparedMetric): Comparison {
  if (!before || !after) return { kind: 'hidden' };
  const [b, a] = [before[metric], after[metric]];
  if (!b.enough || !a.enough) return { kind: 'notEnough' };
  const test = twoProportionTest(a.x, a.n, b.x, b.n);
  if (!test) return { kind: 'untestable' };
  return { kind: test.p < ALPHA ? 'change' : 'noChange', test };
}

async function side(site: string, window: Period, queue: string, f: ReportFilters, user: StaffUser): Promise<Side> {
  if (!canSeeSite(user, site)) return { site, window, figures: null };
  const rows = await sumRollups(window, { sites: [site], queues: [queue], template: f.template }, []);
  return { site, window, figures: figuresOf(totalOf(rows)) };
}

/** The before/after panel of a move (moveWindows), compared where the user may see both sides. */
export async function relocationPanel(found: FoundMove, weeks: number, f: ReportFilters, user: StaffUser, sites: Site[], now = new Date()): Promise<RelocationPanel> {
  const { move, day } = found;
  const timezone = sites.find((s) => s.code === move.toSite)?.timezone ?? 'UTC';
  const windows = moveWindows(day, weeks, timezone, now);
  const [before, after] = await Promise.all([side(move.fromSite, windows.before, move.queue, f, user), side(move.toSite, windows.after, move.queue, f, user)]);
  const comparisons = Object.fromEntries(COMPARED_METRICS.map((m) => [m, compare(before.figures, after.figures, m)])) as Record<ComparedMetric, Comparison>;
  return { move, day, timezone, before, after, comparisons };
}

/** Everything the Trends page shows, for the filters, the panels' number of weeks and the user's scope. */
export async function trendsOf(f: ReportFilters, weeks: number, user: StaffUser, now = new Date()) {
  const sites = await listSites();
  const [series, moves] = await Promise.all([trendSeries(f, sites), effectiveMoves(f, sites, now)]);
  const inPeriod = (m: FoundMove) => m.day >= f.from && m.day <= f.to;
  const panels = await Promise.all(moves.filter(inPeriod).map((m) => relocationPanel(m, weeks, f, user, sites, now)));
  const elsewhere = moves
    .filter((m) => !inPeriod(m))
    .reverse()
    .slice(0, MOVES_ELSEWHERE_SHOWN);
  return { series, panels, elsewhere, sites };
}

export type Trends = Awaited<ReturnType<typeof trendsOf>>;
