/**
 * Sessions for every request (mounted before the feature routers): express-session on
 * MongoDB with an HttpOnly, SameSite=Lax `retour.sid` cookie, idle expiry (rolling 2 h)
 * and absolute expiry (12 h from sign-in), then the signed-in user on res.locals.user and
 * their language. The guards in ./guards.ts only read what this puts there.
 */
import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import type { Config } from '../config';
import { useLocale } from '../http/i18n';
import { isLocale } from '../i18n';
import { loadSessionUser } from './credentials';
import { MongooseSessionStore } from './session-store';
import { setUserLocale } from './users';
import './session-data';

export const SESSION_COOKIE = 'retour.sid';
export const IDLE_TIMEOUT_MS = 2 * 3600 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 3600 * 1000;

export function sessions(config: Pick<Config, 'sessionSecret' | 'secureCookies'>): RequestHandler[] {
  const store = session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store: new MongooseSessionStore(),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      // 'auto': Secure whenever the request came over HTTPS (through a trusted proxy).
      secure: config.secureCookies ? true : 'auto',
      maxAge: IDLE_TIMEOUT_MS,
      path: '/',
    },
  });
  return [store, loadStaff()];
}

/** Promisified req.session.regenerate: a new session id, the old session deleted from the store. */
export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err: unknown) => (err ? reject(err) : resolve())));
}

export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err: unknown) => (err ? reject(err) : resolve())));
}

/** Puts the signed-in user on res.locals (ending the session when it expired or was revoked). */
function loadStaff(): RequestHandler {
  return async (req, res, next) => {
    const data = req.session;
    if (!data?.userId) {
      if (data?.csrfToken) res.locals.csrfToken = data.csrfToken;
      return next();
    }
    const expired = !data.absoluteExpiresAt || Date.now() >= data.absoluteExpiresAt;
    const user = expired ? null : await loadSessionUser(data.userId, data.authVersion);
    if (!user) {
      await regenerateSession(req);
      return next();
    }
    // A signed-in user's language follows their account; the language switch changes it.
    const asked = req.query.lang;
    if (isLocale(asked) && asked !== user.locale) {
      await setUserLocale(user.id, asked);
      user.locale = asked;
    }
    useLocale(res, user.locale);
    res.locals.user = user;
    if (data.csrfToken) res.locals.csrfToken = data.csrfToken;
    next();
  };
}
