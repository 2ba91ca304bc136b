/**
 * GET /api/v1/reports/summary (API key): per-site figures for `from`–`to` (call days,
 * YYYY-MM-DD, both required), optionally some sites (`site`, repeated or comma-separated)
 * and queues (`queue`) or a template: invitations sent, responses, response rate,
 * information rate with its 95% Wilson interval, CSAT, NPS, CES and the callback rate.
 */
import type { Request, Response } from 'express';
import { Invalid } from '../errors';
import type { Figures, Rate } from './figures';
import { parseReportFilters } from './filters';
import { overviewOf, type SiteOverview } from './overview';

const round = (v: number | null | undefined) => (typeof v === 'number' ? Math.round(v * 10_000) / 10_000 : null);

function rateJson(r: Rate) {
  return { value: round(r.value), low: round(r.interval?.low), high: round(r.interval?.high), x: r.x, n: r.n, enough: r.enough };
}

function figuresJson(f: Figures) {
  return {
    surveyed: f.surveyed,
    invited: f.invited,
    responses: f.responses,
    completed: f.completed,
    responseRate: rateJson(f.responseRate),
    information: rateJson(f.information),
    csat: { ...rateJson(f.csat), mean: round(f.csat.mean) },
    nps: f.nps ? { score: round(f.nps.score), low: round(f.nps.interval?.low), high: round(f.nps.interval?.high), n: f.nps.n, enough: f.nps.enough } : null,
    ces: { mean: round(f.ces.mean), n: f.ces.n },
    callbacks: rateJson(f.callbacks),
  };
}

const siteJson = (s: SiteOverview) => ({ site: s.code, name: s.name, ...figuresJson(s.figures) });

// GET /api/v1/reports/summary: the figures per site (and all sites together) as JSON.
export async function summaryApi(req: Request, res: Response): Promise<void> {
  const missing = (['from', 'to'] as const).filter((k) => typeof req.query[k] !== 'string' || req.query[k] === '');
  if (missing.length > 0) {
    const details = missing.map((field) => ({ location: 'query', field, message: `${field} is required (YYYY-MM-DD)` }));
    throw new Invalid(`Give the period: ${details.map((d) => d.message).join('; ')}.`, { code: 'INVALID_FILTERS', details });
  }
  const f = await parseReportFilters(req.query, null);
  const overview = await overviewOf(f);
  res.json({
    from: f.from,
    to: f.to,
    filters: { sites: f.sites, queues: f.queues, template: f.template },
    sites: overview.sites.map(siteJson),
    total: figuresJson(overview.total.figures),
  });
}
