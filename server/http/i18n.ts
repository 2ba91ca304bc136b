/**
 * The locale of each request: `?lang=` (remembered in a `lang` cookie), then the
 * cookie, then Accept-Language. Customer pages override it with the invitation's
 * locale through useLocale(). Puts `locale`, `t` and the language switch on res.locals.
 */
import type { Request, RequestHandler, Response } from 'express';
import { isLocale, LOCALES, negotiateLocale, translator, type Locale } from '../i18n';
import { cookieOptions } from './security';
import type { Config } from '../config';
import './locals';

const COOKIE = 'lang';
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

export function chooseLocale(config: Pick<Config, 'secureCookies'>): RequestHandler {
  return (req, res, next) => {
    const asked = req.query.lang;
    const remembered = readCookie(req, COOKIE);
    let locale: Locale;
    if (isLocale(asked)) {
      locale = asked;
      if (remembered !== asked) res.cookie(COOKIE, asked, { ...cookieOptions(config, req), maxAge: ONE_YEAR_MS });
    } else if (isLocale(remembered)) {
      locale = remembered;
    } else {
      locale = negotiateLocale(req.get('accept-language'));
    }
    res.vary('Accept-Language, Cookie');
    useLocale(res, locale);
    next();
  };
}

/** Renders this response in `locale` (a customer gets their invitation's locale). */
export function useLocale(res: Response, locale: Locale): void {
  // A customer's page usually speaks the language chooseLocale picked already.
  if (res.locals.locale === locale) return;
  const other = LOCALES.find((l) => l !== locale) ?? locale;
  // Plain values, no closures or accessors made per request: every answer goes through here.
  res.locals.locale = locale;
  res.locals.t = translator(locale);
  res.locals.otherLocale = other;
  res.locals.otherLocaleHref = switchHref(res.req.originalUrl, other);
}

/** A path the URL parser writes back unchanged: no query, no empty, dot or percent-led (%2e: dot) segments. */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~%-]*)*\/?$/;

/** The same address with ?lang= set to `locale`. */
export function switchHref(originalUrl: string, locale: Locale): string {
  // Most requests have no query (survey answers, API calls): no URL parsing for them.
  if (PLAIN_PATH.test(originalUrl)) return `${originalUrl}?lang=${locale}`;
  const url = new URL(originalUrl, 'http://retour.invalid');
  url.searchParams.set('lang', locale);
  return url.pathname + url.search;
}

/** One cookie's value from the Cookie header (no cookie-parser needed for this). */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
