import { Router } from 'express';
import request from 'supertest';
import { requireApiKey } from '../../server/auth';
import { ApiKey } from '../../server/auth/api-key-model';
import { AuditEntry } from '../../server/audit/model';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

function apiProbe(): Router {
  const router = Router();
  router.get('/api/v1/probe', requireApiKey(), (_req, res) => void res.json({ caller: res.locals.apiKey.name }));
  return router;
}

const { app } = createTestApp({ routers: [apiProbe()] });

function keyIn(html: string): string {
  const match = /id="secret-value"[^>]*value="(rtr_[A-Za-z0-9_-]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no key in the page');
  return match[1];
}

describe('API keys, from creation to revocation', () => {
  it('shows a new key once, stores only its hash, records its use, and refuses it once revoked', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const created = await admin.agent.post('/admin/api-keys').type('form').send({ _csrf: await admin.csrf(), name: 'Telephony Abbeville' });
    expect(created.status).toBe(303);
    expect(created.headers.location).toBe('/admin/api-keys');

    const page = await admin.agent.get('/admin/api-keys').set('Accept-Language', 'en');
    expect(page.text).toContain('The key is created.');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('Copy it now: it is shown only once.');
    const key = keyIn(page.text);
    const reload = await admin.agent.get('/admin/api-keys');
    expect(reload.text).not.toContain(key);
    expect(reload.text).toContain(`<code>${key.slice(0, 12)}…</code>`);

    const stored = await ApiKey.findOne({ name: 'Telephony Abbeville' }).lean();
    expect(JSON.stringify(stored)).not.toContain(key);
    expect(stored?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.lastUsedAt).toBeNull();

    const used = await request(app).get('/api/v1/probe').set('Authorization', `Bearer ${key}`);
    expect(used.status).toBe(200);
    expect(used.body).toEqual({ caller: 'Telephony Abbeville' });
    expect((await ApiKey.findById(stored?._id).lean())?.lastUsedAt).toBeInstanceOf(Date);
    expect((await admin.agent.get('/admin/api-keys')).text).not.toMatch(/<td>Never<\/td>/);

    const revoked = await admin.agent.post(`/admin/api-keys/${String(stored?._id)}/revoke`).type('form').send({ _csrf: await admin.csrf() });
    expect(revoked.status).toBe(303);
    expect((await admin.agent.get('/admin/api-keys').set('Accept-Language', 'en')).text).toContain('Revoked on');
    const refused = await request(app).get('/api/v1/probe').set('Authorization', `Bearer ${key}`);
    expect(refused.status).toBe(401);

    const actions = (await AuditEntry.find({ 'target.id': String(stored?._id) }).sort({ at: 1 }).lean()).map((e) => e.action);
    expect(actions).toEqual(['apiKey.create', 'apiKey.revoke']);
    expect(JSON.stringify(await AuditEntry.find().lean())).not.toContain(key);
  });

  it('asks for a name with 422, keeping the page usable', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const res = await admin.agent.post('/admin/api-keys').type('form').set('Accept-Language', 'en').send({ _csrf: await admin.csrf(), name: '   ' });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/id="name-error">Give the key a name of at most 100 characters.<\/p>/);
  });

  it('answers 404 when revoking an unknown key', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const res = await admin.agent.post('/admin/api-keys/0123456789abcdef01234567/revoke').type('form').send({ _csrf: await admin.csrf() });
    expect(res.status).toBe(404);
  });
});
