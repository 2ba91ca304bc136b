/**
 * The demo generator without a database: the same seed gives the same demo, the world
 * it describes (sites, moves, agents), the comments corpus, and the banner's lines.
 */
import { DEMO_LOGINS, demoBannerLines, generateDemo, type DemoStatus } from '../../server/demo';
import { corpusSentences } from '../../server/demo/corpus';
import { buildPlan, monthsBefore } from '../../server/demo/plan';
import { seededRandom } from '../../server/demo/random';

const NOW = new Date('2026-03-10T14:20:00Z');

describe('generateDemo', () => {
  it('gives the same demo for the same seed, size and load time', () => {
    const a = generateDemo({ seed: 7, size: 0.2, now: NOW });
    const b = generateDemo({ seed: 7, size: 0.2, now: NOW });
    expect(b).toEqual(a);
    expect(a.calls.length).toBeGreaterThan(4000);
  });

  it('gives another demo for another seed', () => {
    const a = generateDemo({ seed: 7, size: 0.2, now: NOW });
    const b = generateDemo({ seed: 8, size: 0.2, now: NOW });
    expect(b.calls.length).not.toBe(a.calls.length);
    expect(b.customers.slice(0, 20)).not.toEqual(a.customers.slice(0, 20));
  });

  it('ends its six months of calls at the load time, so the demo always looks current', () => {
    const later = new Date(NOW.getTime() + 40 * 86_400_000);
    const { calls } = generateDemo({ size: 0.1, now: later });
    const first = calls[0]!.endedAt.getTime();
    const last = calls[calls.length - 1]!.endedAt.getTime();
    expect(last).toBeLessThanOrEqual(later.getTime());
    expect(later.getTime() - last).toBeLessThan(3 * 86_400_000);
    expect(first).toBeGreaterThanOrEqual(monthsBefore(later, 6).getTime());
  });

  it('refuses a size that is not a positive scale', () => {
    expect(() => generateDemo({ size: 0, now: NOW })).toThrow(RangeError);
    expect(() => generateDemo({ size: Number.NaN, now: NOW })).toThrow(RangeError);
  });
});

describe('the demo plan', () => {
  const plan = buildPlan(NOW);

  it('has Casablanca, Abbeville and Dreux with their zones and French as their language', () => {
    expect(plan.sites.map((s) => [s.code, s.timezone, s.locale])).toEqual([
      ['CAS', 'Africa/Casablanca', 'fr'],
      ['ABV', 'Europe/Paris', 'fr'],
      ['DRX', 'Europe/Paris', 'fr'],
    ]);
  });

  it('moves business support from Casablanca to Abbeville four months ago, and opens Dreux three months ago', () => {
    const business = plan.queues.find((q) => q.code === 'business-support')!;
    expect(business.history.map((a) => a.site)).toEqual(['CAS', 'ABV']);
    expect(business.history[1]!.from).toEqual(new Date('2025-11-09T23:00:00Z')); // 2025-11-10 00:00 in Paris
    const residential = plan.queues.find((q) => q.code === 'residential-support')!;
    expect(residential.history.map((a) => a.site)).toEqual(['ABV', 'DRX']);
    expect(residential.history[1]!.from).toEqual(new Date('2025-12-09T23:00:00Z'));
    expect(plan.queues.map((q) => q.code).sort()).toEqual(['billing', 'business-support', 'residential-support']);
  });

  it('has about 25 agents named like a.martin', () => {
    const logins = new Set(plan.agents.map((a) => a.login));
    expect(logins.size).toBe(25);
    for (const login of logins) expect(login).toMatch(/^[a-z]\.[a-z]+$/);
  });
});

describe('the comments corpus', () => {
  it('has at least 60 distinct French sentences and 15 English ones, none of them filler', () => {
    const { fr, en } = corpusSentences();
    expect(new Set(fr).size).toBeGreaterThanOrEqual(60);
    expect(new Set(en).size).toBeGreaterThanOrEqual(15);
    expect([...fr, ...en].join(' ')).not.toMatch(/lorem|ipsum|TODO|xxx/i);
    expect(fr).toContain("On ne m'a pas donné le délai de résiliation.");
    expect(fr).toContain('Conseiller très patient, merci.');
  });

  it('writes mostly French comments, some English, varied', () => {
    const { responses } = generateDemo({ size: 0.5, now: NOW });
    const texts = responses.map((r) => r.text).filter((t): t is string => t !== null);
    const english = texts.filter((t) => /\b(the|my|was|and)\b/i.test(t));
    expect(english.length).toBeGreaterThan(0);
    expect(english.length / texts.length).toBeLessThan(0.15);
    expect(new Set(texts).size).toBeGreaterThan(150);
  });
});

describe('seededRandom', () => {
  it('forks streams that depend only on the seed and the label', () => {
    const a = seededRandom(1).fork('calls');
    const b = seededRandom(1).fork('calls');
    expect([a.next(), a.next()]).toEqual([b.next(), b.next()]);
    expect(seededRandom(1).fork('other').next()).not.toBe(seededRandom(1).fork('calls').next());
  });
});

describe('demoBannerLines', () => {
  const status: DemoStatus = {
    changed: true,
    requested: true,
    state: 'loaded',
    seed: 1,
    size: 1,
    loadedAt: new Date('2026-03-10T14:20:31Z'),
    counts: { sites: 3, queues: 3, agents: 25, calls: 30112, invitations: 12000, responses: 3602 },
    ms: 12_345,
    logins: DEMO_LOGINS,
  };

  it('says what was loaded and prints both demo accounts with their passwords', () => {
    const text = demoBannerLines(status, 'http://localhost:3000').join('\n');
    expect(text).toContain('3 sites, 3 queues, 25 agents, 30,112 calls, 3,602 answers (loaded just now in 12.3 s)');
    expect(text).toContain('http://localhost:3000/login');
    for (const login of DEMO_LOGINS) expect(text).toMatch(new RegExp(`${login.email} +password ${login.password}`));
    expect(text).toContain('(sites ABV, DRX)');
  });

  it('says nothing changed when the demo asked for was already there', () => {
    const text = demoBannerLines({ ...status, changed: false, ms: null }, 'http://localhost:3000').join('\n');
    expect(text).toContain('already loaded on 2026-03-10 14:20 UTC: nothing changed');
    expect(demoBannerLines({ ...status, changed: false, requested: false }, 'http://x').join('\n')).toContain('(loaded on 2026-03-10 14:20 UTC)');
  });
});
