/**
 * Queue admin pages: admins only on every page and form, the new-queue form and the
 * settings form (defaults with plain-words hints, 422 beside each field with values
 * kept), and before/after audit entries. Relocation and the API have their own files.
 */
import request from 'supertest';
import { useTestDatabase } from '../helpers/database';
import { FORM_DEFAULTS, queueTestKit, SINCE } from '../helpers/queues';
import { loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app, adminWithQueue, queues, audit } = queueTestKit();

describe('who may open the queue pages', () => {
  it('sends someone who is not signed in to the login page', async () => {
    const res = await request(app).get('/admin/queues/x/relocate');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fadmin%2Fqueues%2Fx%2Frelocate');
  });

  it('refuses every queue page and form to a quality lead, even one who may see the site, and changes nothing', async () => {
    await adminWithQueue('guarded');
    const before = await queues().findOne({ code: 'guarded' });
    const { agent, csrf } = await loginAs(app, { role: 'quality', sites: ['CAS'] });
    const token = await csrf();
    for (const path of ['/admin/queues', '/admin/queues/new', '/admin/queues/guarded', '/admin/queues/guarded/relocate']) {
      const res = await agent.get(path).set('Accept-Language', 'en');
      expect(res.status).toBe(403);
      expect(res.text).toContain('Access denied');
    }
    const posts: [string, object][] = [
      ['/admin/queues', { code: 'sneaky', name: 'Sneaky', site: 'CAS', ...FORM_DEFAULTS }],
      ['/admin/queues/guarded', { name: 'Renamed', ...FORM_DEFAULTS }],
      ['/admin/queues/guarded/relocate', { site: 'ABV', date: '2024-01-01', confirm: 'yes' }],
      ['/admin/queues/guarded/relocation/cancel', {}],
    ];
    for (const [path, body] of posts) {
      expect((await agent.post(path).type('form').send({ _csrf: token, ...body })).status).toBe(403);
    }
    expect(await queues().findOne({ code: 'sneaky' })).toBeNull();
    expect(await queues().findOne({ code: 'guarded' })).toEqual(before);
  });

  it('answers the API 401 without a valid key', async () => {
    const res = await request(app).put('/api/v1/queues/nokey').set('Authorization', 'Bearer wrong').send({ name: 'N', site: 'CAS' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect(await queues().findOne({ code: 'nokey' })).toBeNull();
  });
});

describe('creating a queue from the admin pages', () => {
  it('offers the default survey settings with a plain-words hint for each', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get('/admin/queues/new?lang=en');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/id="f-delayMinutes"[^>]*value="30"/);
    expect(res.text).toMatch(/id="f-samplingPercent"[^>]*value="100"/);
    expect(res.text).toMatch(/id="f-quietHours"[^>]*checked/);
    expect(res.text).toMatch(/id="f-quietStart"[^>]*value="20:00"/);
    expect(res.text).toContain('One reminder goes to customers who have not answered');
    expect(res.text).toContain('<legend>Survey settings</legend>');
    expect(res.text).toMatch(/<option value="post-call" selected>[^<]+\(post-call\)<\/option>/);
    expect(res.text).toContain('<option value="CAS">Casablanca (CAS)</option>');
    expect(res.text).not.toContain('<option value="OLD">');
  });

  it('creates the queue at its site since the given day (midnight there) and audits it', async () => {
    await adminWithQueue('business-support', { name: 'Business support', samplingPercent: '25', quietHours: '' });
    const stored = await queues().findOne({ code: 'business-support' });
    expect(stored).toMatchObject({
      name: 'Business support',
      assignments: [{ site: 'CAS', from: SINCE, to: null }],
      survey: { template: 'post-call', delayMinutes: 30, samplingRate: 0.25, quarantineDays: 30, quietHours: null, expiryDays: 7, reminderDays: 3 },
    });
    const entry = await audit().findOne({ action: 'queue.create', 'target.id': 'business-support' });
    expect(entry?.after).toMatchObject({ name: 'Business support', site: 'CAS', survey: { samplingRate: 0.25 } });
  });

  it('answers 422 with the message beside each field, values kept, for broken rules', async () => {
    const { agent, csrf } = await loginAs(app, { role: 'admin' });
    const sent = { _csrf: await csrf('/admin/queues/new'), code: 'Bad Code', name: 'Keep me', site: 'CAS', ...FORM_DEFAULTS, delayMinutes: '2000', quietStart: '25:00' };
    const res = await agent.post('/admin/queues?lang=en').type('form').send(sent);
    expect(res.status).toBe(422);
    expect(res.text).toContain('id="f-code-error">Enter 2 to 40 lowercase letters');
    expect(res.text).toContain('id="f-delayMinutes-error">Enter a whole number of minutes from 0 to 1440.');
    expect(res.text).toContain('id="f-quietStart-error">Enter the start of quiet hours as HH:MM.');
    expect(res.text).toMatch(/id="f-delayMinutes"[^>]*value="2000"[^>]*aria-describedby="f-delayMinutes-hint f-delayMinutes-error"/);
    expect(res.text).toMatch(/id="f-name"[^>]*value="Keep me"/);
    expect(res.text).toContain('<option value="CAS" selected>');

    const rule = await agent.post('/admin/queues?lang=en').type('form').send({ ...sent, code: 'rules', delayMinutes: '30', quietStart: '20:00', expiryDays: '3', reminderDays: '3' });
    expect(rule.status).toBe(422);
    expect(rule.text).toContain('id="f-reminderDays-error">The reminder must come before the link expires');

    const site = await agent.post('/admin/queues?lang=en').type('form').send({ ...sent, code: 'rules', delayMinutes: '30', quietStart: '20:00', site: 'OLD' });
    expect(site.status).toBe(422);
    expect(site.text).toContain('id="f-site-error">This site is inactive. Choose an active site.');

    const template = await agent.post('/admin/queues?lang=en').type('form').send({ ...sent, code: 'rules', delayMinutes: '30', quietStart: '20:00', template: 'no-such-survey' });
    expect(template.status).toBe(422);
    expect(template.text).toContain('id="f-template-error">There is no survey template with this key.');
    expect(await queues().findOne({ code: 'rules' })).toBeNull();
  });
});

describe('the queue page and its settings', () => {
  it('shows the site timeline and saves settings with before and after in the audit log, once', async () => {
    const { agent, csrf } = await adminWithQueue('settings');
    const page = await agent.get('/admin/queues/settings?lang=en');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Now at Casablanca (CAS).');
    expect(page.text).toMatch(/<ol class="timeline">[\s\S]*Casablanca \(CAS\)[\s\S]*Since/);
    const token = await csrf('/admin/queues/settings');
    const changed = { _csrf: token, name: 'Settings', ...FORM_DEFAULTS, delayMinutes: '45', quietHours: '', expiryDays: '10', reminderDays: '0' };
    const res = await agent.post('/admin/queues/settings').type('form').send(changed);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/queues/settings?saved=updated');
    expect((await agent.get('/admin/queues/settings?saved=updated&lang=en')).text).toContain('Your changes were saved.');
    expect(await queues().findOne({ code: 'settings' })).toMatchObject({
      name: 'Settings',
      survey: { delayMinutes: 45, quietHours: null, expiryDays: 10, reminderDays: 0 },
    });
    const entry = await audit().findOne({ action: 'queue.update', 'target.id': 'settings' });
    expect(entry).toMatchObject({
      before: { name: 'Queue settings', survey: { delayMinutes: 30, quietHours: { start: '20:00', end: '09:00' }, expiryDays: 7, reminderDays: 3 } },
      after: { name: 'Settings', survey: { delayMinutes: 45, quietHours: null, expiryDays: 10, reminderDays: 0 } },
    });
    await agent.post('/admin/queues/settings').type('form').send(changed);
    expect(await audit().countDocuments({ action: 'queue.update', 'target.id': 'settings' })).toBe(1);
  });

  it('re-renders the settings with 422 when quiet hours start and end together', async () => {
    const { agent, csrf } = await adminWithQueue('quiet');
    const res = await agent
      .post('/admin/queues/quiet?lang=en')
      .type('form')
      .send({ _csrf: await csrf('/admin/queues/quiet'), name: 'Quiet', ...FORM_DEFAULTS, quietEnd: '20:00' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('id="f-quietEnd-error">Quiet hours must start and end at different times.');
    expect(res.text).toContain('<a href="#f-quietEnd">');
    expect(await queues().findOne({ code: 'quiet' })).toMatchObject({ name: 'Queue quiet' });
  });
});
