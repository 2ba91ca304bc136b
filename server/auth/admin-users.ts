/**
 * Admin pages for staff accounts (/admin/users): list, invite (the set-password link is
 * shown once), change name, role, site scope and language, disable and enable, and a new
 * set-password link. Pages: views/admin/users/*.hbs. Rules live in ./users.ts.
 */
import type { Request, Response } from 'express';
import { actorOf } from '../audit';
import type { Config } from '../config';
import { setFlash, takeFlash } from './flash';
import { checkForm, fieldErrorsOf, translateErrors, type FieldErrors } from './forms';
import { inviteForm, userForm, USER_KEYS, type InviteForm, type UserForm } from './schemas';
import { knownSites } from './site-choices';
import type { UserDoc } from './user-model';
import { createUser, getUser, issueSetPasswordLink, listUsers, setUserDisabled, updateUser } from './users';

type Values = Partial<InviteForm> & { sitesText?: string };

function setPasswordLink(config: Pick<Config, 'publicUrl'>, token: string): string {
  return `${config.publicUrl}/set-password?token=${token}`;
}

/** The submitted values as the form shows them again (sites both as a list and as text). */
function keptValues(body: unknown): Values {
  const b = (body ?? {}) as Record<string, unknown>;
  const sites = Array.isArray(b.sites) ? b.sites.map(String) : typeof b.sites === 'string' ? b.sites.split(/[\s,;]+/).filter(Boolean) : [];
  return {
    email: typeof b.email === 'string' ? b.email : '',
    name: typeof b.name === 'string' ? b.name : '',
    role: b.role === 'admin' || b.role === 'quality' ? b.role : undefined,
    locale: b.locale === 'en' ? 'en' : 'fr',
    sites,
    sitesText: typeof b.sites === 'string' ? b.sites : sites.join(', '),
  };
}

function valuesOf(doc: UserDoc): Values {
  return { email: doc.email, name: doc.name ?? '', role: doc.role, locale: doc.locale as 'fr' | 'en', sites: doc.sites, sitesText: doc.sites.join(', ') };
}

async function formLocals(res: Response, values: Values, errors: FieldErrors | null) {
  const sites = await knownSites();
  return {
    values,
    errors: translateErrors(res.locals.t, errors),
    siteChoices: sites?.map((s) => ({ ...s, checked: (values.sites ?? []).includes(s.code) })) ?? null,
  };
}

// GET /admin/users: every account, with its role, sites and state.
export async function listUsersPage(req: Request, res: Response): Promise<void> {
  const flash = takeFlash(req);
  const t = res.locals.t;
  res.render('admin/users/list', {
    title: t('auth.users.title'),
    users: (await listUsers()).map((u) => ({
      id: String(u._id),
      email: u.email,
      name: u.name,
      disabled: u.disabled,
      hasPassword: Boolean(u.passwordHash),
      lastLoginAt: u.lastLoginAt,
      isSelf: String(u._id) === res.locals.user.id,
      roleLabel: t(`auth.roles.${u.role}`),
      sitesLabel: u.role === 'admin' || u.sites.length === 0 ? t('auth.account.allSites') : u.sites.join(', '),
    })),
    notice: flash.notice ? t(flash.notice) : undefined,
  });
}

async function renderInvite(res: Response, status: number, values: Values, errors: FieldErrors | null): Promise<void> {
  res.status(status).render('admin/users/new', { title: res.locals.t('auth.users.inviteTitle'), ...(await formLocals(res, values, errors)) });
}

// GET /admin/users/new: the invitation form.
export async function showInvite(_req: Request, res: Response): Promise<void> {
  await renderInvite(res, 200, { role: 'quality', locale: res.locals.locale, sites: [], sitesText: '' }, null);
}

// POST /admin/users: create the account and show its set-password link once.
export function inviteUser(config: Pick<Config, 'publicUrl'>) {
  return async (req: Request, res: Response): Promise<void> => {
    const { value, errors } = checkForm<InviteForm>(inviteForm, req.body, USER_KEYS);
    if (errors) return renderInvite(res, 422, keptValues(req.body), errors);
    let created: Awaited<ReturnType<typeof createUser>>;
    try {
      created = await createUser(value, actorOf(res));
    } catch (err) {
      const fields = fieldErrorsOf(err);
      if (!fields) throw err;
      return renderInvite(res, 409, keptValues(req.body), fields);
    }
    const link = setPasswordLink(config, created.setPasswordToken ?? '');
    setFlash(req, { notice: 'auth.users.invited', secret: { kind: 'setPasswordLink', value: link, label: created.user.email } });
    res.redirect(303, `/admin/users/${String(created.user._id)}`);
  };
}

async function renderEdit(req: Request, res: Response, status: number, doc: UserDoc, values: Values, errors: FieldErrors | null): Promise<void> {
  const flash = takeFlash(req);
  res.status(status).render('admin/users/edit', {
    title: res.locals.t('auth.users.editTitle', { email: doc.email }),
    account: {
      id: String(doc._id),
      email: doc.email,
      disabled: doc.disabled,
      isSelf: String(doc._id) === res.locals.user.id,
      hasPassword: Boolean(doc.passwordHash),
    },
    notice: flash.notice ? res.locals.t(flash.notice) : undefined,
    secret: flash.secret,
    ...(await formLocals(res, values, errors)),
  });
}

// GET /admin/users/:id: one account's settings, state and links.
export async function showUser(req: Request, res: Response): Promise<void> {
  const doc = await getUser(String(req.params.id));
  await renderEdit(req, res, 200, doc, valuesOf(doc), null);
}

// POST /admin/users/:id: change name, role, site scope and language.
export async function saveUser(req: Request, res: Response): Promise<void> {
  const id = String(req.params.id);
  const doc = await getUser(id);
  const { value, errors } = checkForm<UserForm>(userForm, req.body, USER_KEYS);
  const kept = { ...keptValues(req.body), email: doc.email };
  if (errors) return renderEdit(req, res, 422, doc, kept, errors);
  try {
    await updateUser(id, value, actorOf(res));
  } catch (err) {
    const fields = fieldErrorsOf(err);
    if (!fields) throw err;
    return renderEdit(req, res, 409, doc, kept, fields);
  }
  setFlash(req, { notice: 'auth.users.saved' });
  res.redirect(303, `/admin/users/${id}`);
}

// POST /admin/users/:id/disable and /enable: end or restore the account's access.
export function switchUser(disabled: boolean) {
  return async (req: Request, res: Response): Promise<void> => {
    const id = String(req.params.id);
    try {
      await setUserDisabled(id, disabled, actorOf(res));
    } catch (err) {
      const fields = fieldErrorsOf(err);
      if (!fields) throw err;
      const doc = await getUser(id);
      return renderEdit(req, res, 409, doc, valuesOf(doc), fields);
    }
    setFlash(req, { notice: disabled ? 'auth.users.disabled' : 'auth.users.enabled' });
    res.redirect(303, `/admin/users/${id}`);
  };
}

// POST /admin/users/:id/link: a new set-password link (forgotten password, lost invitation).
export function newLink(config: Pick<Config, 'publicUrl'>) {
  return async (req: Request, res: Response): Promise<void> => {
    const id = String(req.params.id);
    const doc = await getUser(id);
    const link = setPasswordLink(config, await issueSetPasswordLink(id, actorOf(res)));
    setFlash(req, { notice: 'auth.users.linkCreated', secret: { kind: 'setPasswordLink', value: link, label: doc.email } });
    res.redirect(303, `/admin/users/${id}`);
  };
}
