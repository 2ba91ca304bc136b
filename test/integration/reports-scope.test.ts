/**
 * Report scoping: a quality lead limited to ABV sees ABV figures only on every report page
 * (never CAS's, not even in totals or the filter choices), asking for CAS is refused with
 * 403; admins and unrestricted quality leads see every site; nobody signed in goes to login.
 */
import request from 'supertest';
import { useTestDatabase } from '../helpers/database';
import { createTestApp } from '../helpers/app';
import { answers, decoded, seedReportWorld, seedRollups } from '../helpers/reports';
import { loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();
const PERIOD = 'from=2025-04-01&to=2025-04-30';
const PAGES = ['/reports', '/reports/sites', '/reports/drilldown', '/reports/drilldown?by=agent'];

beforeAll(async () => {
  await seedReportWorld();
  await seedRollups([
    { day: '2025-04-02', site: 'ABV', agent: 'abv.agent', ...answers({ yes: 31, no: 9 }) },
    { day: '2025-04-02', site: 'CAS', queue: 'billing', agent: 'cas.agent', ...answers({ yes: 77, no: 3 }) },
  ]);
});

const withPeriod = (path: string) => `${path}${path.includes('?') ? '&' : '?'}${PERIOD}&lang=en`;

describe('a quality lead limited to ABV', () => {
  it('sees ABV figures only, on every report page and in the filter choices', async () => {
    const { agent } = await loginAs(app, { role: 'quality', sites: ['ABV'] });
    for (const path of PAGES) {
      const res = await agent.get(withPeriod(path));
      expect(res.status).toBe(200);
      const page = decoded(res.text);
      expect(page).not.toContain('Casablanca');
      expect(page).not.toContain('value="CAS"');
      expect(page).not.toContain('cas.agent');
      // CAS's 80 answers never reach a total either.
      expect(page).not.toContain('n = 120');
      expect(page).not.toContain('n = 80');
    }
    const overview = decoded((await agent.get(withPeriod('/reports'))).text);
    expect(overview).toContain('Abbeville');
    expect(overview).toContain('n = 40');
  });

  it('is refused 403 when asking for CAS, alone or with ABV, and sees no figure', async () => {
    const { agent } = await loginAs(app, { role: 'quality', sites: ['ABV'] });
    for (const path of PAGES) {
      for (const sites of ['site=CAS', 'site=ABV&site=CAS', 'site=ABV,CAS']) {
        const res = await agent.get(`${withPeriod(path)}&${sites}`);
        expect(res.status).toBe(403);
        expect(res.text).not.toContain('n &#x3D; 80');
      }
    }
    const json = await agent.get(`/reports?${PERIOD}&site=CAS`).set('Accept', 'application/json');
    expect(json.body.error.code).toBe('SITE_FORBIDDEN');
  });

  it('is refused 403 for a site that does not exist, so codes cannot be probed', async () => {
    const { agent } = await loginAs(app, { role: 'quality', sites: ['ABV'] });
    expect((await agent.get(`/reports?${PERIOD}&site=ZZZ`)).status).toBe(403);
  });
});

describe('admins and unrestricted quality leads', () => {
  it('see every site', async () => {
    for (const opts of [{ role: 'admin' as const }, { role: 'quality' as const, sites: [] }]) {
      const { agent } = await loginAs(app, opts);
      const res = decoded((await agent.get(withPeriod('/reports'))).text);
      expect(res).toContain('Abbeville');
      expect(res).toContain('Casablanca');
      expect(res).toContain('n = 120');
      const cas = await agent.get(`${withPeriod('/reports')}&site=CAS`);
      expect(cas.status).toBe(200);
    }
  });

  it('find Reports first in the staff navigation', async () => {
    const { agent } = await loginAs(app, { role: 'quality', sites: ['ABV'] });
    const res = await agent.get('/account?lang=en');
    expect(res.text).toMatch(/<nav class="staff-nav"[^>]*>\s*<ul>\s*<li><a href="\/reports">Reports<\/a><\/li>/);
  });

  it('find the report tabs in the same place on every report page: above the title', async () => {
    const { agent } = await loginAs(app, { role: 'quality', sites: ['ABV'] });
    for (const path of ['/reports', '/reports/sites', '/reports/trends', '/reports/drilldown', '/reports/comments']) {
      const html = (await agent.get(path)).text;
      const tabs = html.indexOf('<nav class="report-nav"');
      expect({ path, tabsAboveTitle: tabs > 0 && tabs < html.indexOf('<h1') }).toEqual({ path, tabsAboveTitle: true });
    }
  });
});

describe('nobody signed in', () => {
  it('is sent to the login page from every report page', async () => {
    for (const path of PAGES) {
      const res = await request(app).get(path);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });
});
