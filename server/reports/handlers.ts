/**
 * HTTP adapters of the backbone's report pages: read the filters (and page options) from
 * the URL, call the page's service, render with the report navigation and filter form.
 * Scoping is in parseReportFilters; the rules and numbers are in the services.
 */
import type { Request, Response } from 'express';
import { compareSections, siteFiguresOf } from './compare';
import { dimensionLinks, drillColumns, drilldownOf, drillRowView, parseDrillOptions } from './drilldown';
import { parseReportFilters, type ReportFilters } from './filters';
import { informationChart, overviewOf, overviewTable } from './overview';
import { reportPageLocals } from './page';
import { MIN_N } from './stats';

function periodText(res: Response, f: ReportFilters): string {
  return res.locals.t('reports.period', { from: f.from, to: f.to, previousFrom: f.previous.from, previousTo: f.previous.to });
}

// GET /reports: every site side by side, with significant changes and the information chart.
export async function showOverview(req: Request, res: Response): Promise<void> {
  const { t, locale } = res.locals;
  const f = await parseReportFilters(req.query, res.locals.user);
  const overview = await overviewOf(f);
  res.render('reports/overview', {
    title: t('reports.overview.title'),
    period: periodText(res, f),
    table: overviewTable(overview, t, locale),
    chart: overview.sites.length > 0 ? await informationChart(overview, f, t, locale) : null,
    ...(await reportPageLocals(res, 'overview', f)),
  });
}

// GET /reports/sites: pairwise differences between sites, Holm-corrected, in sentences.
export async function showCompare(req: Request, res: Response): Promise<void> {
  const { t, locale } = res.locals;
  const f = await parseReportFilters(req.query, res.locals.user);
  const sites = await siteFiguresOf(f);
  res.render('reports/compare', {
    title: t('reports.compare.title'),
    period: t('reports.periodOnly', { from: f.from, to: f.to }),
    enoughSites: sites.length > 1,
    sections: compareSections(sites, t, locale),
    ...(await reportPageLocals(res, 'sites', f)),
  });
}

// GET /reports/drilldown: by queue, agent or reason, sortable; thin rows apart.
export async function showDrilldown(req: Request, res: Response): Promise<void> {
  const { t } = res.locals;
  const f = await parseReportFilters(req.query, res.locals.user);
  const o = parseDrillOptions(req.query);
  const { ranked, thin } = await drilldownOf(f, o, t('reports.drilldown.none'));
  res.render('reports/drilldown', {
    title: t('reports.drilldown.title'),
    period: t('reports.periodOnly', { from: f.from, to: f.to }),
    dimensions: dimensionLinks(f, o, t),
    columns: drillColumns(f, o, t),
    ranked: ranked.map((r, i) => drillRowView(r, i + 1)),
    thin: thin.map((r) => drillRowView(r, null)),
    thinTitle: t('reports.drilldown.thin', { min: MIN_N }),
    ...(await reportPageLocals(res, 'drilldown', f, { keep: { by: o.by, sort: o.sort, dir: o.dir } })),
  });
}
