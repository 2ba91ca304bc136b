/**
 * Sites: the admin pages (admins only, CSRF-checked, 422 forms that keep values), the
 * provisioning API (API key, idempotent PUT), site scopes for staff, and the audit trail.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { listSitesFor } from '../../server/sites';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { createApiKey, createStaff, loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();
const sites = () => mongoose.connection.collection('sites');
const audit = () => mongoose.connection.collection('auditentries');

const ABBEVILLE = { name: 'Abbeville', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' };

let key: string;
beforeAll(async () => {
  key = await createApiKey('telephony');
});

function api() {
  return {
    get: (path: string) => request(app).get(path).set('Authorization', `Bearer ${key}`),
    put: (path: string, body: object) => request(app).put(path).set('Authorization', `Bearer ${key}`).send(body),
  };
}

describe('who may open the site pages', () => {
  it('sends someone who is not signed in to the login page, remembering where they were going', async () => {
    const res = await request(app).get('/admin/sites');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fadmin%2Fsites');
  });

  it('refuses every site page and form to a quality lead with 403, and changes nothing', async () => {
    await api().put('/api/v1/sites/QLT', { ...ABBEVILLE, name: 'Before' });
    const { agent, csrf } = await loginAs(app, { role: 'quality' });
    const token = await csrf();
    for (const path of ['/admin/sites', '/admin/sites/new', '/admin/sites/QLT']) {
      const res = await agent.get(path).set('Accept-Language', 'en');
      expect(res.status).toBe(403);
      expect(res.text).toContain('Access denied');
    }
    const created = await agent.post('/admin/sites').type('form').send({ _csrf: token, code: 'NEW', ...ABBEVILLE });
    expect(created.status).toBe(403);
    const edited = await agent.post('/admin/sites/QLT').type('form').send({ _csrf: token, ...ABBEVILLE, name: 'After' });
    expect(edited.status).toBe(403);
    expect(await sites().findOne({ code: 'NEW' })).toBeNull();
    expect(await sites().findOne({ code: 'QLT' })).toMatchObject({ name: 'Before' });
  });

  it('refuses a form posted without the CSRF token', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.post('/admin/sites').type('form').send({ code: 'CSRF', ...ABBEVILLE });
    expect(res.status).toBe(403);
    expect(await sites().findOne({ code: 'CSRF' })).toBeNull();
  });

  it('answers the API 401 in JSON without an API key or with a wrong one', async () => {
    for (const auth of [undefined, 'Bearer not-a-key', 'Basic abc']) {
      const req = request(app).put('/api/v1/sites/NOKEY').send(ABBEVILLE);
      const res = await (auth ? req.set('Authorization', auth) : req);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
    expect(await sites().findOne({ code: 'NOKEY' })).toBeNull();
  });
});

describe('the admin site pages', () => {
  it('list the sites with their country in the reader’s language', async () => {
    await api().put('/api/v1/sites/CAS', { name: 'Casablanca', country: 'MA', timezone: 'Africa/Casablanca', locale: 'fr' });
    const { agent } = await loginAs(app, { role: 'admin' });
    const fr = await agent.get('/admin/sites?lang=fr');
    expect(fr.status).toBe(200);
    expect(fr.text).toContain('<h1>Sites</h1>');
    expect(fr.text).toMatch(/<a href="\/admin\/sites\/CAS">CAS<\/a>[\s\S]*Casablanca[\s\S]*Maroc/);
    const en = await agent.get('/admin/sites?lang=en');
    expect(en.text).toMatch(/Casablanca[\s\S]*Morocco[\s\S]*Africa\/Casablanca/);
  });

  it('create a site from the form, redirect to its page and audit the creation', async () => {
    const { agent, csrf, user } = await loginAs(app, { role: 'admin' });
    const form = await agent.get('/admin/sites/new?lang=en');
    expect(form.status).toBe(200);
    expect(form.text).toContain('<label for="f-code">Code</label>');
    expect(form.text).toContain('<legend>Default language</legend>');
    const res = await agent.post('/admin/sites').type('form').send({ _csrf: await csrf('/admin/sites/new'), code: 'abv', ...ABBEVILLE, timezone: 'europe/paris' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/sites/ABV?saved=created');
    expect(await sites().findOne({ code: 'ABV' })).toMatchObject({ ...ABBEVILLE, active: true });
    const page = await agent.get('/admin/sites/ABV?saved=created&lang=en');
    expect(page.text).toContain('The site was created.');
    const entry = await audit().findOne({ action: 'site.create', 'target.id': 'ABV' });
    expect(entry).toMatchObject({ actor: { type: 'user', id: user.id }, before: null, after: { code: 'ABV', name: 'Abbeville', timezone: 'Europe/Paris' } });
  });

  it('answer 422 with each message beside its field and every value kept', async () => {
    const { agent, csrf } = await loginAs(app, { role: 'admin' });
    const sent = { _csrf: await csrf('/admin/sites/new'), code: 'x', name: 'Dreux <centre>', country: 'XX', timezone: 'Mars/Olympus', locale: 'en' };
    const res = await agent.post('/admin/sites?lang=en').type('form').send(sent);
    expect(res.status).toBe(422);
    expect(res.text).toContain('Please correct the following');
    expect(res.text).toMatch(/<p class="field-error" id="f-code-error">Enter 2 to 10 capital letters or digits/);
    expect(res.text).toMatch(/id="f-code"[^>]*value="x"[^>]*aria-describedby="f-code-hint f-code-error"[^>]*aria-invalid="true"/);
    expect(res.text).toContain('id="f-country-error">Choose a country from the list.');
    expect(res.text).toMatch(/id="f-timezone"[^>]*value="Mars\/Olympus"/);
    expect(res.text).toContain('value="Dreux &lt;centre&gt;"');
    expect(res.text).toMatch(/value="en" checked/);
    expect(res.text).toContain('<a href="#f-timezone">');
    expect(res.text).not.toMatch(/f-name-error/);
    expect(await sites().countDocuments({ name: 'Dreux <centre>' })).toBe(0);
  });

  it('refuse a code that is taken with 422 beside the code field', async () => {
    await api().put('/api/v1/sites/DUP', ABBEVILLE);
    const { agent, csrf } = await loginAs(app, { role: 'admin' });
    const res = await agent.post('/admin/sites?lang=en').type('form').send({ _csrf: await csrf('/admin/sites/new'), code: 'DUP', ...ABBEVILLE, name: 'Other' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('id="f-code-error">A site with this code already exists.');
    expect(await sites().findOne({ code: 'DUP' })).toMatchObject({ name: 'Abbeville' });
  });

  it('edit a site without changing its code, audit before and after, and write nothing when nothing changed', async () => {
    await api().put('/api/v1/sites/EDT', ABBEVILLE);
    const { agent, csrf } = await loginAs(app, { role: 'admin' });
    const token = await csrf('/admin/sites/EDT');
    const res = await agent.post('/admin/sites/EDT').type('form').send({ _csrf: token, code: 'HACK', ...ABBEVILLE, name: 'Abbeville 2', locale: 'en', active: 'on' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/sites/EDT?saved=updated');
    expect(await sites().findOne({ code: 'EDT' })).toMatchObject({ name: 'Abbeville 2', locale: 'en' });
    expect(await sites().findOne({ code: 'HACK' })).toBeNull();
    const entry = await audit().findOne({ action: 'site.update', 'target.id': 'EDT' });
    expect(entry).toMatchObject({ before: { name: 'Abbeville', locale: 'fr' }, after: { name: 'Abbeville 2', locale: 'en' } });

    await agent.post('/admin/sites/EDT').type('form').send({ _csrf: token, ...ABBEVILLE, name: 'Abbeville 2', locale: 'en', active: 'on' });
    expect(await audit().countDocuments({ action: 'site.update', 'target.id': 'EDT' })).toBe(1);

    // An unticked box is absent from the form: the site becomes inactive.
    await agent.post('/admin/sites/EDT').type('form').send({ _csrf: token, ...ABBEVILLE, name: 'Abbeville 2', locale: 'en' });
    expect(await sites().findOne({ code: 'EDT' })).toMatchObject({ active: false });
  });

  it('answer 404 for a site that does not exist', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    expect((await agent.get('/admin/sites/NOPE')).status).toBe(404);
  });
});

describe('the sites API', () => {
  it('creates with 201, then answers 200 and changes nothing when the same PUT comes again', async () => {
    const first = await api().put('/api/v1/sites/drx', { name: 'Dreux', country: 'fr', timezone: 'Europe/Paris', locale: 'fr' });
    expect(first.status).toBe(201);
    expect(first.body.site).toMatchObject({ code: 'DRX', name: 'Dreux', country: 'FR', timezone: 'Europe/Paris', locale: 'fr', active: true });
    const stored = await sites().findOne({ code: 'DRX' });
    const again = await api().put('/api/v1/sites/DRX', { name: 'Dreux', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' });
    expect(again.status).toBe(200);
    expect(await sites().findOne({ code: 'DRX' })).toEqual(stored);
    expect(await audit().countDocuments({ 'target.type': 'site', 'target.id': 'DRX' })).toBe(1);
    expect(await audit().findOne({ 'target.id': 'DRX' })).toMatchObject({ action: 'site.create', actor: { type: 'apiKey', label: 'telephony' } });
  });

  it('updates with 200 and audits before and after', async () => {
    await api().put('/api/v1/sites/UPD', ABBEVILLE);
    const res = await api().put('/api/v1/sites/UPD', { ...ABBEVILLE, timezone: 'Africa/Casablanca', active: false });
    expect(res.status).toBe(200);
    expect(res.body.site).toMatchObject({ timezone: 'Africa/Casablanca', active: false });
    expect(await audit().findOne({ action: 'site.update', 'target.id': 'UPD' })).toMatchObject({
      before: { timezone: 'Europe/Paris', active: true },
      after: { timezone: 'Africa/Casablanca', active: false },
    });
  });

  it('answers 422 naming each invalid field', async () => {
    const res = await api().put('/api/v1/sites/A', { name: '', country: 'France', timezone: '+01:00', locale: 'de' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('INVALID');
    const fields = res.body.error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(['code', 'country', 'locale', 'name', 'timezone']);
    expect(await sites().findOne({ code: 'A' })).toBeNull();
  });

  it('lists the sites and reads one, 404 in JSON for an unknown code', async () => {
    await api().put('/api/v1/sites/LST', ABBEVILLE);
    const list = await api().get('/api/v1/sites');
    expect(list.status).toBe(200);
    expect(list.body.sites.map((s: { code: string }) => s.code)).toContain('LST');
    const one = await api().get('/api/v1/sites/lst');
    expect(one.body.site).toMatchObject({ code: 'LST', name: 'Abbeville' });
    const missing = await api().get('/api/v1/sites/ZZZ');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('SITE_NOT_FOUND');
  });
});

describe('listSitesFor', () => {
  it('gives a quality lead only their sites, and every site to admins and unrestricted leads', async () => {
    await api().put('/api/v1/sites/SC1', ABBEVILLE);
    await api().put('/api/v1/sites/SC2', ABBEVILLE);
    const limited = (await createStaff({ role: 'quality', sites: ['SC1'] })).user;
    const everywhere = (await createStaff({ role: 'quality' })).user;
    const admin = (await createStaff({ role: 'admin', sites: ['SC1'] })).user;
    expect((await listSitesFor(limited)).map((s) => s.code)).toEqual(['SC1']);
    expect((await listSitesFor(everywhere)).map((s) => s.code)).toEqual(expect.arrayContaining(['SC1', 'SC2']));
    expect((await listSitesFor(admin)).map((s) => s.code)).toEqual(expect.arrayContaining(['SC1', 'SC2']));
  });
});
