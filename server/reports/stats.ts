/**
 * Report statistics as pure functions: Wilson score intervals for rates, the pooled
 * two-proportion z-test, Holm's step-down adjustment for several comparisons, and the
 * NPS with a normal-approximation interval. Inputs are counts from the rollups; no I/O.
 * The normal distribution comes from jstat; which test a page runs is the page's business.
 */
import { jStat } from 'jstat';

/** Below this many answers a figure is shown greyed as "not enough answers" and never ranked. */
export const MIN_N = 30;
/** The significance level of every test the reports state in words. */
export const ALPHA = 0.05;

/** A confidence interval of a proportion, both ends in [0, 1]. */
export interface Interval {
  low: number;
  high: number;
}

export interface ProportionTest {
  /** p1 − p2, as a proportion. */
  difference: number;
  z: number;
  /** Two-sided. */
  p: number;
}

export interface NpsFigure {
  /** Promoters minus detractors in percentage points, in [−100, 100]. */
  score: number;
  /** Null when every answer falls in one group (the normal approximation has no spread). */
  interval: { low: number; high: number } | null;
}

function checkCount(x: number, n: number, what: string): void {
  if (!Number.isFinite(n) || n < 0 || !Number.isFinite(x) || x < 0 || x > n) {
    throw new RangeError(`${what}: expected 0 ≤ successes ≤ n, got ${x} of ${n}`);
  }
}

/** The two-sided critical value of the standard normal for `confidence` (1.96 for 0.95). */
export function zFor(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  return jStat.normal.inv(1 - (1 - confidence) / 2, 0, 1);
}

/** Two-sided p-value of a standard normal statistic, from the lower tail (no 1 − Φ cancellation). */
function twoSidedP(z: number): number {
  return Math.min(1, 2 * jStat.normal.cdf(-Math.abs(z), 0, 1));
}

/**
 * Wilson's score interval (Wilson 1927, without continuity correction) for `successes`
 * out of `n`. Null when n = 0. Unlike the textbook Wald interval it stays inside [0, 1]
 * and does not collapse to a point at 0 % or 100 %, which small sites often show.
 */
export function wilson(successes: number, n: number, confidence = 0.95): Interval | null {
  checkCount(successes, n, 'wilson');
  if (n === 0) return null;
  const z = zFor(confidence);
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // The ends are exactly 0 and 1 at the extremes; rounding must not push them past.
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === n ? 1 : Math.min(1, centre + half),
  };
}

/**
 * The pooled two-proportion z-test of x1/n1 against x2/n2, two-sided. Null when a side
 * has no answers or when the pooled proportion is 0 or 1 (no variance: nothing to test).
 */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number): ProportionTest | null {
  checkCount(x1, n1, 'twoProportionTest');
  checkCount(x2, n2, 'twoProportionTest');
  if (n1 === 0 || n2 === 0) return null;
  const pooled = (x1 + x2) / (n1 + n2);
  if (pooled === 0 || pooled === 1) return null;
  const difference = x1 / n1 - x2 / n2;
  const z = difference / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return { difference, z, p: twoSidedP(z) };
}

/**
 * Holm–Bonferroni adjusted p-values (Holm 1979), in the order given: the i-th smallest of
 * m is multiplied by (m − i + 1), then made non-decreasing along that order and capped at 1.
 * A hypothesis is rejected at level α when its adjusted p-value is below α.
 */
export function holm(pValues: number[]): number[] {
  const m = pValues.length;
  for (const p of pValues) if (!(p >= 0 && p <= 1)) throw new RangeError(`holm: p-values must be in [0, 1], got ${p}`);
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/**
 * The Net Promoter Score of `n` answers with its interval: the difference of the
 * promoter and detractor proportions, whose variance is (pP + pD − (pP − pD)²)/n
 * (a trinomial), with the normal approximation, in points and clamped to [−100, 100].
 * Null when n = 0.
 */
export function nps(promoters: number, detractors: number, n: number, confidence = 0.95): NpsFigure | null {
  checkCount(promoters, n, 'nps');
  checkCount(detractors, n, 'nps');
  if (promoters + detractors > n) throw new RangeError(`nps: ${promoters} promoters and ${detractors} detractors exceed ${n} answers`);
  if (n === 0) return null;
  const pP = promoters / n;
  const pD = detractors / n;
  const difference = pP - pD;
  const variance = (pP + pD - difference * difference) / n;
  const score = 100 * difference;
  // The variance is 0 only when everyone is in one group; tiny negatives are rounding.
  if (variance <= 1e-15) return { score, interval: null };
  const half = 100 * zFor(confidence) * Math.sqrt(variance);
  const clamp = (v: number) => Math.min(100, Math.max(-100, v));
  return { score, interval: { low: clamp(score - half), high: clamp(score + half) } };
}

/**
 * How a report writes a p-value: bounded below at 0.001 and 0.01 ("p < 0.001"),
 * otherwise rounded (three decimals under 0.1: "p = 0.034", else two: "p = 0.42").
 * Callers format the number for the locale.
 */
export function reportedP(p: number): { below: boolean; value: number } {
  if (p < 0.001) return { below: true, value: 0.001 };
  if (p < 0.01) return { below: true, value: 0.01 };
  const rounded = p < 0.1 ? Math.round(p * 1000) / 1000 : Math.round(p * 100) / 100;
  // A significant p must not read as the threshold itself (0.0499 is not "p = 0.050").
  if (p < ALPHA && rounded >= ALPHA) return { below: true, value: ALPHA };
  return { below: false, value: rounded };
}

/** Whether a test result is significant: p < ALPHA (after adjustment, when the caller adjusted). */
export function isSignificant(p: number | null | undefined, alpha = ALPHA): boolean {
  return typeof p === 'number' && p < alpha;
}
