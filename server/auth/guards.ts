/**
 * Guards for staff routes: requireStaff (a signed-in user, else the login page or a 401
 * under /api), requireRole, csrfProtection. The signed-in user itself is loaded once per
 * request by ./staff-session.ts; these only decide.
 */
import type { Request, RequestHandler, Response } from 'express';
import { Forbidden, Unauthorized } from '../errors';
import { ensureCsrfToken, hasValidCsrfToken, isSafeMethod } from './csrf';
import type { Role } from './types';

export function isApiRequest(req: Request): boolean {
  return req.originalUrl === '/api' || req.originalUrl.startsWith('/api/') || req.originalUrl.startsWith('/api?');
}

/** Signed-in staff only. HTML: 303 to /login?next=<this page>; under /api: 401 JSON. */
export function requireStaff(): RequestHandler {
  return (req, res, next) => {
    if (res.locals.user !== undefined) {
      // Staff pages hold private data (and once, a new API key): never keep them in a cache.
      res.set('Cache-Control', 'no-store');
      return next();
    }
    if (isApiRequest(req)) throw new Unauthorized(res.locals.t('auth.signInRequired'));
    // Only a page can be returned to: after a POST the form would be lost anyway.
    const target = req.method === 'GET' ? `/login?next=${encodeURIComponent(req.originalUrl)}` : '/login';
    res.redirect(303, target);
  };
}

/** Use after requireStaff(). Admins pass every role check: they may do what a quality lead does. */
export function requireRole(role: Role): RequestHandler {
  return (_req, res, next) => {
    const user = res.locals.user;
    if (user === undefined) throw new Unauthorized(res.locals.t('auth.signInRequired'));
    if (user.role !== role && user.role !== 'admin') throw new Forbidden(res.locals.t('errors.403.lead'));
    next();
  };
}

/**
 * Refuses POST/PUT/PATCH/DELETE without the session's token (`_csrf` field or
 * X-CSRF-Token header) with a 403 page; exposes res.locals.csrfToken for GET pages.
 */
export function csrfProtection(): RequestHandler {
  return (req, res, next) => {
    if (!isSafeMethod(req.method) && !hasValidCsrfToken(req)) return refuseForm(req, res);
    res.locals.csrfToken = ensureCsrfToken(req);
    next();
  };
}

/** The 403 for a form without the session's token: a page saying what to do, or JSON for scripts. */
export function refuseForm(req: Request, res: Response): void {
  const t = res.locals.t;
  if (isApiRequest(req) || req.accepts(['html', 'json']) === 'json') {
    throw new Forbidden(t('auth.csrfRefused'), { code: 'CSRF_REFUSED' });
  }
  res.status(403).render('auth/form-refused', { title: t('auth.csrfRefused') });
}
