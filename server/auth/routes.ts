/**
 * Staff access URL map: sessions for every request (first router), the guards of the
 * staff areas (/admin, /account, /reports), sign-in and out, one's own account,
 * invitation links, and the admin pages for users and API keys.
 */
import { Router, type RequestHandler } from 'express';
import type { Config } from '../config';
import { switchUser, inviteUser, listUsersPage, newLink, saveUser, showInvite, showUser } from './admin-users';
import { createKey, listKeysPage, revokeKey } from './admin-api-keys';
import { changeOwnPassword, setPassword, showAccount, showPasswordForm, showSetPassword } from './account-handlers';
import { csrfProtection, requireRole, requireStaff } from './guards';
import { showLogin, signIn, signOut } from './login-handlers';
import { sessions } from './staff-session';

/**
 * Sessions and res.locals.user for every request, and the guards of the staff areas.
 * Mount before any feature router.
 */
export function sessionRouter(config: Config, options: { adminBodyParsers?: RequestHandler[] } = {}): Router {
  const router = Router();
  router.use(sessions(config));
  // Every page under /admin is for admins and every page under /account and /reports for
  // signed-in staff, whichever feature serves it: routes added later cannot forget it.
  // Bodies the global parsers leave (multipart uploads) are read between the two checks.
  router.use('/admin', requireStaff(), requireRole('admin'), ...(options.adminBodyParsers ?? []), csrfProtection());
  router.use(['/account', '/reports'], requireStaff(), csrfProtection());
  return router;
}

/** Sign-in and out, one's account, invitation links, users and API keys (guarded by sessionRouter). */
export function authRoutes(config: Config): Router {
  const router = Router();
  router.get('/login', showLogin);
  router.post('/login', signIn);
  router.post('/logout', signOut);
  router.get('/set-password', showSetPassword);
  router.post('/set-password', setPassword);

  router.get('/account', showAccount);
  router.get('/account/password', showPasswordForm);
  router.post('/account/password', changeOwnPassword);

  router.get('/admin/users', listUsersPage);
  router.get('/admin/users/new', showInvite);
  router.post('/admin/users', inviteUser(config));
  router.get('/admin/users/:id', showUser);
  router.post('/admin/users/:id', saveUser);
  router.post('/admin/users/:id/disable', switchUser(true));
  router.post('/admin/users/:id/enable', switchUser(false));
  router.post('/admin/users/:id/link', newLink(config));
  router.get('/admin/api-keys', listKeysPage);
  router.post('/admin/api-keys', createKey);
  router.post('/admin/api-keys/:id/revoke', revokeKey);
  return router;
}
