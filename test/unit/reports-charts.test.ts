/**
 * The server-drawn charts: well-formed SVG that describes itself (role, title, desc),
 * marker labels on the picture, nothing fetched from elsewhere, and a data table that
 * says the same as the picture in the reader's number format.
 */
import { chartWarnings } from '../../server/reports/chart-render';
import { siteBars, trendChart, type ChartSeriesPoint } from '../../server/reports/charts';
import { allElements, parseXml, svgTexts, type XmlElement } from '../helpers/svg';

/** ICU versions differ on which space they use (U+00A0, U+202F): compare with plain spaces. */
const plain = (text: string) => text.replace(/\s/g, ' ');

const WEEKS = ['2026-W10', '2026-W11', '2026-W12', '2026-W13'];
const POINTS: ChartSeriesPoint[] = [
  ...WEEKS.map((period, i) => ({ period, series: 'Abbeville (ABV)', value: 0.8 + i / 100, low: 0.72 + i / 100, high: 0.86 + i / 100, n: 120 + i })),
  { period: '2026-W10', series: 'Casablanca (CAS)', value: 0.6, low: 0.5, high: 0.69, n: 90 },
  { period: '2026-W11', series: 'Casablanca (CAS)', value: null, low: null, high: null, n: 0 },
  { period: '2026-W12', series: 'Casablanca (CAS)', value: 0.645, low: 0.55, high: 0.73, n: 1234 },
];

function described(root: XmlElement) {
  const ids = (root.attrs['aria-labelledby'] ?? '').split(' ');
  const byId = new Map(allElements(root).filter((e) => e.attrs.id).map((e) => [e.attrs.id, e]));
  return { ids, title: byId.get(ids[0]), desc: byId.get(ids[1]) };
}

function remoteUrls(svg: string): string[] {
  return (svg.match(/(?:https?:)?\/\/[^\s"')<]+/g) ?? []).filter((u) => u !== 'http://www.w3.org/2000/svg');
}

beforeEach(() => chartWarnings.splice(0));
afterEach(() => expect(chartWarnings).toEqual([]));

describe('trendChart', () => {
  const draw = (locale: 'fr' | 'en' = 'en') =>
    trendChart({
      title: 'Information rate per site, week by week',
      description: 'Share of customers who got the information they needed <& more>.',
      points: POINTS,
      markers: [
        { period: '2026-W11', label: 'Business support → ABV' },
        { period: '2026-W40', label: 'Outside the chart' },
      ],
      percent: true,
      locale,
    });

  it('draws well-formed SVG that names itself with role="img", <title> and <desc>', async () => {
    const chart = await draw();
    const root = parseXml(chart.svg);
    expect(root.name).toBe('svg');
    expect(root.attrs.role).toBe('img');
    expect(root.attrs.viewBox).toMatch(/^0 0 \d+ \d+$/);
    const { ids, title, desc } = described(root);
    expect(ids).toHaveLength(2);
    expect(title?.name).toBe('title');
    expect(title?.text).toBe('Information rate per site, week by week');
    expect(desc?.name).toBe('desc');
    expect(desc?.text).toBe('Share of customers who got the information they needed <& more>.');
    // The title and description come first, where assistive technology looks for them.
    expect(root.children.slice(0, 2).map((e) => e.name)).toEqual(['title', 'desc']);
    expect(chart.title).toBe('Information rate per site, week by week');
  });

  it('labels the relocation markers that fall on the chart and leaves out the others', async () => {
    const texts = svgTexts(parseXml((await draw()).svg));
    expect(texts).toContain('Business support → ABV');
    expect(texts).not.toContain('Outside the chart');
    // The legend names each series: colour is never the only clue.
    expect(texts).toEqual(expect.arrayContaining(['Abbeville (ABV)', 'Casablanca (CAS)']));
  });

  it('references nothing remote: no URL but the SVG namespace, no external fonts or images', async () => {
    const { svg } = await draw();
    expect(remoteUrls(svg)).toEqual([]);
    expect(svg).not.toMatch(/<image|@import|url\(|xlink:href|<style|\sstyle=|<script/i);
    expect(allElements(parseXml(svg)).every((e) => !e.attrs['font-family'] || !/url|http/.test(e.attrs['font-family']))).toBe(true);
  });

  it('gives every chart its own ids so that several can share a page', async () => {
    const [a, b] = await Promise.all([draw(), draw()]);
    expect(described(parseXml(a.svg)).ids).not.toEqual(described(parseXml(b.svg)).ids);
  });

  it('returns the data table, one row per point, in the reader’s number format', async () => {
    const en = await draw('en');
    expect(en.table.head).toEqual(['Period', 'Site', 'Value', '95% interval', 'Answers']);
    expect(en.table.rows).toHaveLength(POINTS.length);
    expect(en.table.rows[0]).toEqual(['2026-W10', 'Abbeville (ABV)', '80%', '72% – 86%', '120']);
    expect(en.table.rows[5]).toEqual(['2026-W11', 'Casablanca (CAS)', '—', '—', '0']);
    expect(en.table.rows[6]).toEqual(['2026-W12', 'Casablanca (CAS)', '65%', '55% – 73%', '1,234']);
    const fr = await draw('fr');
    expect(fr.table.head).toEqual(['Période', 'Site', 'Valeur', 'Intervalle à 95 %', 'Réponses']);
    expect(fr.table.rows[6]?.map(plain)).toEqual(['2026-W12', 'Casablanca (CAS)', '65 %', '55 % – 73 %', '1 234']);
    // The axis of the French chart writes percentages the French way too.
    expect(svgTexts(parseXml(fr.svg)).map(plain)).toContain('80 %');
  });

  it('writes plain numbers (not percentages) when asked, and draws a chart without markers', async () => {
    const chart = await trendChart({
      title: 'NPS',
      description: 'Net Promoter Score per month',
      points: [
        { period: '2026-01', series: 'Dreux (DRX)', value: 12.5, low: 2.25, high: 22.75, n: 64 },
        { period: '2026-02', series: 'Dreux (DRX)', value: -3, n: 40 },
      ],
      locale: 'en',
    });
    parseXml(chart.svg);
    expect(chart.table.rows).toEqual([
      ['2026-01', 'Dreux (DRX)', '12.5', '2.3 – 22.8', '64'],
      ['2026-02', 'Dreux (DRX)', '-3.0', '—', '40'],
    ]);
  });
});

describe('charts without data', () => {
  it('draw an empty, still described chart rather than failing', async () => {
    const trend = await trendChart({ title: 'Empty', description: 'Nothing yet', points: [{ period: '2026-W01', series: 'Dreux (DRX)', value: null, n: 0 }], percent: true, locale: 'en' });
    expect(described(parseXml(trend.svg)).title?.text).toBe('Empty');
    expect(trend.table.rows).toEqual([['2026-W01', 'Dreux (DRX)', '—', '—', '0']]);
    const bars = await siteBars({ title: 'Empty', description: 'Nothing yet', bars: [], locale: 'en' });
    expect(parseXml(bars.svg).attrs.role).toBe('img');
    expect(bars.table.rows).toEqual([]);
  });
});

describe('siteBars', () => {
  const bars = [
    { label: 'Abbeville (ABV)', value: 0.82, low: 0.75, high: 0.87, n: 240 },
    { label: 'Dreux (DRX)', value: 0.5, low: 0.3, high: 0.7, n: 12 },
    { label: 'Casablanca (CAS)', value: null, n: 0 },
  ];

  it('draws well-formed, described SVG with the number of answers beside each bar', async () => {
    const chart = await siteBars({ title: 'Information rate per site', description: 'From 1 to 30 November', bars, percent: true, locale: 'en' });
    const root = parseXml(chart.svg);
    expect(root.attrs.role).toBe('img');
    const { title, desc } = described(root);
    expect(title?.text).toBe('Information rate per site');
    expect(desc?.text).toBe('From 1 to 30 November');
    const texts = svgTexts(root);
    expect(texts).toEqual(expect.arrayContaining(['Abbeville (ABV)', 'Dreux (DRX)', 'Casablanca (CAS)', 'n = 240', 'n = 12, too few']));
    expect(remoteUrls(chart.svg)).toEqual([]);
  });

  it('greys the bars under the minimum number of answers', async () => {
    const { svg } = await siteBars({ title: 't', description: 'd', bars, percent: true, locale: 'en' });
    const fills = allElements(parseXml(svg))
      .filter((e) => e.name === 'path' && e.attrs.fill && e.attrs.fill !== 'none' && e.attrs.fill !== 'white')
      .map((e) => e.attrs.fill);
    expect(fills).toEqual(expect.arrayContaining(['#0072B2', '#c4c4c4']));
  });

  it('returns the table in the order given, in French when asked', async () => {
    const chart = await siteBars({ title: 't', description: 'd', bars, percent: true, locale: 'fr' });
    expect(chart.table.head).toEqual(['Site', 'Valeur', 'Intervalle à 95 %', 'Réponses']);
    expect(chart.table.rows.map((r) => r.map(plain))).toEqual([
      ['Abbeville (ABV)', '82 %', '75 % – 87 %', '240'],
      ['Dreux (DRX)', '50 %', '30 % – 70 %', '12'],
      ['Casablanca (CAS)', '—', '—', '0'],
    ]);
  });
});
