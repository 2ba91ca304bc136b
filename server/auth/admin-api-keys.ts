/**
 * Admin page for API keys (/admin/api-keys): list with prefix and last use, create (the
 * key is shown once, right after), revoke. Page: views/admin/api-keys/list.hbs; rules in
 * ./api-keys.ts; each change is audited here, where the actor is known.
 */
import type { Request, Response } from 'express';
import { actorOf, recordAudit } from '../audit';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys';
import { setFlash, takeFlash } from './flash';
import { checkForm, translateErrors, type FieldErrors } from './forms';
import { apiKeyForm, type ApiKeyForm } from './schemas';
import type { ApiKeyDoc } from './api-key-model';

function auditView(doc: ApiKeyDoc) {
  return { name: doc.name, prefix: doc.prefix, revokedAt: doc.revokedAt };
}

async function renderKeys(req: Request, res: Response, status: number, name: string, errors: FieldErrors | null): Promise<void> {
  const flash = takeFlash(req);
  const keys = (await listApiKeys()).map((k) => ({ ...k, id: String(k._id) }));
  res.status(status).render('admin/api-keys/list', {
    title: res.locals.t('auth.apiKeys.title'),
    keys,
    name,
    errors: translateErrors(res.locals.t, errors),
    notice: flash.notice ? res.locals.t(flash.notice) : undefined,
    secret: flash.secret,
  });
}

// GET /admin/api-keys: the keys, and the form to create one.
export async function listKeysPage(req: Request, res: Response): Promise<void> {
  await renderKeys(req, res, 200, '', null);
}

// POST /admin/api-keys: create a key and show it once on the next page.
export async function createKey(req: Request, res: Response): Promise<void> {
  const { value, errors } = checkForm<ApiKeyForm>(apiKeyForm, req.body, { name: 'auth.errors.keyName' });
  if (errors) {
    const name = typeof (req.body as { name?: unknown })?.name === 'string' ? (req.body as { name: string }).name : '';
    return renderKeys(req, res, 422, name, errors);
  }
  const actor = actorOf(res);
  const { key, doc } = await createApiKey(value.name, actor.type === 'user' ? actor.id : null);
  await recordAudit({ actor, action: 'apiKey.create', target: { type: 'apiKey', id: String(doc._id) }, after: auditView(doc) });
  setFlash(req, { notice: 'auth.apiKeys.created', secret: { kind: 'apiKey', value: key, label: doc.name } });
  res.redirect(303, '/admin/api-keys');
}

// POST /admin/api-keys/:id/revoke: the key stops working at once.
export async function revokeKey(req: Request, res: Response): Promise<void> {
  const id = String(req.params.id);
  const { before, after } = await revokeApiKey(id);
  if (!before.revokedAt) {
    await recordAudit({ actor: actorOf(res), action: 'apiKey.revoke', target: { type: 'apiKey', id }, before: auditView(before), after: auditView(after) });
  }
  setFlash(req, { notice: 'auth.apiKeys.revoked' });
  res.redirect(303, '/admin/api-keys');
}
