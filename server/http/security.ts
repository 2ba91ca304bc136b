/**
 * Security baseline: helmet's headers with a strict Content-Security-Policy (scripts and
 * styles from our own origin only, nothing inline), body parsers with size limits (forms
 * and JSON pages 100 kB, /api 5 MB), and the cookie flags every cookie of the app uses.
 */
import express, { type Request, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../config';

export const FORM_LIMIT = '100kb';
export const API_LIMIT = '5mb';

/**
 * Helmet's headers. They are the same for every request (no nonce, nothing per request), so
 * helmet works them out once and each response gets them in one loop rather than through a
 * dozen middlewares.
 */
export function securityHeaders(config: Pick<Config, 'secureCookies'>): RequestHandler {
  const { set, removed } = fixedHeaders(helmetHeaders(config));
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    next();
  };
}

/** The headers a middleware sets and removes, from one run against a stand-in response; it must do nothing else. */
export function fixedHeaders(middleware: RequestHandler): { set: [string, string | string[]][]; removed: string[] } {
  const set = new Map<string, string | string[]>();
  const removed = new Set<string>();
  const res = {
    setHeader: (name: string, value: string | string[]) => (removed.delete(name), set.set(name, value)),
    removeHeader: (name: string) => (set.delete(name), removed.add(name)),
  };
  let passed = false;
  void middleware({} as never, res as never, (err?: unknown) => {
    if (err) throw err;
    passed = true;
  });
  if (!passed) throw new Error('the header middleware did not pass the request on at once');
  return { set: [...set], removed: [...removed] };
}

/** Helmet itself, configured for Retour. */
export function helmetHeaders(config: Pick<Config, 'secureCookies'>): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        // Only behind HTTPS: on plain http it would send the CSS to a port that does not answer.
        ...(config.secureCookies ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    // Survey and unsubscribe links carry a token in the path: never leak it to other sites.
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: config.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
    xFrameOptions: { action: 'deny' },
  });
}

/** Body parsers: /api takes JSON up to 5 MB; everything else takes forms and JSON up to 100 kB. */
export function bodyParsers(): RequestHandler[] {
  const apiJson = express.json({ limit: API_LIMIT });
  const pageJson = express.json({ limit: FORM_LIMIT });
  const isApi = (req: Request) => req.path === '/api' || req.path.startsWith('/api/');
  return [
    (req, res, next) => (isApi(req) ? apiJson : pageJson)(req, res, next),
    express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 1000 }),
  ];
}

/** Flags for every cookie: not readable by scripts, same-site, Secure behind HTTPS. */
export function cookieOptions(config: Pick<Config, 'secureCookies'>, req: Request) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: config.secureCookies || req.secure, path: '/' };
}
