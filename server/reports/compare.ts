/**
 * Sites compared: every pair of selected sites on the information rate and on CSAT (share
 * answering 4-5), each with the pooled two-proportion test, the p-values Holm-corrected
 * across the pairs of one figure. Pairs where a side has fewer than MIN_N answers are not
 * tested (and do not count in the correction). One aggregation over rollups, by site.
 */
import type { Locale, Translate } from '../i18n';
import { listSites } from '../sites';
import { emptyCounters, figuresOf, sumRollups, type Figures, type Rate } from './figures';
import type { ReportFilters } from './filters';
import { ALPHA, holm, MIN_N, twoProportionTest } from './stats';
import { points, pText } from './wording';

export const COMPARED_FIGURES = ['information', 'csat'] as const;
export type ComparedFigure = (typeof COMPARED_FIGURES)[number];

export interface SiteFigures {
  code: string;
  name: string;
  figures: Figures;
}

export type PairOutcome =
  | { kind: 'notEnough'; thin: string[] }
  /** The pooled proportion is 0 or 1: both sides answered alike, nothing to test. */
  | { kind: 'untestable' }
  | { kind: 'tested'; difference: number; p: number; adjustedP: number; significant: boolean };

export interface Pair {
  a: SiteFigures;
  b: SiteFigures;
  outcome: PairOutcome;
}

/** The selected sites with their figures for the period, in the filters' order. */
export async function siteFiguresOf(f: ReportFilters): Promise<SiteFigures[]> {
  const [rows, sites] = await Promise.all([sumRollups(f, f, ['site']), listSites()]);
  const names = new Map(sites.map((s) => [s.code, s.name]));
  return f.sites.map((code) => ({
    code,
    name: names.get(code) ?? code,
    figures: figuresOf(rows.find((r) => r.key.site === code)?.counters ?? emptyCounters()),
  }));
}

/** Every pair of sites on one figure, Holm-adjusted across the pairs that could be tested. */
export function comparePairs(sites: SiteFigures[], figure: ComparedFigure): Pair[] {
  const pairs: { a: SiteFigures; b: SiteFigures; test: ReturnType<typeof twoProportionTest>; thin: string[] }[] = [];
  sites.forEach((a, i) =>
    sites.slice(i + 1).forEach((b) => {
      const ra: Rate = a.figures[figure];
      const rb: Rate = b.figures[figure];
      const thin = [a, b].filter((s) => !s.figures[figure].enough).map((s) => s.code);
      pairs.push({ a, b, thin, test: thin.length > 0 ? null : twoProportionTest(ra.x, ra.n, rb.x, rb.n) });
    }),
  );
  const tested = pairs.filter((p) => p.test !== null);
  const adjusted = holm(tested.map((p) => p.test!.p));
  return pairs.map((p) => {
    if (p.thin.length > 0) return { a: p.a, b: p.b, outcome: { kind: 'notEnough', thin: p.thin } };
    if (!p.test) return { a: p.a, b: p.b, outcome: { kind: 'untestable' } };
    const adjustedP = adjusted[tested.indexOf(p)] as number;
    const { difference, p: raw } = p.test;
    return { a: p.a, b: p.b, outcome: { kind: 'tested', difference, p: raw, adjustedP, significant: adjustedP < ALPHA } };
  });
}

const label = (s: SiteFigures) => s.name;

/** The plain sentence of a pair: "Abbeville is 12 points above Casablanca (p < 0.01)." or why not. */
export function pairSentence(pair: Pair, t: Translate, locale: Locale): string {
  const { a, b, outcome } = pair;
  if (outcome.kind === 'notEnough') {
    return t('reports.compare.notEnough', { a: label(a), b: label(b), thin: outcome.thin.join(', '), min: MIN_N });
  }
  if (outcome.kind === 'untestable') return t('reports.compare.untestable', { a: label(a), b: label(b) });
  const p = pText(t, locale, outcome.adjustedP);
  if (!outcome.significant) return t('reports.compare.noDifference', { a: label(a), b: label(b), p });
  const [high, low] = outcome.difference > 0 ? [a, b] : [b, a];
  return t('reports.compare.above', { a: label(high), b: label(low), points: points(outcome.difference), p });
}

/** The page's sections: per figure, the pairs as sentences, significant ones first. */
export function compareSections(sites: SiteFigures[], t: Translate, locale: Locale) {
  return COMPARED_FIGURES.map((figure) => {
    const pairs = comparePairs(sites, figure);
    const order = (p: Pair) => (p.outcome.kind === 'tested' ? (p.outcome.significant ? 0 : 1) : p.outcome.kind === 'untestable' ? 2 : 3);
    return {
      id: figure,
      title: t(`reports.compare.${figure}`),
      count: pairs.length,
      pairs: [...pairs]
        .sort((x, y) => order(x) - order(y) || (x.outcome.kind === 'tested' && y.outcome.kind === 'tested' ? x.outcome.adjustedP - y.outcome.adjustedP : 0))
        .map((p) => ({ sentence: pairSentence(p, t, locale), significant: p.outcome.kind === 'tested' && p.outcome.significant, thin: p.outcome.kind === 'notEnough' })),
      sites: sites.map((s) => ({ code: s.code, name: s.name, rate: s.figures[figure] })),
    };
  });
}
