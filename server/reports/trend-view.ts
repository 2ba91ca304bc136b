/**
 * The Trends page in words and pictures: one chart per metric (lines per site, interval
 * bands, relocation markers) and, per relocation, the before/after table and the plain
 * sentence of its test ("After the move to Abbeville the information rate rose 14 points
 * (p < 0.001)."), and links to the relocations outside the period. The numbers come from
 * trends.ts; nothing here reads the database.
 */
import { formatDate, formatNumber } from '../http/helpers';
import type { Locale, Translate } from '../i18n';
import type { Site } from '../sites';
import { trendChart, type Chart, type ChartMarker, type ChartSeriesPoint } from './charts';
import { filterQuery, type ReportFilters } from './filters';
import { MIN_N } from './stats';
import { COMPARED_METRICS, DEFAULT_WEEKS, moveWindows, periodOf, TREND_METRICS, type Comparison, type ComparedMetric, type RelocationPanel, type Trends, type TrendMetric } from './trends';
import { points, pText } from './wording';

const siteLabel = (site: Site | undefined, code: string) => (site ? `${site.name} (${site.code})` : code);

/** The points of one metric: every period of every series (null where a site had no answers). */
export function metricPoints(trends: Trends, metric: TrendMetric): ChartSeriesPoint[] {
  return trends.series.series.flatMap(({ site, figures }) =>
    trends.series.periods.map((period) => {
      const rate = figures.get(period)?.[metric];
      return {
        period,
        series: siteLabel(site, site.code),
        value: rate?.value ?? null,
        low: rate?.interval?.low ?? null,
        high: rate?.interval?.high ?? null,
        n: rate?.n ?? 0,
      };
    }),
  );
}

/** A marker per relocation, on the period of its day. */
export function relocationMarkers(trends: Trends, f: ReportFilters, t: Translate): ChartMarker[] {
  return trends.panels.map((p) => ({
    period: periodOf(p.day, f.granularity),
    label: t('reports.trends.markerLabel', { queue: p.move.queueName, site: p.move.toSite }),
  }));
}

/** The three charts of the page (none when there is no data at all). */
export async function trendCharts(trends: Trends, f: ReportFilters, t: Translate, locale: Locale) {
  if (trends.series.series.length === 0) return [];
  const markers = relocationMarkers(trends, f, t);
  const every = t(`reports.trends.every.${f.granularity}`);
  const markerText = markers.length
    ? ' ' + t('reports.trends.charts.markers', { list: trends.panels.map((p, i) => `${markers[i]?.label} (${p.day})`).join(', ') })
    : '';
  return Promise.all(
    TREND_METRICS.map(async (metric) => {
      const key = `reports.trends.charts.${metric}`;
      const chart: Chart = await trendChart({
        title: t(`${key}.title`, { every }),
        description: `${t(`${key}.description`, { every, from: f.from, to: f.to })} ${t('reports.trends.charts.bands')}${markerText}`,
        points: metricPoints(trends, metric),
        markers,
        percent: true,
        locale,
      });
      return { id: metric, heading: t(`${key}.heading`), chart };
    }),
  );
}

function pointsText(difference: number, t: Translate, locale: Locale): string {
  const n = points(difference);
  if (n === 0) return t('reports.trends.relocations.points.lessThanOne');
  return n === 1 ? t('reports.trends.relocations.points.one') : t('reports.trends.relocations.points.other', { n: formatNumber(n, locale) });
}

/** The sentence of one comparison; null when a side is hidden (the panel says why once). */
export function comparisonSentence(c: Comparison, metric: ComparedMetric, siteName: string, t: Translate, locale: Locale): string | null {
  const key = 'reports.trends.relocations';
  const vars = { site: siteName, metric: t(`${key}.metric.${metric}`) };
  switch (c.kind) {
    case 'hidden':
      return null;
    case 'notEnough':
      return t(`${key}.notEnough`, { heading: t(`${key}.${metric}`), min: MIN_N });
    case 'untestable':
      return t(`${key}.untestable`, vars);
    case 'noChange':
      return t(`${key}.noChange`, { ...vars, p: pText(t, locale, c.test.p) });
    case 'change':
      return t(c.test.difference > 0 ? `${key}.rose` : `${key}.fell`, { ...vars, points: pointsText(c.test.difference, t, locale), p: pText(t, locale, c.test.p) });
  }
}

/** What the view shows of one relocation. */
export function panelView(panel: RelocationPanel, sites: Site[], t: Translate, locale: Locale) {
  const key = 'reports.trends.relocations';
  const site = (code: string) => sites.find((s) => s.code === code);
  const { move, before, after } = panel;
  const toName = site(move.toSite)?.name ?? move.toSite;
  const hidden = [before, after].filter((s) => s.figures === null).map((s) => siteLabel(site(s.site), s.site));
  return {
    id: `move-${move.queue}-${panel.day}`,
    title: t(`${key}.title`, { queue: move.queueName, from: siteLabel(site(move.fromSite), move.fromSite), to: siteLabel(site(move.toSite), move.toSite) }),
    date: t(`${key}.date`, { date: formatDate(move.at, locale, { style: 'long', timeZone: panel.timezone }) }),
    note: move.note ? t(`${key}.note`, { note: move.note }) : null,
    before: { heading: t(`${key}.before`, { site: siteLabel(site(before.site), before.site) }), window: t(`${key}.window`, { ...before.window }) },
    after: { heading: t(`${key}.after`, { site: siteLabel(site(after.site), after.site) }), window: t(`${key}.window`, { ...after.window }) },
    hiddenNotes: hidden.map((name) => t(`${key}.hiddenNote`, { site: name })),
    rows: COMPARED_METRICS.map((metric) => ({
      id: metric,
      label: t(`${key}.${metric}`),
      before: before.figures?.[metric] ?? null,
      after: after.figures?.[metric] ?? null,
    })),
    results: COMPARED_METRICS.map((metric) => {
      const c = panel.comparisons[metric];
      return { id: metric, text: comparisonSentence(c, metric, toName, t, locale), significant: c.kind === 'change' };
    }).filter((r) => r.text !== null),
  };
}

/**
 * The latest moves outside the period, each linking to the page over the days its panel
 * compares (the other filters and the weeks kept): a relocation months ago is one click
 * away, not a date to guess.
 */
export function elsewhereView(trends: Trends, f: ReportFilters, weeks: number, t: Translate, locale: Locale, now = new Date()) {
  const key = 'reports.trends.relocations';
  const site = (code: string) => trends.sites.find((s) => s.code === code);
  return trends.elsewhere.map(({ move, day }) => {
    const timeZone = site(move.toSite)?.timezone ?? 'UTC';
    const { before, after } = moveWindows(day, weeks, timeZone, now);
    const query = filterQuery(f, { from: before.from, to: after.to, weeks: weeks === DEFAULT_WEEKS ? null : String(weeks) });
    return {
      title: t(`${key}.title`, { queue: move.queueName, from: siteLabel(site(move.fromSite), move.fromSite), to: siteLabel(site(move.toSite), move.toSite) }),
      date: t(`${key}.date`, { date: formatDate(move.at, locale, { style: 'long', timeZone }) }),
      href: `/reports/trends${query}#relocations`,
      link: t(`${key}.elsewhere.link`, { weeks }),
    };
  });
}
