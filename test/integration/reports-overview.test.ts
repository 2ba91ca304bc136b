/**
 * The overview page (/reports): filters read from the URL (default period, explicit
 * period, sites, queues, template, bad values), each site side by side with intervals and
 * n, figures under 30 answers greyed, and the change arrow shown only when significant.
 */
import mongoose from 'mongoose';
import { useTestDatabase } from '../helpers/database';
import { createTestApp } from '../helpers/app';
import { answers, decoded, seedReportWorld, seedResponses, seedRollups, times } from '../helpers/reports';
import { loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';
import { sumRollups } from '../../server/reports';
import { DailyRollup } from '../../server/rollups';
import { addDays, localDate } from '../../server/time/local-time';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();

const PERIOD = 'from=2025-03-01&to=2025-03-31';

/** The cells of the overview table row whose id is `row`, in column order. */
function rowCells(html: string, row: string): string[] {
  const match = new RegExp(`<tr class="report-row report-row--${row}">([\\s\\S]*?)</tr>`).exec(decoded(html));
  if (!match?.[1]) throw new Error(`no row ${row}`);
  return [...match[1].matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/\s+/g, ' ').trim());
}

function columns(html: string): string[] {
  const head = /<thead>([\s\S]*?)<\/thead>/.exec(html)?.[1] ?? '';
  return [...head.matchAll(/<th scope="col">([\s\S]*?)<\/th>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim());
}

beforeAll(async () => {
  await seedReportWorld();
  await seedRollups([
    // March 2025: ABV 80 % informed of 100, CAS 50 % of 100, DRX only 10 answers.
    { day: '2025-03-03', site: 'ABV', ...answers({ yes: 50, no: 10, csat: [...times(40, 5), ...times(20, 2)], invited: 120, surveyed: 120, callbacks: 12 }) },
    { day: '2025-03-20', site: 'ABV', queue: 'billing', ...answers({ yes: 30, no: 10, invited: 80, surveyed: 80, callbacks: 8 }) },
    { day: '2025-03-05', site: 'CAS', queue: 'billing', ...answers({ yes: 50, no: 50, csat: [...times(50, 4), ...times(50, 1)], nps: [...times(40, 10), ...times(30, 3)], ces: times(20, 6) }) },
    { day: '2025-03-06', site: 'DRX', ...answers({ yes: 6, no: 4 }) },
    // February 2025 (the previous period): ABV 50 % (significantly lower), CAS 52 % (no real change).
    { day: '2025-02-10', site: 'ABV', ...answers({ yes: 50, no: 50 }) },
    { day: '2025-02-10', site: 'CAS', queue: 'billing', ...answers({ yes: 52, no: 48 }) },
    // Another template, same period.
    { day: '2025-03-04', site: 'ABV', template: 'other-survey', ...answers({ yes: 0, no: 40 }) },
  ]);
});

describe('the overview of every site side by side', () => {
  it('shows each visible site with invitations, responses, rates with their 95% interval and n', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports?${PERIOD}&lang=en`);
    expect(res.status).toBe(200);
    expect(columns(res.text)).toEqual(['Figure', 'Abbeville (ABV)', 'Casablanca (CAS)', 'Dreux (DRX)', 'All selected sites']);
    expect(rowCells(res.text, 'invited')[0]).toContain('240');
    // ABV: 80 of 100 (all templates: +40 "no" of other-survey → 80 of 140).
    const info = rowCells(res.text, 'information');
    expect(info[0]).toContain('57%');
    expect(info[0]).toContain('n = 140');
    expect(info[1]).toContain('50%');
    expect(info[1]).toMatch(/95% CI 40% to 60%/);
    expect(rowCells(res.text, 'callbacks')[0]).toContain('8%');
    expect(rowCells(res.text, 'csat')[1]).toContain('mean 2.50 / 5');
    expect(rowCells(res.text, 'nps')[1]).toMatch(/<span class="figure__value">14<\/span>/);
    expect(rowCells(res.text, 'ces')[1]).toContain('6.0');
    expect(rowCells(res.text, 'ces')[0]).toContain('not asked');
    expect(res.text).toContain('2025-03-01 to 2025-03-31, compared with 2025-01-29 to 2025-02-28');
  });

  it('greys figures with fewer than 30 answers and says "not enough answers"', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports?${PERIOD}&lang=en`);
    const info = rowCells(res.text, 'information');
    expect(info[2]).toContain('figure--thin');
    expect(info[2]).toContain('not enough answers');
    expect(info[2]).toContain('n = 10');
    expect(info[1]).not.toContain('not enough answers');
  });

  it('draws the information rate per site as a chart with a title and its data', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports?${PERIOD}&lang=en`);
    expect(res.text).toMatch(/<svg[^>]*role="img"/);
    expect(res.text).toContain('Information rate per site');
  });
});

describe('the change against the previous period', () => {
  it('shows an arrow with words only where the two-proportion test is significant', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports?${PERIOD}&template=post-call&lang=en`);
    const info = rowCells(res.text, 'information');
    // ABV: 80 % (80/100) against 50 % (50/100): p < 0.001.
    expect(info[0]).toContain('▲ +30 pts');
    expect(info[0]).toContain('Significant rise of 30 points against the previous period (p < 0.001)');
    // CAS: 50 % against 52 %: no arrow, no words.
    expect(info[1]).not.toContain('change--');
    // DRX: too few answers to test.
    expect(info[2]).not.toContain('change--');
  });
});

describe('filters in the URL', () => {
  it('defaults to the 30 days ending today, compared with the 30 days before, every visible site', async () => {
    const today = [localDate(new Date(), 'Europe/Paris'), localDate(new Date(), 'Africa/Casablanca')].sort().at(-1)!;
    await seedRollups([{ day: today, site: 'CAS', queue: 'billing', ...answers({ yes: 7, no: 0 }) }]);
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get('/reports?lang=en');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`value="${addDays(today, -29)}"`);
    expect(res.text).toContain(`value="${today}"`);
    expect(res.text).toContain(`compared with ${addDays(today, -59)} to ${addDays(today, -30)}`);
    expect(rowCells(res.text, 'information')[1]).toContain('n = 7');
  });

  it('keeps only the sites asked for, and the links keep the filters', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports?${PERIOD}&site=CAS&site=DRX&lang=en`);
    expect(columns(res.text)).toEqual(['Figure', 'Casablanca (CAS)', 'Dreux (DRX)', 'All selected sites']);
    expect(decoded(res.text)).toContain('href="/reports/sites?from=2025-03-01&to=2025-03-31&site=CAS&site=DRX"');
    expect(res.text).toMatch(/value="CAS" checked/);
    expect(res.text).not.toMatch(/value="ABV" checked/);
  });

  it('filters by queue and by template', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const byQueue = await agent.get(`/reports?${PERIOD}&queue=billing&site=ABV&lang=en`);
    expect(rowCells(byQueue.text, 'information')[0]).toContain('n = 40');
    expect(byQueue.text).toMatch(/<option value="billing" selected>/);
    const byTemplate = await agent.get(`/reports?${PERIOD}&template=post-call&site=ABV&lang=en`);
    expect(rowCells(byTemplate.text, 'information')[0]).toContain('n = 100');
  });

  it('answers a clear error for bad values, naming each', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const cases: [string, string][] = [
      ['from=2025-02-30', 'from is not a date of the calendar'],
      ['from=yesterday', 'from must be a date written YYYY-MM-DD'],
      ['from=2025-03-10&to=2025-03-01', 'from (2025-03-10) must be on or before to (2025-03-01)'],
      ['from=2020-01-01&to=2025-01-01', 'a period spans at most 1096 days'],
      ['site=abv!', 'is not a site code such as ABV'],
      ['site=ZZZ', 'there is no site ZZZ'],
      ['queue=nope', 'there is no queue nope'],
      ['template=nope', 'there is no survey template nope'],
      ['granularity=year', 'granularity must be day, week or month'],
    ];
    for (const [query, message] of cases) {
      const res = await agent.get(`/reports?${query}&lang=en`);
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
    }
    const json = await agent.get('/reports?from=2025-13-01').set('Accept', 'application/json');
    expect(json.body.error.code).toBe('INVALID_FILTERS');
    expect(json.body.error.details[0].field).toBe('from');
  });
});

describe('speed: reports read rollups, not responses', () => {
  async function scanned(): Promise<number> {
    const status = await mongoose.connection.db!.admin().command({ serverStatus: 1 });
    return status.metrics.queryExecutor.scannedObjects as number;
  }

  it('sums a period with one aggregation that reads only the selected sites’ buckets of that period', async () => {
    await DailyRollup.init();
    // A year of daily buckets for ABV and CAS, and responses that must never be read.
    const days = Array.from({ length: 366 }, (_, i) => addDays('2024-01-01', i));
    await seedRollups(days.flatMap((day) => ['ABV', 'CAS'].map((site) => ({ day, site, queue: 'speed', ...answers({ yes: 1, no: 1 }) }))));
    await seedResponses(Array.from({ length: 200 }, () => ({ site: 'ABV', day: '2024-06-03', gotInformation: true })));

    const before = await scanned();
    const rows = await sumRollups({ from: '2024-06-01', to: '2024-06-30' }, { sites: ['ABV'], queues: [], template: null }, ['site']);
    const read = (await scanned()) - before;
    expect(rows).toEqual([{ key: { site: 'ABV' }, counters: expect.objectContaining({ infoYes: 30, infoNo: 30 }) }]);
    // ABV's 30 coarse buckets of June, through the {site, day, level} index: not CAS's, not other months, no response.
    expect(read).toBe(30);

    // Split by agent: the 30 detailed buckets, the coarse ones left out by the index too.
    const split = await scanned();
    const byAgent = await sumRollups({ from: '2024-06-01', to: '2024-06-30' }, { sites: ['ABV'], queues: [], template: null }, ['agent']);
    expect((await scanned()) - split).toBe(30);
    expect(byAgent).toEqual([{ key: { agent: '' }, counters: expect.objectContaining({ infoYes: 30, infoNo: 30 }) }]);
  });
});
