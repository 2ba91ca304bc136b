/**
 * The overview: every selected site side by side for the period (invitations, responses,
 * response, information and callback rates, CSAT, NPS, CES), each rate compared with the
 * previous period. Two aggregations over rollups (this period, the previous one), grouped
 * by site; the column "all selected sites" is their sum. Also the information-rate chart.
 */
import type { Locale, Translate } from '../i18n';
import { listSites } from '../sites';
import { siteBars, type Chart } from './charts';
import { emptyCounters, figuresOf, significantChange, sumRollups, totalOf, type Change, type Figures } from './figures';
import type { ReportFilters } from './filters';
import { changeView } from './wording';

export const COMPARED = ['responseRate', 'information', 'callbacks', 'csat'] as const;
export type Compared = (typeof COMPARED)[number];

export interface SiteOverview {
  /** Site code; '' for the column of all selected sites. */
  code: string;
  name: string;
  figures: Figures;
  previous: Figures;
  /** Significant changes against the previous period (null: none, no arrow). */
  changes: Record<Compared, Change | null>;
}

export interface Overview {
  sites: SiteOverview[];
  /** Every selected site together. */
  total: SiteOverview;
}

function siteOverview(code: string, name: string, current: Figures, previous: Figures): SiteOverview {
  const changes = Object.fromEntries(COMPARED.map((k) => [k, significantChange(current[k], previous[k])])) as Record<Compared, Change | null>;
  return { code, name, figures: current, previous, changes };
}

/** The overview of the filters' period and sites (sites without data get empty figures). */
export async function overviewOf(f: ReportFilters): Promise<Overview> {
  const [current, previous, sites] = await Promise.all([sumRollups(f, f, ['site']), sumRollups(f.previous, f, ['site']), listSites()]);
  const names = new Map(sites.map((s) => [s.code, s.name]));
  const of = (rows: typeof current, code: string) => rows.find((r) => r.key.site === code)?.counters ?? emptyCounters();
  return {
    sites: f.sites.map((code) => siteOverview(code, names.get(code) ?? code, figuresOf(of(current, code)), figuresOf(of(previous, code)))),
    total: siteOverview('', '', figuresOf(totalOf(current)), figuresOf(totalOf(previous))),
  };
}

type Cell = Record<string, unknown>;

/** The table of the overview page: one row per figure, one column per site (then all sites). */
export function overviewTable(o: Overview, t: Translate, locale: Locale) {
  const columns = o.sites.length > 1 ? [...o.sites, { ...o.total, name: t('reports.overview.allSites') }] : o.sites;
  // Callbacks are a failure to inform: fewer is better.
  const rate = (key: Compared) => (s: SiteOverview): Cell => ({ rate: s.figures[key], change: changeView(t, locale, s.changes[key], key !== 'callbacks') });
  const row = (id: string, cell: (s: SiteOverview) => Cell) => ({ id, label: t(`reports.overview.${id}`), cells: columns.map(cell) });
  const rows = [
    row('invited', (s) => ({ isCount: true, count: s.figures.invited })),
    row('responses', (s) => ({ isCount: true, count: s.figures.responses })),
    row('responseRate', rate('responseRate')),
    row('information', rate('information')),
    row('callbacks', rate('callbacks')),
    row('csat', (s) => ({ ...rate('csat')(s), mean: s.figures.csat.mean })),
    row('nps', (s) => ({ nps: s.figures.nps, empty: s.figures.nps === null })),
  ];
  if (columns.some((s) => s.figures.ces.n > 0)) {
    rows.push(row('ces', (s) => ({ ces: s.figures.ces.n > 0 ? s.figures.ces : null, notAsked: s.figures.ces.n === 0 })));
  }
  return { columns: columns.map((s) => ({ code: s.code, name: s.name })), rows };
}

/** The information rate per site as a bar chart with its intervals. */
export async function informationChart(o: Overview, f: ReportFilters, t: Translate, locale: Locale): Promise<Chart> {
  return siteBars({
    title: t('reports.overview.chartTitle'),
    description: t('reports.overview.chartDescription', { from: f.from, to: f.to }),
    bars: o.sites.map((s) => ({
      label: `${s.name} (${s.code})`,
      value: s.figures.information.value,
      low: s.figures.information.interval?.low ?? null,
      high: s.figures.information.interval?.high ?? null,
      n: s.figures.information.n,
    })),
    percent: true,
    locale,
  });
}
