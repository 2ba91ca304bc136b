/**
 * The admin audit page, GET /admin/audit: entries newest first, filtered by action,
 * kind of target and actor, 50 a page. Page: views/admin/audit/list.hbs.
 */
import { Router, type Request, type Response } from 'express';
import Joi from 'joi';
import { csrfProtection, requireRole, requireStaff } from '../auth';
import { validate } from '../http/validate';
import { auditFacets, listAudit, type AuditFilter } from './service';

const auditQuery = Joi.object({
  action: Joi.string().trim().max(100).allow(''),
  targetType: Joi.string().trim().max(100).allow(''),
  actor: Joi.string().trim().max(254).allow(''),
  page: Joi.number().integer().min(1).max(10_000).default(1),
});
type AuditQuery = AuditFilter & { page: number };

function pageHref(filter: AuditFilter, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value) params.set(key, String(value));
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return `/admin/audit${query ? `?${query}` : ''}`;
}

/** Before/after as short readable JSON (the page shows them in <pre>). */
function pretty(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : JSON.stringify(value, null, 2);
}

// GET /admin/audit: who did what, when, with before and after.
async function showAudit(_req: Request, res: Response): Promise<void> {
  const { page, ...filter } = res.locals.input.query as AuditQuery;
  const [{ entries, hasMore }, facets] = await Promise.all([listAudit(filter, page), auditFacets()]);
  const t = res.locals.t;
  res.render('admin/audit/list', {
    title: t('audit.title'),
    filter,
    actions: facets.actions.map((a) => ({ value: a, selected: a === filter.action })),
    targetTypes: facets.targetTypes.map((v) => ({ value: v, selected: v === filter.targetType })),
    entries: entries.map((e) => ({
      at: e.at,
      who: e.actor?.type === 'apiKey' ? t('audit.apiKeyActor', { name: e.actor.label }) : (e.actor?.label ?? t('audit.system')),
      action: e.action,
      target: `${e.target?.type ?? ''} ${e.target?.id ?? ''}`,
      before: pretty(e.before),
      after: pretty(e.after),
    })),
    newerHref: page > 1 ? pageHref(filter, page - 1) : undefined,
    olderHref: hasMore ? pageHref(filter, page + 1) : undefined,
  });
}

export function auditRoutes(): Router {
  const router = Router();
  router.get('/admin/audit', requireStaff(), requireRole('admin'), csrfProtection(), validate({ query: auditQuery }), showAudit);
  return router;
}
