/**
 * Sites compared (/reports/sites): each pair of sites on the information rate and CSAT,
 * the two-proportion test Holm-corrected across the pairs, stated in plain sentences;
 * pairs with a side under 30 answers say "not enough answers" and are not tested.
 */
import { useTestDatabase } from '../helpers/database';
import { createTestApp } from '../helpers/app';
import { answers, decoded, seedReportWorld, seedRollups, times } from '../helpers/reports';
import { loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();
const PERIOD = 'from=2025-05-01&to=2025-05-31';

/** The sentences of the section `id` ('information' or 'csat'), as read. */
function sentences(html: string, id: string): string[] {
  const section = new RegExp(`<section class="report-section" aria-labelledby="cmp-${id}">([\\s\\S]*?)</section>`).exec(decoded(html))?.[1] ?? '';
  const list = /<ul class="report-sentences">([\s\S]*?)<\/ul>/.exec(section)?.[1] ?? '';
  return [...list.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map((m) => m[1]!.trim());
}

beforeAll(async () => {
  await seedReportWorld();
  await seedRollups([
    // Information: 80 %, 70 %, 75 % of 200 each. Only ABV–CAS differs at 5 % before correction (p ≈ 0.021).
    { day: '2025-05-02', site: 'ABV', ...answers({ yes: 160, no: 40, csat: [...times(180, 5), ...times(20, 1)] }) },
    { day: '2025-05-03', site: 'CAS', queue: 'billing', ...answers({ yes: 140, no: 60, csat: [...times(140, 4), ...times(60, 2)] }) },
    { day: '2025-05-04', site: 'DRX', ...answers({ yes: 150, no: 50, csat: times(20, 5) }) },
  ]);
});

describe('pairs of sites in plain sentences', () => {
  it('says a difference only when it stays significant after the Holm correction', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/sites?${PERIOD}&lang=en`);
    expect(res.status).toBe(200);
    // p ≈ 0.0209 × 3 pairs = 0.063: not significant once corrected.
    expect(sentences(res.text, 'information')).toEqual([
      'No significant difference between Abbeville and Casablanca (p = 0.063).',
      'No significant difference between Abbeville and Dreux (p = 0.46).',
      'No significant difference between Casablanca and Dreux (p = 0.46).',
    ]);
  });

  it('with two sites only, the same difference is one test and is stated with its size', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/sites?${PERIOD}&site=ABV&site=CAS&lang=en`);
    expect(sentences(res.text, 'information')).toEqual(['Abbeville is 10 points above Casablanca (p = 0.021).']);
  });

  it('names the higher site first and bounds tiny p-values', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/sites?${PERIOD}&site=CAS&site=ABV&lang=en`);
    // CSAT 4-5: ABV 90 %, CAS 70 %.
    expect(sentences(res.text, 'csat')).toEqual(['Abbeville is 20 points above Casablanca (p < 0.001).']);
  });

  it('does not test pairs where a side has fewer than 30 answers, and greys them', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/sites?${PERIOD}&lang=en`);
    const csat = sentences(res.text, 'csat');
    expect(csat[0]).toBe('Abbeville is 20 points above Casablanca (p < 0.001).');
    expect(csat.slice(1)).toEqual([
      'Abbeville and Dreux: not enough answers to compare (DRX has fewer than 30).',
      'Casablanca and Dreux: not enough answers to compare (DRX has fewer than 30).',
    ]);
    expect(decoded(res.text)).toMatch(/<li class="report-sentence figure--thin">Abbeville and Dreux/);
    // Beside the sentences, the figures compared, DRX greyed.
    expect(decoded(res.text)).toContain('<caption>CSAT (share answering 4 or 5) · The figures compared</caption>');
  });

  it('writes the sentences in French for a French reader', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/sites?${PERIOD}&site=ABV&site=CAS&lang=fr`);
    expect(sentences(res.text, 'information')).toEqual(['Abbeville est 10 points au-dessus de Casablanca (p = 0,021).']);
  });

  it('asks for two sites when only one is selected', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/sites?${PERIOD}&site=ABV&lang=en`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Select two sites or more to compare them.');
  });
});
