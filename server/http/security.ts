/**
 * Security baseline: helmet with a strict Content-Security-Policy (scripts and styles
 * from our own origin only, nothing inline), body parsers with size limits (forms and
 * JSON pages 100 kB, /api 5 MB), and the cookie flags every cookie of the app uses.
 */
import express, { type Request, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../config';

export const FORM_LIMIT = '100kb';
export const API_LIMIT = '5mb';

export function securityHeaders(config: Pick<Config, 'secureCookies'>): RequestHandler {
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
