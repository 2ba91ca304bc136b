/**
 * The report charts as server-drawn SVG: a trend chart (one line per series, its interval
 * band, relocation markers) and a bar chart per site with error bars. Each comes with its
 * title, a text description and the data table in the reader's number format, so pages
 * and emails can show the figures to people who cannot see the picture.
 */
import { EMPTY, formatNumber, formatPercent } from '../http/helpers';
import { translate, type Locale } from '../i18n';
import { baseConfig, DASHES, describeSvg, PALETTE, renderSpec, SHAPES } from './chart-render';
import { MIN_N } from './stats';

export interface ChartSeriesPoint {
  period: string;
  series: string;
  value: number | null;
  low?: number | null;
  high?: number | null;
  n?: number;
}
export interface ChartMarker {
  period: string;
  label: string;
}
export interface Chart {
  svg: string;
  title: string;
  description: string;
  table: { head: string[]; rows: string[][] };
}
export interface Bar {
  label: string;
  value: number | null;
  low?: number | null;
  high?: number | null;
  n: number;
}

/** Drawing size in SVG units; pages scale it to their width (viewBox), emails show it as is. */
const WIDTH = 560;
const HEIGHT = 260;
/** Bars leave room on the right for the number of answers. */
const BAR_WIDTH = 400;
/** Marker labels are stacked on this many lines so that close moves stay readable. */
const MARKER_LINES = 3;
/** Beyond this many periods (days over months) point symbols would hide the lines and bloat the SVG. */
const MAX_POINT_PERIODS = 60;
const MAX_TICKS = 12;

const unique = (values: string[]) => [...new Set(values)];
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function formatter(locale: Locale, percent: boolean) {
  return (v: number | null | undefined) => (!isNumber(v) ? EMPTY : percent ? formatPercent(v, locale) : formatNumber(v, locale, 1));
}

function intervalText(low: number | null | undefined, high: number | null | undefined, format: (v: number | null | undefined) => string): string {
  return isNumber(low) && isNumber(high) ? `${format(low)} – ${format(high)}` : EMPTY;
}

function seriesScales(names: string[]) {
  const pick = <T>(list: T[]) => names.map((_, i) => list[i % list.length] as T);
  const legend = { title: null, orient: 'bottom', direction: 'horizontal' };
  return {
    color: { field: 'series', type: 'nominal', scale: { domain: names, range: pick(PALETTE) }, legend },
    strokeDash: { field: 'series', type: 'nominal', scale: { domain: names, range: pick(DASHES) }, legend },
    shape: { field: 'series', type: 'nominal', scale: { domain: names, range: pick(SHAPES) }, legend },
    // One band layer per series, coloured by value: a scale would put pale areas in the legend.
    bands: names.map((name, i) => ({
      transform: [{ filter: { field: 'series', equal: name } }],
      mark: { type: 'area', opacity: 0.15, color: PALETTE[i % PALETTE.length], invalid: 'break-paths-show-domains' },
    })),
  };
}

/** One line per series over the periods (in the order given), interval bands, and a labelled rule per marker. */
export async function trendChart(opts: {
  title: string;
  description: string;
  points: ChartSeriesPoint[];
  markers?: ChartMarker[];
  percent?: boolean;
  locale: 'fr' | 'en';
}): Promise<Chart> {
  const { points, locale } = opts;
  const percent = opts.percent ?? false;
  const periods = unique(points.map((p) => p.period));
  const names = unique(points.map((p) => p.series));
  const scales = seriesScales(names);
  // About a dozen labelled ticks, however many periods: a tick per day of a year is a grey smear.
  const step = Math.max(1, Math.ceil(periods.length / MAX_TICKS));
  const ticks = periods.filter((_, i) => i % step === 0);
  const x = { field: 'period', type: 'ordinal', scale: { domain: periods }, axis: { title: null, values: ticks, labelAngle: 0, labelOverlap: 'greedy', labelPadding: 6 } };
  // Without any value there is no extent to draw: show the whole scale, empty.
  const scale = points.some((p) => isNumber(p.value)) ? { zero: false, nice: true } : { domain: [0, percent ? 1 : 100] };
  const y = { type: 'quantitative', scale, axis: { title: null, format: percent ? '.0%' : ',.0f', tickCount: 6 } };
  const values = points.map((p) => ({ ...p, low: p.low ?? null, high: p.high ?? null }));
  // Markers outside the charted periods are left out: a rule must stand on the axis.
  const markers = (opts.markers ?? []).filter((m) => periods.includes(m.period)).map((m, i) => ({
    ...m,
    y: 4 + 15 * (i % MARKER_LINES),
    right: periods.indexOf(m.period) > (periods.length - 1) / 2,
  }));
  const markerText = (right: boolean) => ({
    transform: [{ filter: `datum.right === ${right}` }],
    mark: { type: 'text', align: right ? 'right' : 'left', baseline: 'top', dx: right ? -4 : 4, fontWeight: 'bold' },
    encoding: { x: { field: 'period', type: 'ordinal' }, y: { field: 'y', type: 'quantitative', scale: null }, text: { field: 'label' } },
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: WIDTH,
    height: HEIGHT,
    config: baseConfig(locale),
    encoding: { x },
    layer: [
      {
        data: { values },
        layer: [
          ...scales.bands.map((band) => ({ ...band, encoding: { y: { ...y, field: 'low' }, y2: { field: 'high' } } })),
          { mark: { type: 'line', strokeWidth: 2.5, invalid: 'break-paths-show-domains' }, encoding: { y: { ...y, field: 'value' }, color: scales.color, strokeDash: scales.strokeDash } },
          ...(periods.length <= MAX_POINT_PERIODS
            ? [{ mark: { type: 'point', filled: true, size: 45, opacity: 1 }, encoding: { y: { ...y, field: 'value' }, color: scales.color, shape: scales.shape } }]
            : []),
        ],
      },
      ...(markers.length
        ? [{ data: { values: markers }, layer: [{ mark: { type: 'rule', color: '#333', strokeDash: [4, 3], strokeWidth: 1.5 }, encoding: {} }, markerText(false), markerText(true)] }]
        : []),
    ],
  };
  const format = formatter(locale, percent);
  const t = (key: string) => translate(locale, `reports.trends.chart.${key}`);
  return {
    svg: describeSvg(await renderSpec(spec), opts.title, opts.description),
    title: opts.title,
    description: opts.description,
    table: {
      head: [t('period'), t('series'), t('value'), t('interval'), t('n')],
      rows: points.map((p) => [p.period, p.series, format(p.value), intervalText(p.low, p.high, format), isNumber(p.n) ? formatNumber(p.n, locale) : EMPTY]),
    },
  };
}

/** One bar per label (in the order given) with its error bar; bars under MIN_N answers are greyed. */
export async function siteBars(opts: {
  title: string;
  description: string;
  bars: Bar[];
  percent?: boolean;
  locale: 'fr' | 'en';
}): Promise<Chart> {
  const { bars, locale } = opts;
  const percent = opts.percent ?? false;
  const labels = unique(bars.map((b) => b.label));
  const t = (key: string, vars?: Record<string, unknown>) => translate(locale, `reports.trends.chart.${key}`, vars);
  const values = bars.map((b) => ({
    ...b,
    low: b.low ?? null,
    high: b.high ?? null,
    enough: b.n >= MIN_N,
    note: b.n >= MIN_N ? `n = ${formatNumber(b.n, locale)}` : t('fewAnswers', { n: formatNumber(b.n, locale) }),
  }));
  const y = { field: 'label', type: 'nominal', scale: { domain: labels }, axis: { title: null, labelLimit: 160 } };
  const empty = !bars.some((b) => isNumber(b.value));
  const x = { type: 'quantitative', scale: { zero: true, nice: true, ...(percent || empty ? { domain: [0, percent ? 1 : 100] } : {}) }, axis: { title: null, format: percent ? '.0%' : ',.0f', tickCount: 6 } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: BAR_WIDTH,
    height: { step: 34 },
    config: baseConfig(locale),
    data: { values },
    encoding: { y },
    layer: [
      {
        mark: { type: 'bar', height: 18 },
        encoding: {
          x: { ...x, field: 'value' },
          color: { field: 'enough', type: 'nominal', scale: { domain: [true, false], range: [PALETTE[0], '#c4c4c4'] }, legend: null },
        },
      },
      { mark: { type: 'rule', color: '#222', strokeWidth: 1.5 }, encoding: { x: { ...x, field: 'low' }, x2: { field: 'high' } } },
      { mark: { type: 'tick', color: '#222', thickness: 1.5, size: 12 }, encoding: { x: { ...x, field: 'low' } } },
      { mark: { type: 'tick', color: '#222', thickness: 1.5, size: 12 }, encoding: { x: { ...x, field: 'high' } } },
      { mark: { type: 'text', align: 'left', dx: 6, baseline: 'middle' }, encoding: { x: { value: BAR_WIDTH }, text: { field: 'note' } } },
    ],
  };
  const format = formatter(locale, percent);
  return {
    svg: describeSvg(await renderSpec(spec), opts.title, opts.description),
    title: opts.title,
    description: opts.description,
    table: {
      head: [t('label'), t('value'), t('interval'), t('n')],
      rows: bars.map((b) => [b.label, format(b.value), intervalText(b.low, b.high, format), formatNumber(b.n, locale)]),
    },
  };
}
