/**
 * Turning a Vega-Lite spec into an SVG string that pages and emails can inline: drawn on
 * the chart thread (chart-thread.ts, chart-draw.ts), then made self-describing
 * (role="img", <title>, <desc>) and free of remote references. The chart shapes
 * themselves live in charts.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Locale } from '../i18n';
import { drawOnThread } from './chart-thread';

/** Fonts every mail client and browser has: nothing is fetched to draw the text. */
export const SYSTEM_FONTS = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';

/**
 * Okabe & Ito's colour-blind-safe palette (without its yellow, too pale on white), in the
 * order series get them; dash patterns and point shapes tell the series apart as well.
 */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
export const DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [12, 4], [3, 5], [10, 2, 2, 2, 2, 2]];
export const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'circle'];

/** d3-format locales of the readers: "12 345,6 %" in French, "12,345.6%" in English. */
const NUMBER_LOCALES: Record<Locale, { decimal: string; thousands: string; grouping: number[]; currency: [string, string]; percent: string }> = {
  fr: { decimal: ',', thousands: '\u202f', grouping: [3], currency: ['', '\u00a0€'], percent: '\u202f%' },
  en: { decimal: '.', thousands: ',', grouping: [3], currency: ['$', ''], percent: '%' },
};

/** The configuration shared by every chart: fonts, locale, no inner ARIA (the <svg> carries it). */
export function baseConfig(locale: Locale) {
  return {
    font: SYSTEM_FONTS,
    aria: false,
    locale: { number: NUMBER_LOCALES[locale] },
    view: { stroke: null },
    axis: { labelFontSize: 12, titleFontSize: 12, labelColor: '#222', titleColor: '#222', gridColor: '#e3e3e3', domainColor: '#888', tickColor: '#888' },
    legend: { labelFontSize: 12, titleFontSize: 12, labelColor: '#222', symbolStrokeWidth: 2.5, symbolSize: 120 },
    text: { fontSize: 12, fill: '#222' },
  };
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/**
 * Adds role="img", aria-labelledby and the <title> and <desc> it points at, and drops the
 * xlink namespace when nothing uses it (the SVG namespace is then the only URL left).
 * The picture is one image: the roles vega still gives its mark groups (graphics-symbol,
 * unnamed) are removed so assistive technology meets no nameless images inside it.
 * Ids are random so that several charts can share a page.
 */
export function describeSvg(svg: string, title: string, description: string): string {
  const id = `chart-${randomBytes(4).toString('hex')}`;
  const open = svg.indexOf('>', svg.indexOf('<svg'));
  let tag = svg.slice(0, open);
  if (!svg.includes('xlink:href')) tag = tag.replace(/\s+xmlns:xlink="[^"]*"/, '');
  tag = tag.replace(/\s+class="marks"/, ' class="chart-svg"');
  const labels = `<title id="${id}-title">${escapeXml(title)}</title><desc id="${id}-desc">${escapeXml(description)}</desc>`;
  const picture = svg.slice(open + 1).replace(/\s(?:role|aria-roledescription)="[^"]*"/g, '');
  return `${tag} role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false">${labels}${picture}`;
}

/**
 * What vega and vega-lite said about the last specs they drew (they would otherwise
 * write to the console). Our specs are fixed, so anything here is a bug the tests catch.
 */
export const chartWarnings: string[] = [];

/**
 * The SVG of a Vega-Lite spec, as vega draws it without a browser, on the chart thread.
 * The specs of charts.ts are plain objects (Vega-Lite's types are too fine-grained for
 * literals built in code); the unit tests draw each one and check that vega-lite found
 * nothing to warn about.
 */
export async function renderSpec(spec: object): Promise<string> {
  const { svg, warnings } = await drawOnThread(spec);
  chartWarnings.push(...warnings);
  chartWarnings.splice(0, Math.max(0, chartWarnings.length - 50));
  return svg;
}
