/**
 * GET /api/v1/reports/summary: an API key is required; per-site figures (invitations,
 * responses, response rate, information rate with its 95% Wilson interval, CSAT, NPS,
 * CES, callback rate) for from–to, optionally some sites and queues; clear 422s.
 */
import request from 'supertest';
import { useTestDatabase } from '../helpers/database';
import { createTestApp } from '../helpers/app';
import { answers, seedReportWorld, seedRollups, times } from '../helpers/reports';
import { createApiKey, loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();
let key = '';
const api = (query: string) => request(app).get(`/api/v1/reports/summary${query}`).set('Authorization', `Bearer ${key}`);

beforeAll(async () => {
  await seedReportWorld();
  key = await createApiKey('bi');
  await seedRollups([
    { day: '2025-09-01', site: 'ABV', ...answers({ yes: 40, no: 10, csat: [...times(30, 5), ...times(10, 3)], nps: [...times(20, 10), ...times(10, 8), ...times(10, 2)], ces: times(4, 6), invited: 100, surveyed: 110, callbacks: 11 }) },
    { day: '2025-09-02', site: 'ABV', queue: 'billing', ...answers({ yes: 5, no: 5 }) },
    { day: '2025-09-03', site: 'CAS', queue: 'billing', ...answers({ yes: 20, no: 0 }) },
    // Outside the period.
    { day: '2025-10-01', site: 'ABV', ...answers({ yes: 0, no: 500 }) },
  ]);
});

describe('who may read the summary', () => {
  it('answers 401 without a valid API key, even to a signed-in admin', async () => {
    expect((await request(app).get('/api/v1/reports/summary?from=2025-09-01&to=2025-09-30')).status).toBe(401);
    const bad = await request(app).get('/api/v1/reports/summary?from=2025-09-01&to=2025-09-30').set('Authorization', 'Bearer nope');
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('UNAUTHORIZED');
    const { agent } = await loginAs(app, { role: 'admin' });
    expect((await agent.get('/api/v1/reports/summary?from=2025-09-01&to=2025-09-30')).status).toBe(401);
  });
});

describe('the figures per site', () => {
  it('gives every site for the period with rates, intervals and n', async () => {
    const res = await api('?from=2025-09-01&to=2025-09-30');
    expect(res.status).toBe(200);
    expect(res.body.from).toBe('2025-09-01');
    expect(res.body.to).toBe('2025-09-30');
    expect(res.body.filters).toEqual({ sites: ['ABV', 'CAS', 'DRX'], queues: [], template: null });
    expect(res.body.sites.map((s: { site: string }) => s.site)).toEqual(['ABV', 'CAS', 'DRX']);
    const abv = res.body.sites[0];
    expect(abv).toMatchObject({ site: 'ABV', name: 'Abbeville', invited: 110, responses: 60, completed: 60, surveyed: 120 });
    expect(abv.responseRate).toMatchObject({ value: 0.5455, x: 60, n: 110, enough: true });
    // 45 of 60, Wilson 95 %: 0.6277 to 0.8422.
    expect(abv.information).toEqual({ value: 0.75, low: 0.6277, high: 0.8422, x: 45, n: 60, enough: true });
    expect(abv.csat).toMatchObject({ value: 0.75, x: 30, n: 40, mean: 4.5 });
    expect(abv.nps).toMatchObject({ score: 25, n: 40, enough: true });
    expect(abv.nps.low).toBeLessThan(25);
    expect(abv.nps.high).toBeGreaterThan(25);
    expect(abv.ces).toEqual({ mean: 6, n: 4 });
    expect(abv.callbacks).toMatchObject({ value: 0.0917, x: 11, n: 120 });
    const cas = res.body.sites[1];
    expect(cas.information).toMatchObject({ value: 1, high: 1, n: 20, enough: false });
    expect(cas.nps).toBeNull();
    expect(res.body.sites[2].information).toEqual({ value: null, low: null, high: null, x: 0, n: 0, enough: false });
    expect(res.body.total.information).toMatchObject({ x: 65, n: 80 });
  });

  it('keeps the sites and queues asked for (repeated or comma-separated)', async () => {
    const bySite = await api('?from=2025-09-01&to=2025-09-30&site=CAS,ABV');
    expect(bySite.body.sites.map((s: { site: string }) => s.site)).toEqual(['ABV', 'CAS']);
    const byQueue = await api('?from=2025-09-01&to=2025-09-30&site=ABV&queue=billing');
    expect(byQueue.body.sites).toHaveLength(1);
    expect(byQueue.body.sites[0].information).toMatchObject({ x: 5, n: 10 });
    expect(byQueue.body.filters.queues).toEqual(['billing']);
  });

  it('answers 422 with each problem named when the period or a filter is wrong', async () => {
    const missing = await api('?site=ABV');
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('INVALID_FILTERS');
    expect(missing.body.error.details.map((d: { field: string }) => d.field)).toEqual(['from', 'to']);
    const bad = await api('?from=2025-09-31&to=2025-09-30&site=XYZ');
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain('from is not a date of the calendar');
    const unknown = await api('?from=2025-09-01&to=2025-09-30&site=XYZ');
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toEqual([{ field: 'site', message: 'there is no site XYZ' }]);
  });
});
