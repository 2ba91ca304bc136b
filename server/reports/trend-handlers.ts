/**
 * HTTP adapter of the Trends page: the report filters (the last 12 weeks when no date is
 * given: a trend needs more than the 30 days other pages default to), the number of weeks
 * each before/after panel covers (`?weeks=`, 8 by default), then the page.
 */
import type { Request, Response } from 'express';
import Joi from 'joi';
import type { StaffUser } from '../auth';
import { Invalid } from '../errors';
import { addDays } from '../time/local-time';
import { filterQuery, parseReportFilters, previousPeriod, type ReportFilters } from './filters';
import { reportPageLocals } from './page';
import { elsewhereView, panelView, trendCharts } from './trend-view';
import { DEFAULT_WEEKS, MAX_WEEKS, trendsOf } from './trends';

/** Trends without dates show this many weeks, ending where the other pages end. */
export const DEFAULT_TREND_WEEKS = 12;

const WEEKS_MESSAGE = `weeks must be a whole number from 1 to ${MAX_WEEKS}`;
const weeksSchema = Joi.object({
  weeks: Joi.number()
    .integer()
    .min(1)
    .max(MAX_WEEKS)
    .empty('')
    .messages({ 'number.base': WEEKS_MESSAGE, 'number.integer': WEEKS_MESSAGE, 'number.min': WEEKS_MESSAGE, 'number.max': WEEKS_MESSAGE, 'number.unsafe': WEEKS_MESSAGE }),
}).unknown(true);

/** `?weeks=` as a number (DEFAULT_WEEKS when absent or empty). Throws Invalid (INVALID_FILTERS). */
export function parseWeeks(query: Record<string, unknown>): number {
  const { value, error } = weeksSchema.validate(query, { errors: { wrap: { label: false } } });
  if (error) throw new Invalid(`These report options cannot be used: ${error.message}.`, { code: 'INVALID_FILTERS', details: [{ field: 'weeks', message: error.message }] });
  return (value as { weeks?: number }).weeks ?? DEFAULT_WEEKS;
}

/** The report filters, over DEFAULT_TREND_WEEKS weeks when the URL gives no date. */
export async function trendFilters(query: Record<string, unknown>, user: StaffUser, now = new Date()): Promise<ReportFilters> {
  const f = await parseReportFilters(query, user, now);
  if (query.from || query.to) return f;
  const period = { from: addDays(f.to, -(7 * DEFAULT_TREND_WEEKS - 1)), to: f.to };
  return { ...f, ...period, previous: previousPeriod(period) };
}

/** The hidden inputs that keep the filters in the weeks form. */
function hiddenFilters(f: ReportFilters): { name: string; value: string }[] {
  return [...new URLSearchParams(filterQuery(f).slice(1))].map(([name, value]) => ({ name, value }));
}

// GET /reports/trends: series per site with interval bands, relocation markers, before/after panels.
export async function showTrends(req: Request, res: Response): Promise<void> {
  const { t, locale, user } = res.locals;
  const f = await trendFilters(req.query, user);
  const weeks = parseWeeks(req.query);
  const trends = await trendsOf(f, weeks, user);
  res.render('reports/trends', {
    title: t('reports.trends.title'),
    period: t('reports.periodOnly', { from: f.from, to: f.to }),
    defaultPeriod: req.query.from || req.query.to ? null : t('reports.trends.defaultPeriod', { weeks: DEFAULT_TREND_WEEKS }),
    charts: await trendCharts(trends, f, t, locale),
    panels: trends.panels.map((p) => panelView(p, trends.sites, t, locale)),
    elsewhere: elsewhereView(trends, f, weeks, t, locale),
    weeks,
    weeksLead: t('reports.trends.relocations.lead', { weeks }),
    weeksHidden: hiddenFilters(f),
    ...(await reportPageLocals(res, 'trends', f, { granularity: true, keep: { weeks: weeks === DEFAULT_WEEKS ? null : String(weeks) } })),
  });
}
