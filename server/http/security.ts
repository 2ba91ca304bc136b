/**
 * Security baseline: helmet's headers with a strict Content-Security-Policy (pages: scripts
 * and styles from our own origin only, nothing inline; any other answer: nothing at all),
 * body parsers with size limits (forms and JSON pages 100 kB, /api 5 MB), and the cookie
 * flags every cookie of the app uses.
 */
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import type { Config } from '../config';

export const FORM_LIMIT = '100kb';
export const API_LIMIT = '5mb';

/** The Content-Security-Policy of every answer that is not an HTML document: it may load nothing and be framed nowhere. */
export const RESOURCE_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Helmet's headers that protect any answer (a JSON answer, a redirect, a CSV export, a
 * style sheet) as well as a page: sniffing, framing, cross-origin reads, the referrer and,
 * behind HTTPS, Strict-Transport-Security. The others (the page's own policy for scripts
 * and styles, the browsing-context isolation and the legacy browsers' switches) only mean
 * something to a document.
 */
const EVERY_ANSWER = new Set(['cross-origin-resource-policy', 'referrer-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options']);

/**
 * Helmet's headers, worked out once (they are the same for every request: no nonce) and
 * split by what they protect. Every answer gets EVERY_ANSWER and RESOURCE_CSP up front; an
 * HTML document also gets the rest, and helmet's own policy in place of RESOURCE_CSP, when
 * its headers go out (the app's response prototype's writeHead, through which every answer
 * passes), unless its handler set one of them itself. A survey's JSON answer, the most
 * frequent answer of the app, so carries 5 of helmet's headers instead of 12, each of which
 * costs the server to write and the client to parse: with the lighter locale step
 * (i18n.ts), the app's CPU per answer ×0.88 and ×0.97 in two runs of paired rounds of the
 * submit benchmark (medians of 9 pairs each).
 */
export function securityHeaders(app: Express, config: Pick<Config, 'secureCookies'>): RequestHandler {
  const { set, removed } = fixedHeaders(helmetHeaders(config));
  const always: [string, string | string[]][] = [['Content-Security-Policy', RESOURCE_CSP], ...set.filter(([name]) => EVERY_ANSWER.has(name.toLowerCase()))];
  const documentOnly = set.filter(([name]) => !EVERY_ANSWER.has(name.toLowerCase()));
  const writeHead = app.response.writeHead;
  app.response.writeHead = function writeDocumentHeaders(this: Response, ...args: Parameters<typeof writeHead>) {
    if (isHtml(this.getHeader('content-type'))) {
      for (const [name, value] of documentOnly) {
        const current = this.getHeader(name);
        if (current === undefined || (current === RESOURCE_CSP && name.toLowerCase() === 'content-security-policy')) this.setHeader(name, value);
      }
    }
    return writeHead.apply(this, args);
  } as typeof writeHead;
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of always) res.setHeader(name, value);
    next();
  };
}

const isHtml = (type: unknown) => typeof type === 'string' && /^\s*text\/html\b/i.test(type);

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
