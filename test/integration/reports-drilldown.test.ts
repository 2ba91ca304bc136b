/**
 * The drill-down (/reports/drilldown): figures by queue, agent or call reason, sorted by
 * the column named in the URL through header links (no JavaScript), rows with fewer than
 * 30 answers listed apart and never ranked, bad options refused with a clear message.
 */
import { useTestDatabase } from '../helpers/database';
import { createTestApp } from '../helpers/app';
import { answers, decoded, seedReportWorld, seedRollups, times } from '../helpers/reports';
import { loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();
const PERIOD = 'from=2025-06-01&to=2025-06-30';

/** The first cell (rank) and row header of each row of the table `id`. */
function rows(html: string, id: string): string[][] {
  const table = new RegExp(`<table[^>]*id="${id}">([\\s\\S]*?)</table>`).exec(decoded(html))?.[1] ?? '';
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) =>
    [...m[1]!.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()),
  );
}

const labels = (html: string, id: string) => rows(html, id).map((r) => (id === 'ranked' ? r[1] : r[0]));

beforeAll(async () => {
  await seedReportWorld();
  await seedRollups([
    { day: '2025-06-02', site: 'ABV', agent: 'a.martin', reason: 'billing', ...answers({ yes: 30, no: 10, csat: times(40, 5) }) },
    { day: '2025-06-03', site: 'ABV', agent: 'b.durand', reason: 'billing', ...answers({ yes: 45, no: 5, csat: times(50, 3), invited: 200 }) },
    { day: '2025-06-04', site: 'ABV', agent: 'c.roux', reason: 'move', ...answers({ yes: 9, no: 1 }) },
    { day: '2025-06-05', site: 'CAS', queue: 'billing', agent: 'd.alami', ...answers({ yes: 20, no: 20 }) },
  ]);
});

describe('the drill-down by agent', () => {
  it('ranks agents with enough answers, best information rate first, and lists the others apart', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/drilldown?${PERIOD}&by=agent&lang=en`);
    expect(res.status).toBe(200);
    expect(rows(res.text, 'ranked').map((r) => [r[0], r[1]])).toEqual([
      ['1', 'b.durand'],
      ['2', 'a.martin'],
      ['3', 'd.alami'],
    ]);
    expect(rows(res.text, 'ranked')[0]).toEqual(expect.arrayContaining(['50', expect.stringContaining('90%')]));
    expect(labels(res.text, 'thin')).toEqual(['c.roux']);
    expect(res.text).toContain('Not enough answers to rank (fewer than 30)');
    // Not ranked: the thin table has no rank column.
    expect(rows(res.text, 'thin')[0]![0]).toBe('c.roux');
    expect(rows(res.text, 'thin')[0]!.join(' ')).toContain('not enough answers');
  });

  it('sorts by the column of a header link, and the current column flips direction', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/drilldown?${PERIOD}&by=agent&lang=en`);
    const page = decoded(res.text);
    expect(page).toMatch(/<th scope="col" aria-sort="descending"><a href="\/reports\/drilldown\?from=2025-06-01&to=2025-06-30&by=agent&sort=information&dir=asc"/);
    expect(page).toContain('href="/reports/drilldown?from=2025-06-01&to=2025-06-30&by=agent&sort=key&dir=asc"');
    const ascending = await agent.get(`/reports/drilldown?${PERIOD}&by=agent&sort=information&dir=asc&lang=en`);
    expect(labels(ascending.text, 'ranked')).toEqual(['d.alami', 'a.martin', 'b.durand']);
    expect(ascending.text).toContain('aria-sort="ascending"');
    const byName = await agent.get(`/reports/drilldown?${PERIOD}&by=agent&sort=key&lang=en`);
    expect(labels(byName.text, 'ranked')).toEqual(['a.martin', 'b.durand', 'd.alami']);
    const byCsat = await agent.get(`/reports/drilldown?${PERIOD}&by=agent&sort=csat&lang=en`);
    // d.alami has no CSAT answers: last whatever the direction.
    expect(labels(byCsat.text, 'ranked')).toEqual(['a.martin', 'b.durand', 'd.alami']);
    const byResponseRate = await agent.get(`/reports/drilldown?${PERIOD}&by=agent&sort=responseRate&dir=asc&lang=en`);
    expect(labels(byResponseRate.text, 'ranked')).toEqual(['b.durand', 'a.martin', 'd.alami']);
  });

  it('keeps the dimension and the sort in the filter form', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = decoded((await agent.get(`/reports/drilldown?${PERIOD}&by=agent&sort=key&lang=en`)).text);
    expect(res).toContain('<input type="hidden" name="by" value="agent">');
    expect(res).toContain('<input type="hidden" name="sort" value="key">');
  });
});

describe('the drill-down by queue and by reason', () => {
  it('shows queues by name, by default', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/drilldown?${PERIOD}&lang=en`);
    expect(labels(res.text, 'ranked')).toEqual(['Business support', 'Billing']);
    expect(res.text).toMatch(/aria-current="page">Queue</);
  });

  it('shows call reasons, calls without one as "(none)"', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/drilldown?${PERIOD}&by=reason&sort=key&lang=en`);
    expect(labels(res.text, 'ranked')).toEqual(['(none)', 'billing']);
    expect(labels(res.text, 'thin')).toEqual(['move']);
  });

  it('refuses unknown options with a message naming them', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/drilldown?${PERIOD}&by=site&sort=rank&dir=up&lang=en`);
    expect(res.status).toBe(422);
    expect(res.text).toContain('by must be queue, agent or reason');
    expect(res.text).toContain('sort must be one of key, responses, responseRate, information, csat, callbacks');
    expect(res.text).toContain('dir must be asc or desc');
  });
});
