import { Router } from 'express';
import request from 'supertest';
import { canSeeSite, requireApiKey, requireRole, requireStaff, visibleSites } from '../../server/auth';
import { ApiKey } from '../../server/auth/api-key-model';
import { User } from '../../server/auth/user-model';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { createApiKey, loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

/** Stand-ins for feature routes: a site's data behind the site scope, a staff API route, an API route. */
function probes(): Router {
  const router = Router();
  router.get('/reports/sites/:code', (req, res) => {
    if (!canSeeSite(res.locals.user, String(req.params.code))) return void res.status(404).send('no such site');
    res.send(`site ${String(req.params.code)}; visible: ${JSON.stringify(visibleSites(res.locals.user))}`);
  });
  router.get('/api/staff-only', requireStaff(), requireRole('quality'), (_req, res) => void res.json({ ok: true }));
  router.get('/api/v1/probe', requireApiKey(), (_req, res) => void res.json({ caller: res.locals.apiKey }));
  return router;
}

const { app } = createTestApp({ routers: [probes()] });

const ADMIN_PAGES = ['/admin/users', '/admin/users/new', '/admin/api-keys', '/admin/audit', '/admin/sites', '/admin/queues', '/admin/templates', '/admin/outbox'];
const ADMIN_POSTS = ['/admin/users', '/admin/api-keys', '/admin/users/0123456789abcdef01234567/disable', '/admin/api-keys/0123456789abcdef01234567/revoke'];

describe('the staff areas', () => {
  it('send someone who is not signed in to the login page, back to where they were going', async () => {
    for (const path of [...ADMIN_PAGES, '/account', '/account/password', '/reports']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    const form = await request(app).post('/admin/users').type('form').send({ email: 'x@example.com' });
    expect(form.status).toBe(303);
    expect(form.headers.location).toBe('/login');
  });

  it('refuse every admin page and action to a quality lead with 403', async () => {
    const { agent, csrf } = await loginAs(app, { role: 'quality' });
    const token = await csrf();
    for (const path of ADMIN_PAGES) {
      const res = await agent.get(path).set('Accept-Language', 'en');
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.text).toContain('Access denied');
    }
    const before = await User.countDocuments();
    for (const path of ADMIN_POSTS) {
      const res = await agent.post(path).type('form').send({ _csrf: token, email: 'new@example.com', role: 'admin', name: 'k' });
      expect([path, res.status]).toEqual([path, 403]);
    }
    expect(await User.countDocuments()).toBe(before);
    expect(await ApiKey.countDocuments()).toBe(0);
  });

  it('open every admin page to an admin', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    for (const path of ['/admin/users', '/admin/users/new', '/admin/api-keys', '/admin/audit']) {
      expect([path, (await agent.get(path)).status]).toEqual([path, 200]);
    }
  });

  it('answer 401 JSON, not a redirect, under /api', async () => {
    const res = await request(app).get('/api/staff-only');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    const { agent } = await loginAs(app, { role: 'quality' });
    expect((await agent.get('/api/staff-only')).body).toEqual({ ok: true });
  });
});

describe('site scopes', () => {
  it('let a quality lead see only their sites', async () => {
    const { agent } = await loginAs(app, { role: 'quality', sites: ['ABV', 'DRX'] });
    const own = await agent.get('/reports/sites/ABV');
    expect(own.status).toBe(200);
    expect(own.text).toContain('visible: ["ABV","DRX"]');
    expect((await agent.get('/reports/sites/CAS')).status).toBe(404);
  });

  it('let a quality lead without sites, and every admin, see every site', async () => {
    const lead = await loginAs(app, { role: 'quality' });
    expect((await lead.agent.get('/reports/sites/CAS')).text).toContain('visible: null');
    const admin = await loginAs(app, { role: 'admin', sites: ['ABV'] });
    expect((await admin.agent.get('/reports/sites/CAS')).text).toContain('visible: null');
  });

  it('change at the next request when an admin changes them', async () => {
    const { agent, user } = await loginAs(app, { role: 'quality', sites: ['ABV'] });
    expect((await agent.get('/reports/sites/CAS')).status).toBe(404);
    await User.updateOne({ _id: user.id }, { $set: { sites: ['CAS'] } });
    expect((await agent.get('/reports/sites/CAS')).status).toBe(200);
    expect((await agent.get('/reports/sites/ABV')).status).toBe(404);
  });
});

describe('/api/v1 with an API key', () => {
  it('answers with the caller when the Bearer key is valid', async () => {
    const key = await createApiKey('Telephony');
    const res = await request(app).get('/api/v1/probe').set('Authorization', `Bearer ${key}`);
    expect(res.status).toBe(200);
    expect(res.body.caller.name).toBe('Telephony');
  });

  it('answers the same 401 whatever is wrong, never saying which part', async () => {
    const key = await createApiKey('Soon revoked');
    await ApiKey.updateOne({ name: 'Soon revoked' }, { $set: { revokedAt: new Date() } });
    const attempts = [
      request(app).get('/api/v1/probe'),
      request(app).get('/api/v1/probe').set('Authorization', 'Basic dXNlcjpwYXNz'),
      request(app).get('/api/v1/probe').set('Authorization', 'Bearer'),
      request(app).get('/api/v1/probe').set('Authorization', 'Bearer rtr_not-a-real-key'),
      request(app).get('/api/v1/probe').set('Authorization', `Bearer ${key}`),
    ];
    const bodies = new Set<string>();
    for (const attempt of attempts) {
      const res = await attempt;
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="retour"');
      bodies.add(JSON.stringify(res.body));
    }
    expect([...bodies]).toEqual([
      JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'A valid API key is required: send Authorization: Bearer <key>.', details: null } }),
    ]);
  });

  it('does not accept a staff session instead of a key', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    expect((await agent.get('/api/v1/probe')).status).toBe(401);
  });
});
