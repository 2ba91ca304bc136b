/**
 * A staff member's own account: the account page (who am I, which sites), changing one's
 * password (which ends one's other sessions), and setting a password from a one-time
 * invitation link. Pages: views/auth/account.hbs, password.hbs, set-password.hbs.
 */
import type { Request, Response } from 'express';
import { changePassword, findBySetPasswordToken, setPasswordWithToken } from './credentials';
import { ensureCsrfToken, hasValidCsrfToken } from './csrf';
import { refuseForm } from './guards';
import { checkForm, fieldErrorsOf, translateErrors, type FieldErrors } from './forms';
import { MIN_PASSWORD_LENGTH } from './passwords';
import { PASSWORD_KEYS, passwordForm, setPasswordForm, type PasswordForm, type SetPasswordForm } from './schemas';
import { regenerateSession, saveSession } from './staff-session';
import { takeFlash } from './flash';

// GET /account: the signed-in user's account and where to go from here.
export function showAccount(req: Request, res: Response): void {
  const { user, t } = res.locals;
  const flash = takeFlash(req);
  res.render('auth/account', {
    title: t('auth.account.title'),
    notice: flash.notice ? t(flash.notice) : undefined,
    roleLabel: t(`auth.roles.${user.role}`),
    allSites: user.role === 'admin' || user.sites.length === 0,
    sites: user.sites.join(', '),
  });
}

function renderPasswordForm(res: Response, status: number, errors: FieldErrors | null): void {
  res.status(status).render('auth/password', {
    title: res.locals.t('auth.password.title'),
    minLength: MIN_PASSWORD_LENGTH,
    errors: translateErrors(res.locals.t, errors),
  });
}

// GET /account/password: the change-password form.
export function showPasswordForm(_req: Request, res: Response): void {
  renderPasswordForm(res, 200, null);
}

// POST /account/password: check the current password, set the new one, keep only this session.
export async function changeOwnPassword(req: Request, res: Response): Promise<void> {
  const { value, errors } = checkForm<PasswordForm>(passwordForm, req.body, PASSWORD_KEYS);
  if (errors) return renderPasswordForm(res, 422, errors);
  let authVersion: number;
  try {
    authVersion = await changePassword(res.locals.user.id, value.current, value.password);
  } catch (err) {
    const fields = fieldErrorsOf(err);
    if (!fields) throw err;
    return renderPasswordForm(res, 422, fields);
  }
  // Rotate this session too, carrying the sign-in over with the new authVersion.
  const { userId, absoluteExpiresAt } = req.session;
  await regenerateSession(req);
  Object.assign(req.session, { userId, absoluteExpiresAt, authVersion, csrfToken: ensureCsrfToken(req) });
  req.session.flash = { notice: 'auth.password.changed' };
  await saveSession(req);
  res.redirect(303, '/account');
}

function renderSetPassword(req: Request, res: Response, status: number, token: string, errors: FieldErrors | null): void {
  res.status(status).render('auth/set-password', {
    title: res.locals.t('auth.setPassword.title'),
    csrfToken: ensureCsrfToken(req),
    token,
    minLength: MIN_PASSWORD_LENGTH,
    errors: translateErrors(res.locals.t, errors),
  });
}

function renderLinkGone(res: Response): void {
  res.status(410).render('auth/link-gone', { title: res.locals.t('auth.setPassword.goneTitle') });
}

// GET /set-password?token=: the form behind an invitation link (410 once used or expired).
export async function showSetPassword(req: Request, res: Response): Promise<void> {
  const token = typeof req.query.token === 'string' ? req.query.token : '';
  res.set('Cache-Control', 'no-store');
  if (!token || !(await findBySetPasswordToken(token))) return renderLinkGone(res);
  renderSetPassword(req, res, 200, token, null);
}

// POST /set-password: set the password and spend the link, then sign in as usual.
export async function setPassword(req: Request, res: Response): Promise<void> {
  if (!hasValidCsrfToken(req)) {
    return refuseForm(req, res);
  }
  const { value, errors } = checkForm<SetPasswordForm>(setPasswordForm, req.body, { ...PASSWORD_KEYS, token: 'auth.errors.invalid' });
  const token = typeof (req.body as { token?: unknown })?.token === 'string' ? (req.body as { token: string }).token : '';
  if (errors) return renderSetPassword(req, res, 422, token, errors);
  if (!(await setPasswordWithToken(value.token, value.password))) return renderLinkGone(res);
  res.redirect(303, '/login?notice=set');
}
