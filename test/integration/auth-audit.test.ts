import { Router } from 'express';
import request from 'supertest';
import { actorOf, recordAudit } from '../../server/audit';
import { AuditEntry } from '../../server/audit/model';
import { requireApiKey } from '../../server/auth';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { createApiKey, loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

/** A feature route that audits a settings change made through the API. */
function apiProbe(): Router {
  const router = Router();
  router.put('/api/v1/things/:id', requireApiKey(), async (req, res) => {
    await recordAudit({ actor: actorOf(res), action: 'thing.update', target: { type: 'thing', id: String(req.params.id) }, before: { size: 1 }, after: { size: 2, token: 'never stored' } });
    res.status(204).end();
  });
  return router;
}

const { app } = createTestApp({ routers: [apiProbe()] });

describe('recordAudit', () => {
  it('names the API key that made a change, and drops secret fields from before and after', async () => {
    const key = await createApiKey('Telephony');
    expect((await request(app).put('/api/v1/things/t-1').set('Authorization', `Bearer ${key}`)).status).toBe(204);
    const entry = await AuditEntry.findOne({ action: 'thing.update' }).lean();
    expect(entry).toMatchObject({ actor: { type: 'apiKey', label: 'Telephony' }, target: { type: 'thing', id: 't-1' }, before: { size: 1 }, after: { size: 2 } });
    expect(entry?.at).toBeInstanceOf(Date);
    expect(JSON.stringify(entry)).not.toContain('never stored');
  });
});

describe('GET /admin/audit', () => {
  beforeAll(async () => {
    for (let i = 0; i < 55; i += 1) {
      await recordAudit({ actor: { type: 'system' }, action: 'site.update', target: { type: 'site', id: `S${i}` }, before: { name: `old ${i}` }, after: { name: `new ${i}` } });
    }
    await recordAudit({ actor: { type: 'user', id: 'u1', email: 'lea@example.com' }, action: 'template.publish', target: { type: 'template', id: 'post-call' } });
  });

  it('shows the newest entries first with who, what and the changes, 50 a page', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const page = await admin.agent.get('/admin/audit').set('Accept-Language', 'en');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Audit log</h1>');
    // Newest first: the publish comes before the site changes made earlier.
    const list = page.text.slice(page.text.indexOf('<ol class="audit-list">'));
    expect(list.indexOf('template.publish')).toBeLessThan(list.indexOf('site.update'));
    expect(page.text).toContain('lea@example.com');
    expect(page.text).toContain('Retour (start-up)');
    expect(page.text).toMatch(/&quot;name&quot;: &quot;new 54&quot;/);
    expect(page.text.match(/<li class="card">/g)).toHaveLength(50);
    expect(page.text).toMatch(/href="\/admin\/audit\?page(=|&#x3D;)2">Older entries/);
    const second = await admin.agent.get('/admin/audit?page=2').set('Accept-Language', 'en');
    expect(second.text).toContain('Newer entries');
    expect(second.text).toContain('S0');
  });

  it('filters by action, kind of item and actor, keeping the filters in the form', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const byAction = await admin.agent.get('/admin/audit?action=template.publish');
    expect(byAction.text.match(/<li class="card">/g)).toHaveLength(1);
    expect(byAction.text).toContain('<option value="template.publish" selected>');
    const byType = await admin.agent.get('/admin/audit?targetType=site&page=2');
    expect(byType.text.match(/<li class="card">/g)).toHaveLength(5);
    const byActor = await admin.agent.get('/admin/audit?actor=lea%40example.com');
    expect(byActor.text.match(/<li class="card">/g)).toHaveLength(1);
    expect(byActor.text).toContain('value="lea@example.com"');
  });

  it('answers 422 for a page number that is not one', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    expect((await admin.agent.get('/admin/audit?page=zero')).status).toBe(422);
  });
});
