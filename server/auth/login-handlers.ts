/**
 * Sign in and out: the login page, checking credentials behind the throttle (the same
 * message for an unknown email and a wrong password), a new session id at sign-in with
 * its absolute expiry, and signing out. Pages: views/auth/login.hbs.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { readCookie } from '../http/i18n';
import { isLocale } from '../i18n';
import { authenticate } from './credentials';
import { ensureCsrfToken, hasValidCsrfToken } from './csrf';
import { refuseForm } from './guards';
import { checkForm, safeNext } from './forms';
import { loginForm, type LoginForm } from './schemas';
import { ABSOLUTE_TIMEOUT_MS, SESSION_COOKIE, regenerateSession, saveSession } from './staff-session';
import { blockedFor, clearAccount, recordFailure } from './throttle';
import { setUserLocale } from './users';

/** Where a sign-in lands without a `next`: the overview report, for admins and quality leads alike. */
export const STAFF_HOME = '/reports';

const NOTICES: Record<string, string> = { out: 'auth.login.signedOut', set: 'auth.login.passwordSet' };

interface LoginLocals {
  email?: string;
  next?: string;
  /** i18n key of the message above the form. */
  alert?: string;
  minutes?: number;
  errors?: Record<string, string>;
}

function renderLogin(req: Request, res: Response, status: number, locals: LoginLocals): void {
  const t = res.locals.t;
  res.status(status).render('auth/login', {
    title: t('auth.login.title'),
    csrfToken: ensureCsrfToken(req),
    email: locals.email ?? '',
    next: locals.next ?? '',
    alert: locals.alert ? t(locals.alert, { minutes: locals.minutes }) : undefined,
    errors: Object.fromEntries(Object.entries(locals.errors ?? {}).map(([k, v]) => [k, t(v)])),
  });
}

// GET /login: the sign-in form (signed-in users go straight on).
export function showLogin(req: Request, res: Response): void {
  const next = typeof req.query.next === 'string' ? req.query.next : '';
  if (res.locals.user) return res.redirect(303, safeNext(next, STAFF_HOME));
  // Own keys only: ?notice=constructor must not find Object's.
  const notice = typeof req.query.notice === 'string' && Object.hasOwn(NOTICES, req.query.notice) ? NOTICES[req.query.notice] : undefined;
  res.set('Cache-Control', 'no-store');
  renderLogin(req, res, 200, { next, alert: notice });
}

// POST /login: check the credentials, then start a fresh session and go to `next`.
export async function signIn(req: Request, res: Response): Promise<void> {
  res.set('Cache-Control', 'no-store');
  const body = req.body as Partial<LoginForm> | undefined;
  const kept = { email: typeof body?.email === 'string' ? body.email : '', next: typeof body?.next === 'string' ? body.next : '' };
  if (!hasValidCsrfToken(req)) return renderLogin(req, res, 403, { ...kept, alert: 'auth.login.formExpired' });
  const { value, errors } = checkForm<LoginForm>(loginForm, body, { email: 'auth.errors.emailRequired', password: 'auth.errors.passwordRequired' });
  if (errors) return renderLogin(req, res, 422, { ...kept, errors });

  const keys = { ip: req.ip ?? 'unknown', account: value.email };
  const wait = await blockedFor(keys);
  if (wait > 0) {
    res.set('Retry-After', String(Math.ceil(wait / 1000)));
    return renderLogin(req, res, 429, { ...kept, alert: 'auth.login.throttled', minutes: Math.ceil(wait / 60_000) });
  }
  const signedIn = await authenticate(value.email, value.password);
  if (!signedIn) {
    await recordFailure(keys);
    return renderLogin(req, res, 401, { ...kept, alert: 'auth.login.failed' });
  }
  await clearAccount(keys);
  // A language picked on the login page (the `lang` cookie) becomes the account's language.
  const picked = readCookie(req, 'lang');
  if (isLocale(picked) && picked !== signedIn.user.locale) await setUserLocale(signedIn.user.id, picked);
  // A new session id at sign-in: an id planted before it (session fixation) stays anonymous.
  await regenerateSession(req);
  req.session.userId = signedIn.user.id;
  req.session.authVersion = signedIn.authVersion;
  req.session.absoluteExpiresAt = Date.now() + ABSOLUTE_TIMEOUT_MS;
  req.session.csrfToken = randomBytes(32).toString('base64url');
  await saveSession(req);
  req.log?.info({ userId: signedIn.user.id }, 'staff signed in');
  res.redirect(303, safeNext(value.next, STAFF_HOME));
}

// POST /logout: end the session (in the store too) and forget the cookie.
export async function signOut(req: Request, res: Response): Promise<void> {
  if (req.session?.userId && !hasValidCsrfToken(req)) {
    return refuseForm(req, res);
  }
  // Cleared with the flags it was set with (HttpOnly, SameSite, Secure behind HTTPS), like every cookie of the app.
  const { httpOnly, sameSite, secure } = req.session.cookie;
  await new Promise<void>((resolve, reject) => req.session.destroy((err: unknown) => (err ? reject(err) : resolve())));
  res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly, sameSite, secure: secure === true });
  res.redirect(303, '/login?notice=out');
}
