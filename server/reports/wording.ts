/**
 * How report pages put statistics into words: p-values ("p < 0.01", "p = 0.034" in the
 * reader's number format), differences in percentage points, and the significant-change
 * arrow with its sentence for screen readers. Numbers come from stats.ts and figures.ts.
 */
import { formatNumber } from '../http/helpers';
import type { Locale, Translate } from '../i18n';
import type { Change } from './figures';
import { reportedP } from './stats';

/** "p < 0.01" or "p = 0.034" in the reader's locale. */
export function pText(t: Translate, locale: Locale, p: number): string {
  const { below, value } = reportedP(p);
  const decimals = value < 0.01 ? 3 : value < 0.1 && !below ? 3 : 2;
  return t(below ? 'reports.p.below' : 'reports.p.equal', { value: formatNumber(value, locale, decimals) });
}

/** A difference of proportions in whole percentage points, without sign. */
export function points(difference: number): number {
  return Math.round(Math.abs(difference) * 100);
}

export interface ChangeView {
  direction: 'up' | 'down';
  /** Whether the change is an improvement (a rise of the callback rate is not). */
  better: boolean;
  arrow: '▲' | '▼';
  /** Visible next to the arrow: "+5 pts". */
  short: string;
  /** For screen readers: the whole statement. */
  sentence: string;
}

/** The arrow and words of a significant change, or null (nothing shown). */
export function changeView(t: Translate, locale: Locale, change: Change | null, higherIsBetter = true): ChangeView | null {
  if (!change) return null;
  const vars = { points: formatNumber(points(change.difference), locale), p: pText(t, locale, change.p) };
  return {
    direction: change.direction,
    better: (change.direction === 'up') === higherIsBetter,
    arrow: change.direction === 'up' ? '▲' : '▼',
    short: t(`reports.change.${change.direction}Short`, vars),
    sentence: t(`reports.change.${change.direction}`, vars),
  };
}
