/**
 * The report statistics against published worked examples (sources beside each case),
 * and their edge cases: no answers, none or all successes, other confidence levels.
 */
import { ALPHA, holm, isSignificant, MIN_N, nps, reportedP, twoProportionTest, wilson, zFor } from '../../server/reports/stats';

describe('wilson', () => {
  // Newcombe R.G. (1998), "Two-sided confidence intervals for the single proportion:
  // comparison of seven methods", Statistics in Medicine 17:857-872, Table I, method 3
  // (Wilson's score interval without continuity correction, 95%).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [29, 29, 0.883, 1],
  ])('gives Newcombe’s 95%% interval for %i out of %i', (x, n, low, high) => {
    const interval = wilson(x, n);
    expect(interval?.low).toBeCloseTo(low, 4);
    expect(interval?.high).toBeCloseTo(high, 4);
  });

  it('has no interval without answers', () => {
    expect(wilson(0, 0)).toBeNull();
  });

  it('starts exactly at 0 when nobody said yes and ends exactly at 1 when everybody did', () => {
    // With x = 0 the score interval has the closed form [0, z²/(n + z²)].
    const z = zFor(0.95);
    const edge = (z * z) / (7 + z * z);
    expect(wilson(0, 7)?.low).toBe(0);
    expect(wilson(0, 7)?.high).toBeCloseTo(edge, 12);
    expect(wilson(7, 7)?.low).toBeCloseTo(1 - edge, 12);
    expect(wilson(7, 7)?.high).toBe(1);
    expect(wilson(1, 1)?.high).toBe(1);
  });

  it('widens at 99% and narrows at 90%, using the normal quantiles of the tables', () => {
    // Standard normal table: z(0.995) = 2.5758, z(0.95) = 1.6449.
    expect(zFor(0.99)).toBeCloseTo(2.5758, 4);
    expect(zFor(0.9)).toBeCloseTo(1.6449, 4);
    const z = zFor(0.99);
    expect(wilson(0, 10, 0.99)?.high).toBeCloseTo((z * z) / (10 + z * z), 12);
    const at95 = wilson(81, 263) as { low: number; high: number };
    const at99 = wilson(81, 263, 0.99) as { low: number; high: number };
    const at90 = wilson(81, 263, 0.9) as { low: number; high: number };
    expect(at99.low).toBeLessThan(at95.low);
    expect(at99.high).toBeGreaterThan(at95.high);
    expect(at90.low).toBeGreaterThan(at95.low);
    expect(at90.high).toBeLessThan(at95.high);
  });

  it('refuses impossible counts and confidence levels', () => {
    expect(() => wilson(5, 4)).toThrow(RangeError);
    expect(() => wilson(-1, 4)).toThrow(RangeError);
    expect(() => wilson(1, 4, 1)).toThrow(RangeError);
    expect(() => wilson(1, 4, 0)).toThrow(RangeError);
  });
});

describe('twoProportionTest', () => {
  it('matches Stat Trek’s worked example (38% of 100 men, 51% of 200 women: z = −2.13, p ≈ 0.03)', () => {
    // Stat Trek, "Hypothesis Test: Difference in Proportions", example 1: pooled p = 0.467,
    // SE = 0.061, z = −2.13, two-tailed P-value 0.03 (tables, rounded).
    const test = twoProportionTest(38, 100, 102, 200);
    expect(test?.difference).toBeCloseTo(-0.13, 10);
    expect(test?.z).toBeCloseTo(-2.13, 2);
    expect(test?.p).toBeCloseTo(0.033, 3);
  });

  it('matches a textbook printout (475 of 1,000 against 525 of 1,000: SE 0.02236, z −2.24, P 0.0253)', () => {
    // A two-proportion test printout reproduced in an introductory statistics exercise
    // ("compare the proportion of male and female students who voted").
    const test = twoProportionTest(475, 1000, 525, 1000);
    expect(test?.z).toBeCloseTo(-2.236, 3);
    expect(test?.p).toBeCloseTo(0.0253, 4);
  });

  it('is symmetric: swapping the sides flips the difference and z, not p', () => {
    const a = twoProportionTest(38, 100, 102, 200);
    const b = twoProportionTest(102, 200, 38, 100);
    expect(b?.difference).toBeCloseTo(-(a?.difference as number), 12);
    expect(b?.z).toBeCloseTo(-(a?.z as number), 12);
    expect(b?.p).toBeCloseTo(a?.p as number, 12);
  });

  it('gives p far below 0.001 for a large difference and p = 1 for equal rates', () => {
    const strong = twoProportionTest(300, 400, 200, 400);
    expect(strong?.p).toBeGreaterThan(0);
    expect(strong?.p).toBeLessThan(1e-10);
    expect(twoProportionTest(30, 60, 15, 30)?.p).toBeCloseTo(1, 12);
  });

  it('has no result when a side has no answers or nobody (or everybody) said yes', () => {
    expect(twoProportionTest(0, 0, 5, 10)).toBeNull();
    expect(twoProportionTest(5, 10, 0, 0)).toBeNull();
    expect(twoProportionTest(0, 10, 0, 20)).toBeNull();
    expect(twoProportionTest(10, 10, 20, 20)).toBeNull();
  });

  it('still tests when one side is at 0% or 100%', () => {
    const test = twoProportionTest(0, 40, 10, 40);
    expect(test?.difference).toBeCloseTo(-0.25, 12);
    expect(test?.p).toBeLessThan(0.001);
  });
});

describe('holm', () => {
  // Wikipedia, "Holm–Bonferroni method", example: four hypotheses with p = 0.01, 0.04,
  // 0.03 and 0.005 at α = 0.05; H1 and H4 are rejected, H2 and H3 are not.
  it('adjusts Wikipedia’s example and rejects the same hypotheses', () => {
    const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((expected, i) => expect(adjusted[i]).toBeCloseTo(expected, 12));
    expect(adjusted.map((p) => isSignificant(p))).toEqual([true, false, false, true]);
  });

  it('keeps the order given, never lowers a p-value, stays monotone and caps at 1', () => {
    const raw = [0.2, 0.001, 0.6, 0.04, 0.04];
    const adjusted = holm(raw);
    adjusted.forEach((p, i) => expect(p).toBeGreaterThanOrEqual(raw[i] as number));
    // Sorted: 5 × 0.001, 4 × 0.04, 3 × 0.04 (raised to 0.16), 2 × 0.2, 1 × 0.6.
    [0.4, 0.005, 0.6, 0.16, 0.16].forEach((expected, i) => expect(adjusted[i]).toBeCloseTo(expected, 12));
    expect(holm([0.6, 0.7])).toEqual([1, 1]);
    // Sorted by raw p, the adjusted values never decrease.
    const byRaw = raw.map((p, i) => [p, adjusted[i] as number]).sort((a, b) => (a[0] as number) - (b[0] as number));
    byRaw.slice(1).forEach(([, p], i) => expect(p).toBeGreaterThanOrEqual(byRaw[i]?.[1] as number));
  });

  it('leaves a single p-value alone and an empty list empty', () => {
    expect(holm([0.03])).toEqual([0.03]);
    expect(holm([])).toEqual([]);
  });

  it('refuses values that are not probabilities', () => {
    expect(() => holm([0.5, 1.2])).toThrow(RangeError);
    expect(() => holm([Number.NaN])).toThrow(RangeError);
  });
});

describe('nps', () => {
  it('gives the ±4.4-point margin of a published survey (1,162 answers: 291 promoters, 395 detractors)', () => {
    // Talk Stats forum, "Net Promoter Score - Calculating Confidence Intervals and Margin of
    // Error": NPS −9 with a 95% margin of 4.4 points.
    const figure = nps(291, 395, 1162);
    expect(Math.round(figure?.score as number)).toBe(-9);
    const interval = figure?.interval as { low: number; high: number };
    expect((interval.high - interval.low) / 2).toBeCloseTo(4.4, 1);
    expect((interval.high + interval.low) / 2).toBeCloseTo(figure?.score as number, 10);
  });

  it('uses the trinomial variance of Cross Validated’s worked example (½ promoters, ⅙ detractors: variance 5/9)', () => {
    // Cross Validated, "How can I calculate margin of error in a NPS result?", accepted
    // answer: with 1/2 promoters, 1/3 passives and 1/6 detractors the NPS is 1/3 and the
    // variance of one answer 5/9, so the standard error for n answers is √(5/9 / n).
    const figure = nps(150, 50, 300);
    expect(figure?.score).toBeCloseTo(100 / 3, 10);
    const margin = 100 * zFor(0.95) * Math.sqrt(5 / 9 / 300);
    expect(figure?.interval?.low).toBeCloseTo(100 / 3 - margin, 10);
    expect(figure?.interval?.high).toBeCloseTo(100 / 3 + margin, 10);
  });

  it('clamps the interval to [−100, 100]', () => {
    const high = nps(29, 0, 30)?.interval;
    expect(high?.high).toBe(100);
    expect(high?.low).toBeLessThan(100);
    const low = nps(0, 9, 10)?.interval;
    expect(low?.low).toBe(-100);
  });

  it('has no figure without answers and no interval when every answer is in one group', () => {
    expect(nps(0, 0, 0)).toBeNull();
    expect(nps(10, 0, 10)).toEqual({ score: 100, interval: null });
    expect(nps(0, 10, 10)).toEqual({ score: -100, interval: null });
    expect(nps(0, 0, 10)).toEqual({ score: 0, interval: null });
  });

  it('widens with the confidence level and refuses impossible counts', () => {
    const at95 = nps(291, 395, 1162)?.interval as { low: number; high: number };
    const at99 = nps(291, 395, 1162, 0.99)?.interval as { low: number; high: number };
    expect(at99.high - at99.low).toBeCloseTo(((at95.high - at95.low) * zFor(0.99)) / zFor(0.95), 10);
    expect(() => nps(6, 5, 10)).toThrow(RangeError);
  });
});

describe('reportedP and the thresholds', () => {
  it('bounds small p-values and rounds the others', () => {
    expect(reportedP(0.00002)).toEqual({ below: true, value: 0.001 });
    expect(reportedP(0.004)).toEqual({ below: true, value: 0.01 });
    expect(reportedP(0.0334)).toEqual({ below: false, value: 0.033 });
    expect(reportedP(0.0499)).toEqual({ below: true, value: 0.05 });
    expect(reportedP(0.4217)).toEqual({ below: false, value: 0.42 });
  });

  it('uses 30 answers as the minimum and 5% as the level', () => {
    expect(MIN_N).toBe(30);
    expect(ALPHA).toBe(0.05);
    expect(isSignificant(0.0499)).toBe(true);
    expect(isSignificant(0.05)).toBe(false);
    expect(isSignificant(null)).toBe(false);
  });
});
