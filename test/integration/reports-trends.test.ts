/**
 * The Trends page (/reports/trends): weekly, daily and monthly series per site from the
 * rollups with their interval bands, relocation markers from the queues' histories, the
 * before/after panel of each relocation with its test in a sentence, and scoping (a
 * relocation from a site the reader may not see shows only the visible side).
 */
import request from 'supertest';
import { relocateQueue } from '../../server/queues';
import { wilson } from '../../server/reports/stats';
import { addDays, localDate } from '../../server/time/local-time';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { answers, decoded, seedReportWorld, seedRollups, times } from '../helpers/reports';
import { loginAs } from '../helpers/staff';
import { parseXml, svgTexts } from '../helpers/svg';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();

/** Weeks 9 to 11 of 2025 (Monday 24 February to Sunday 16 March). */
const PERIOD = 'from=2025-02-24&to=2025-03-16';

/** Billing moves from Casablanca to Abbeville on Monday 3 March 2025 (midnight in Paris). */
const BILLING_MOVE = new Date('2025-03-02T23:00:00Z');
/** Business support moves from Abbeville to Dreux on Wednesday 12 March 2025. */
const SUPPORT_MOVE = new Date('2025-03-11T23:00:00Z');

beforeAll(async () => {
  await seedReportWorld();
  await relocateQueue('billing', 'ABV', BILLING_MOVE, { type: 'system' }, 'Customers asked for French speakers');
  await relocateQueue('business-support', 'DRX', SUPPORT_MOVE, { type: 'system' });
  const csatBefore = [...times(25, 5), ...times(25, 2)];
  const csatAfter = [...times(28, 4), ...times(22, 1)];
  await seedRollups([
    // Billing at Casablanca before the move: 60 % informed (60 of 100 over 8 weeks), CSAT 50 %.
    { day: '2025-02-10', site: 'CAS', queue: 'billing', ...answers({ yes: 30, no: 20, csat: csatBefore }) },
    { day: '2025-02-24', site: 'CAS', queue: 'billing', ...answers({ yes: 30, no: 20, csat: csatBefore, invited: 100 }) },
    // Billing at Abbeville after it: 90 % informed (90 of 100), CSAT 56 %.
    { day: '2025-03-03', site: 'ABV', queue: 'billing', ...answers({ yes: 45, no: 5, csat: csatAfter, invited: 80 }) },
    { day: '2025-03-10', site: 'ABV', queue: 'billing', ...answers({ yes: 45, no: 5, csat: csatAfter }) },
    // Business support at Abbeville, then 15 answers only at Dreux.
    { day: '2025-02-25', site: 'ABV', ...answers({ yes: 20, no: 20 }) },
    { day: '2025-03-04', site: 'ABV', ...answers({ yes: 20, no: 20 }) },
    { day: '2025-03-13', site: 'DRX', ...answers({ yes: 10, no: 5 }) },
  ]);
});

/** The rows of the data table of the chart whose heading id is `metric`. */
function chartRows(html: string, metric: string): string[][] {
  const section = new RegExp(`<section class="report-section" aria-labelledby="trend-${metric}">([\\s\\S]*?)</section>`).exec(decoded(html))?.[1];
  if (!section) throw new Error(`no ${metric} chart`);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(section)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1]!.trim()));
}

/** The SVG of the chart of `metric`, parsed (it must be well-formed). */
function chartSvg(html: string, metric: string) {
  const section = new RegExp(`aria-labelledby="trend-${metric}">([\\s\\S]*?)</section>`).exec(html)?.[1] ?? '';
  return parseXml(/<svg[\s\S]*<\/svg>/.exec(section)?.[0] ?? '');
}

/** The text of the relocation panel whose title contains `queue`, tags removed. */
function panel(html: string, queue: string): string {
  const articles = [...html.matchAll(/<article class="relocation"[\s\S]*?<\/article>/g)].map((m) => decoded(m[0].replace(/<[^>]+>/g, ' ')));
  const found = articles.find((a) => a.includes(`${queue}:`) || a.includes(`${queue} :`));
  if (!found) throw new Error(`no panel for ${queue}`);
  return found.replace(/\s+/g, ' ');
}

/** The links to relocations outside the period: their text (tags removed) and where they go. */
function elsewhere(html: string): { text: string; href: string }[] {
  const list = /<ul class="relocation-links"[^>]*>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...list.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => ({
    text: decoded(m[1]!.replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim(),
    href: decoded(/href="([^"]+)"/.exec(m[1]!)?.[1] ?? ''),
  }));
}

const percent = (x: number) => `${Math.round(x * 100)}%`;
const interval = (x: number, n: number) => {
  const i = wilson(x, n)!;
  return `${percent(i.low)} – ${percent(i.high)}`;
};

describe('series per site', () => {
  it('draws the information rate, CSAT and response rate week by week with their interval bands', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/trends?${PERIOD}&lang=en`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Information rate per site, week by week');
    expect(res.text).toContain('CSAT per site, week by week');
    expect(res.text).toContain('Response rate per site, week by week');
    const rows = chartRows(res.text, 'information');
    // ABV: week 9 business support 20/40; week 10 billing 45/50 + support 20/40; week 11 billing 45/50.
    expect(rows).toContainEqual(['2025-W09', 'Abbeville (ABV)', '50%', interval(20, 40), '40']);
    expect(rows).toContainEqual(['2025-W10', 'Abbeville (ABV)', '72%', interval(65, 90), '90']);
    expect(rows).toContainEqual(['2025-W11', 'Abbeville (ABV)', '90%', interval(45, 50), '50']);
    expect(rows).toContainEqual(['2025-W09', 'Casablanca (CAS)', '60%', interval(30, 50), '50']);
    expect(rows).toContainEqual(['2025-W10', 'Casablanca (CAS)', '—', '—', '0']);
    expect(rows).toContainEqual(['2025-W11', 'Dreux (DRX)', '67%', interval(10, 15), '15']);
    expect(rows).toHaveLength(9);
    expect(chartRows(res.text, 'csat')).toContainEqual(['2025-W10', 'Abbeville (ABV)', '56%', interval(28, 50), '50']);
    expect(chartRows(res.text, 'responseRate')).toContainEqual(['2025-W09', 'Casablanca (CAS)', '50%', interval(50, 100), '100']);
    // The bands: one translucent area per site, drawn in the SVG.
    const svg = chartSvg(res.text, 'information');
    expect(svg.attrs.role).toBe('img');
    expect(res.text.match(/<path[^>]*fill-opacity="0.15"|<path[^>]*opacity="0.15"/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it('switches to days and to months', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const daily = await agent.get(`/reports/trends?${PERIOD}&granularity=day&lang=en`);
    expect(daily.text).toContain('Information rate per site, day by day');
    const days = chartRows(daily.text, 'information');
    expect(days).toContainEqual(['2025-03-03', 'Abbeville (ABV)', '90%', interval(45, 50), '50']);
    expect(days).toContainEqual(['2025-03-04', 'Abbeville (ABV)', '50%', interval(20, 40), '40']);
    // 21 days × 3 sites, empty days included.
    expect(days).toHaveLength(63);
    expect(daily.text).toMatch(/<option value="day" selected>/);

    const monthly = await agent.get(`/reports/trends?from=2025-02-01&to=2025-03-31&granularity=month&lang=en`);
    const months = chartRows(monthly.text, 'information');
    expect(months).toContainEqual(['2025-02', 'Casablanca (CAS)', '60%', interval(60, 100), '100']);
    // March at Abbeville: billing 90 of 100 and business support 20 of 40.
    expect(months).toContainEqual(['2025-03', 'Abbeville (ABV)', '79%', interval(110, 140), '140']);
    expect(months).toContainEqual(['2025-02', 'Abbeville (ABV)', '50%', interval(20, 40), '40']);
  });

  it('keeps to the queues asked for', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/trends?${PERIOD}&queue=billing&lang=en`);
    const rows = chartRows(res.text, 'information');
    expect(rows).toContainEqual(['2025-W10', 'Abbeville (ABV)', '90%', interval(45, 50), '50']);
    expect(rows.some((r) => r[1] === 'Dreux (DRX)')).toBe(false);
    expect(res.text).toContain('Billing: Casablanca (CAS) → Abbeville (ABV)');
    expect(res.text).not.toContain('Business support: Abbeville (ABV) → Dreux (DRX)');
  });

  it('shows the last 12 weeks when no date is given, and says so', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get('/reports/trends?lang=en');
    const today = [localDate(new Date(), 'Europe/Paris'), localDate(new Date(), 'Africa/Casablanca')].sort().at(-1)!;
    expect(res.text).toContain(`${addDays(today, -83)} to ${today}`);
    expect(res.text).toContain('Without dates, the last 12 weeks are shown.');
  });
});

describe('relocation markers and before/after panels', () => {
  it('marks each relocation of the period on every chart', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/trends?${PERIOD}&lang=en`);
    for (const metric of ['information', 'csat', 'responseRate']) {
      const texts = svgTexts(chartSvg(res.text, metric));
      expect(texts).toContain('Billing → ABV');
      expect(texts).toContain('Business support → DRX');
    }
    expect(decoded(res.text)).toContain('Dashed lines mark the relocations: Billing → ABV (2025-03-03), Business support → DRX (2025-03-12).');
  });

  it('compares the same queue 8 weeks before and after, in figures and in a plain sentence', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/trends?${PERIOD}&lang=en`);
    const billing = panel(res.text, 'Billing');
    expect(billing).toContain('Before, at Casablanca (CAS) 2025-01-06 to 2025-03-02');
    expect(billing).toMatch(/After, at Abbeville \(ABV\) 2025-03-03 to 2025-04-27/);
    expect(billing).toContain('Note: Customers asked for French speakers');
    expect(billing).toContain('After the move to Abbeville the information rate rose 30 points (p < 0.001).');
    expect(billing).toMatch(/After the move to Abbeville: no significant change in the CSAT \(share answering 4 or 5\) \(p = 0\.\d+\)\./);
    expect(billing).toMatch(/Information rate 60% 95% CI \d+% to \d+% n = 100 90% 95% CI \d+% to \d+% n = 100/);
    // Too few answers after the move to Dreux: nothing is tested.
    const support = panel(res.text, 'Business support');
    expect(support).toContain('Information rate: not enough answers to compare (fewer than 30 on one side).');
    expect(support).toContain('not enough answers');
    expect(support).not.toMatch(/rose|fell|no significant change/);
  });

  it('takes the number of weeks from the URL and refuses a bad one', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/trends?${PERIOD}&weeks=1&lang=en`);
    const billing = panel(res.text, 'Billing');
    expect(billing).toContain('2025-02-24 to 2025-03-02');
    expect(billing).toContain('2025-03-03 to 2025-03-09');
    expect(billing).toContain('After the move to Abbeville the information rate rose 30 points (p < 0.001).');
    expect(res.text).toMatch(/<input id="tr-weeks" name="weeks" type="number"[^>]*value="1"/);
    // The filter form keeps the weeks, the weeks form keeps the filters.
    expect(res.text).toContain('<input type="hidden" name="weeks" value="1">');
    expect(res.text).toContain('<input type="hidden" name="from" value="2025-02-24">');
    for (const bad of ['0', '53', 'two', '1.5']) {
      const refused = await agent.get(`/reports/trends?${PERIOD}&weeks=${bad}&lang=en`);
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('weeks must be a whole number from 1 to 52');
    }
  });

  it('writes the sentences in French', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/trends?${PERIOD}&lang=fr`);
    const billing = panel(res.text, 'Billing').replace(/\s/g, ' ');
    expect(billing).toContain('Après le passage à Abbeville, le taux d’information a augmenté de 30 points (p < 0,001).');
  });

  it('says when no queue moved in the period, and links to the latest moves outside it', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get('/reports/trends?from=2025-04-01&to=2025-04-30&granularity=day&lang=en');
    expect(res.status).toBe(200);
    expect(res.text).toContain('No queue was moved in this period.');
    expect(res.text).toContain('No answers for these filters in this period.');
    const links = elsewhere(res.text);
    // Newest first; each link shows the days its panel compares, the other filters kept.
    expect(links.map((l) => l.text)).toEqual([
      'Business support: Abbeville (ABV) → Dreux (DRX). Moved on Wednesday, March 12, 2025 at 12:00 AM. Show the 8 weeks before and after',
      'Billing: Casablanca (CAS) → Abbeville (ABV). Moved on Monday, March 3, 2025 at 12:00 AM. Show the 8 weeks before and after',
    ]);
    expect(links[1]?.href).toBe('/reports/trends?from=2025-01-06&to=2025-04-27&granularity=day#relocations');
    const followed = await agent.get(`${links[1]!.href.replace('#relocations', '')}&lang=en`);
    expect(panel(followed.text, 'Billing')).toContain('After the move to Abbeville the information rate rose 30 points (p < 0.001).');
    // A period that shows every move links to none; the weeks asked for are kept in the links.
    expect(elsewhere((await agent.get(`/reports/trends?${PERIOD}&lang=en`)).text)).toEqual([]);
    const weeks = elsewhere((await agent.get('/reports/trends?from=2025-03-05&to=2025-03-31&weeks=2&lang=fr')).text);
    expect(weeks).toEqual([
      {
        text: 'Billing : Casablanca (CAS) → Abbeville (ABV). Changement de site le lundi 3 mars 2025 à 00:00. Voir les 2 semaines avant et après',
        href: '/reports/trends?from=2025-02-17&to=2025-03-16&weeks=2#relocations',
      },
    ]);
  });

  it('links only to moves of the queues asked for', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get('/reports/trends?from=2025-04-01&to=2025-04-30&queue=billing&lang=en');
    expect(elsewhere(res.text).map((l) => l.href)).toEqual(['/reports/trends?from=2025-01-06&to=2025-04-27&queue=billing#relocations']);
  });
});

describe('scoping and access', () => {
  it('shows a quality lead only their sites, and only the visible side of a relocation', async () => {
    const { agent } = await loginAs(app, { role: 'quality', sites: ['ABV'] });
    const res = await agent.get(`/reports/trends?${PERIOD}&lang=en`);
    expect(res.status).toBe(200);
    const rows = chartRows(res.text, 'information');
    expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(['Abbeville (ABV)']));
    const billing = panel(res.text, 'Billing');
    expect(billing).toContain('The figures of Casablanca (CAS) are not shown: it is not one of your sites.');
    expect(billing).toMatch(/Information rate not shown 90%/);
    // Casablanca's 60 % is never given away, not even as a difference.
    expect(billing).not.toMatch(/60%|rose|fell|no significant change/);
    const support = panel(res.text, 'Business support');
    expect(support).toContain('The figures of Dreux (DRX) are not shown');
    expect(decoded(res.text)).not.toContain('Dreux (DRX)</th>');
  });

  it("links a quality lead only to moves to or from their sites", async () => {
    const { agent } = await loginAs(app, { role: 'quality', sites: ['DRX'] });
    const res = await agent.get('/reports/trends?from=2025-04-01&to=2025-04-30&lang=en');
    expect(elsewhere(res.text).map((l) => l.text.split('.')[0])).toEqual(['Business support: Abbeville (ABV) → Dreux (DRX)']);
  });

  it('refuses a site the quality lead may not see, and sends visitors to sign in', async () => {
    const { agent } = await loginAs(app, { role: 'quality', sites: ['ABV'] });
    const forbidden = await agent.get(`/reports/trends?${PERIOD}&site=CAS&lang=en`);
    expect(forbidden.status).toBe(403);
    const visitor = await request(app).get('/reports/trends');
    expect([302, 303]).toContain(visitor.status);
    expect(visitor.headers.location).toMatch(/^\/login/);
  });

  it('works without JavaScript: no scripts, no inline styles, the weeks form is a GET form', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/trends?${PERIOD}&lang=en`);
    expect(res.text).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    expect(res.text).toContain('<form class="weeks-form" method="get" action="/reports/trends#relocations">');
    expect(res.text).toContain('<details class="chart__data">');
  });
});
