/**
 * The eligibility rules as pure functions: quiet hours in the site's time zone (including
 * the March and October DST changes in Europe/Paris and Morocco's Ramadan changes in
 * Africa/Casablanca), quarantine, sampling, balanced sampling and the order of the checks.
 */
import { decideEligibility, type EligibilityInput, type EligibilitySettings } from '../../server/calls/eligibility';
import { addLocalDays, isoWeek, nextAllowedTime } from '../../server/time/local-time';

const DAY = 86_400_000;
const PARIS = 'Europe/Paris';
const CASABLANCA = 'Africa/Casablanca';
const NIGHT = { start: '20:00', end: '09:00' };

const SETTINGS: EligibilitySettings = {
  delayMinutes: 30,
  samplingRate: 1,
  quarantineDays: 30,
  quietHours: NIGHT,
  expiryDays: 7,
  reminderDays: 3,
  minPerAgentPerWeek: 0,
};

type Overrides = Partial<Omit<EligibilityInput, 'settings'>> & { settings?: Partial<EligibilitySettings> };

function input(overrides: Overrides = {}): EligibilityInput {
  const endedAt = overrides.endedAt ?? new Date('2026-11-20T14:03:00Z');
  return {
    endedAt,
    agent: 'a.martin',
    timeZone: PARIS,
    now: new Date(endedAt.getTime() + 60_000),
    customerSurveys: [],
    agentSurveysThisWeek: 0,
    suppression: null,
    random: () => 0.5,
    ...overrides,
    settings: { ...SETTINGS, ...overrides.settings },
  };
}

/** A small seeded generator (mulberry32), so sampling runs are reproducible. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (d: Date | null | undefined) => d?.toISOString();

describe('delay and expiry', () => {
  it('schedules the email delayMinutes after the call, with expiry and one reminder in local days', () => {
    const d = decideEligibility(input());
    expect(d.outcome).toBe('scheduled');
    if (d.outcome !== 'scheduled') return;
    expect(iso(d.sendAt)).toBe('2026-11-20T14:33:00.000Z');
    expect(iso(d.expiresAt)).toBe('2026-11-27T14:33:00.000Z');
    expect(iso(d.reminderAt)).toBe('2026-11-23T14:33:00.000Z');
    expect(d.code).toBe('SCHEDULED');
    expect(d.reason).toBe('scheduled: sent at 2026-11-20 15:33 Europe/Paris');
  });

  it('sends right away when the delay has already passed, and sets no reminder when reminderDays is 0', () => {
    const endedAt = new Date('2026-11-20T10:00:00Z');
    const d = decideEligibility(input({ endedAt, now: new Date('2026-11-20T13:00:00Z'), settings: { reminderDays: 0 } }));
    expect(d.outcome === 'scheduled' && [iso(d.sendAt), d.reminderAt]).toEqual(['2026-11-20T13:00:00.000Z', null]);
  });

  it('keeps the reminder at the same local time across the October change (72 + 1 hours later)', () => {
    const d = decideEligibility(input({ endedAt: new Date('2026-10-23T06:30:00Z') }));
    expect(d.outcome === 'scheduled' && [iso(d.sendAt), iso(d.reminderAt)]).toEqual(['2026-10-23T07:00:00.000Z', '2026-10-26T08:00:00.000Z']);
  });

  it('samples out a call that ended longer ago than the link would live', () => {
    const endedAt = new Date('2026-11-01T10:00:00Z');
    const d = decideEligibility(input({ endedAt, now: new Date(endedAt.getTime() + 8 * DAY) }));
    expect([d.outcome, d.code, d.reason]).toEqual(['sampled_out', 'TOO_OLD', 'sampled out: the call ended more than 7 days ago']);
  });
});

describe('quiet hours in the site time zone', () => {
  it('moves an evening call to 09:00 the next morning, and says so', () => {
    // 21:00 in Paris (UTC+1): +30 min is 21:30, inside 20:00-09:00.
    const d = decideEligibility(input({ endedAt: new Date('2026-11-20T20:00:00Z') }));
    expect(d.outcome).toBe('scheduled');
    if (d.outcome !== 'scheduled') return;
    expect(iso(d.sendAt)).toBe('2026-11-21T08:00:00.000Z');
    expect(iso(d.shiftedFrom)).toBe('2026-11-20T20:30:00.000Z');
    expect(d.code).toBe('QUIET_HOURS');
    expect(d.reason).toBe('outside hours → sent at 2026-11-21 09:00 Europe/Paris');
  });

  it('moves an early-morning call to 09:00 the same day', () => {
    expect(iso(nextAllowedTime(new Date('2026-11-20T05:00:00Z'), NIGHT, PARIS))).toBe('2026-11-20T08:00:00.000Z');
  });

  it('treats the start as quiet and the end as allowed', () => {
    expect(iso(nextAllowedTime(new Date('2026-11-20T19:00:00Z'), NIGHT, PARIS))).toBe('2026-11-21T08:00:00.000Z');
    expect(iso(nextAllowedTime(new Date('2026-11-20T18:59:00Z'), NIGHT, PARIS))).toBe('2026-11-20T18:59:00.000Z');
    expect(iso(nextAllowedTime(new Date('2026-11-20T08:00:00Z'), NIGHT, PARIS))).toBe('2026-11-20T08:00:00.000Z');
    expect(iso(nextAllowedTime(new Date('2026-11-20T07:59:30Z'), NIGHT, PARIS))).toBe('2026-11-20T08:00:00.000Z');
  });

  it('handles a quiet period that does not cross midnight', () => {
    const lunch = { start: '12:00', end: '14:00' };
    expect(iso(nextAllowedTime(new Date('2026-11-20T11:30:00Z'), lunch, PARIS))).toBe('2026-11-20T13:00:00.000Z');
    expect(iso(nextAllowedTime(new Date('2026-11-20T13:30:00Z'), lunch, PARIS))).toBe('2026-11-20T13:30:00.000Z');
  });

  it('sends at once when the queue has no quiet hours', () => {
    const d = decideEligibility(input({ endedAt: new Date('2026-11-20T23:00:00Z'), settings: { quietHours: null } }));
    expect(d.outcome === 'scheduled' && [iso(d.sendAt), d.code]).toEqual(['2026-11-20T23:30:00.000Z', 'SCHEDULED']);
  });

  it('uses the summer offset for the morning after the March change in Paris', () => {
    // Saturday 28 March 22:00 (UTC+1); clocks jump 02:00 → 03:00 on Sunday; 09:00 is then UTC+2.
    expect(iso(nextAllowedTime(new Date('2026-03-28T21:00:00Z'), NIGHT, PARIS))).toBe('2026-03-29T07:00:00.000Z');
  });

  it('uses the winter offset for the morning after the October change in Paris', () => {
    // Saturday 24 October 23:00 (UTC+2); clocks go back 03:00 → 02:00; 09:00 is then UTC+1.
    expect(iso(nextAllowedTime(new Date('2026-10-24T21:00:00Z'), NIGHT, PARIS))).toBe('2026-10-25T08:00:00.000Z');
  });

  it('moves an end time skipped by the March change forward by the gap', () => {
    const late = { start: '22:00', end: '02:30' };
    expect(iso(nextAllowedTime(new Date('2026-03-28T22:00:00Z'), late, PARIS))).toBe('2026-03-29T01:30:00.000Z');
  });

  it('takes the first of the two 02:30s on the night of the October change', () => {
    const late = { start: '22:00', end: '02:30' };
    expect(iso(nextAllowedTime(new Date('2026-10-24T21:00:00Z'), late, PARIS))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('follows Casablanca into Ramadan time (UTC+1 → UTC+0 on 15 February 2026)', () => {
    // 22:00 on the 14th is 21:00Z; 09:00 on the 15th is already UTC+0.
    expect(iso(nextAllowedTime(new Date('2026-02-14T21:00:00Z'), NIGHT, CASABLANCA))).toBe('2026-02-15T09:00:00.000Z');
  });

  it('follows Casablanca out of Ramadan time (UTC+0 → UTC+1 on 22 March 2026), gap included', () => {
    expect(iso(nextAllowedTime(new Date('2026-03-21T21:00:00Z'), NIGHT, CASABLANCA))).toBe('2026-03-22T08:00:00.000Z');
    // 02:30 does not exist that night in Casablanca: 03:30 (UTC+1).
    expect(iso(nextAllowedTime(new Date('2026-03-21T23:00:00Z'), { start: '22:00', end: '02:30' }, CASABLANCA))).toBe('2026-03-22T02:30:00.000Z');
  });

  it('adds calendar days at the same local time across the March change (71 hours later)', () => {
    expect(iso(addLocalDays(new Date('2026-03-27T08:00:00Z'), 3, PARIS))).toBe('2026-03-30T07:00:00.000Z');
  });
});

describe('quarantine', () => {
  it('quarantines a customer surveyed within quarantineDays, naming until when and why', () => {
    const d = decideEligibility(input({ customerSurveys: [new Date('2026-11-10T09:00:00Z')] }));
    expect(d.outcome).toBe('quarantined');
    if (d.outcome !== 'quarantined') return;
    expect(iso(d.until)).toBe('2026-12-10T09:00:00.000Z');
    expect(d.reason).toBe('quarantined until 2026-12-10 (surveyed on 2026-11-10)');
  });

  it('surveys again once quarantineDays have passed', () => {
    const d = decideEligibility(input({ customerSurveys: [new Date('2026-10-20T14:00:00Z')] }));
    expect(d.outcome).toBe('scheduled');
  });

  it('also counts a survey planned after this call (calls imported out of order)', () => {
    const d = decideEligibility(input({ customerSurveys: [new Date('2026-11-25T09:00:00Z')] }));
    expect(d.outcome).toBe('quarantined');
  });

  it('never quarantines when quarantineDays is 0', () => {
    const d = decideEligibility(input({ settings: { quarantineDays: 0 }, customerSurveys: [new Date('2026-11-20T10:00:00Z')] }));
    expect(d.outcome).toBe('scheduled');
  });
});

describe('sampling', () => {
  it('takes a call when the draw is under the rate and leaves it otherwise', () => {
    expect(decideEligibility(input({ settings: { samplingRate: 0.25 }, random: () => 0.2 })).outcome).toBe('scheduled');
    const out = decideEligibility(input({ settings: { samplingRate: 0.25 }, random: () => 0.25 }));
    expect([out.outcome, out.reason]).toEqual(['sampled_out', 'sampled out (sampling rate 25%)']);
  });

  it('takes every call at rate 1 and none at rate 0', () => {
    expect(decideEligibility(input({ settings: { samplingRate: 1 }, random: () => 0.999999 })).outcome).toBe('scheduled');
    expect(decideEligibility(input({ settings: { samplingRate: 0 }, random: () => 0 })).outcome).toBe('sampled_out');
  });

  it('gives the same decisions for the same random source, and about the rate overall', () => {
    const run = () => {
      const random = seeded(42);
      return Array.from({ length: 10_000 }, () => decideEligibility(input({ settings: { samplingRate: 0.2 }, random })).outcome);
    };
    const first = run();
    expect(run()).toEqual(first);
    const taken = first.filter((o) => o === 'scheduled').length;
    expect(taken).toBeGreaterThan(1_850);
    expect(taken).toBeLessThan(2_150);
  });
});

describe('balanced sampling', () => {
  const balanced = { samplingRate: 0, minPerAgentPerWeek: 3 };

  it('takes an under-covered agent’s call whatever the sampling rate, and says why', () => {
    const d = decideEligibility(input({ settings: balanced, agentSurveysThisWeek: 2, random: () => 0.99 }));
    expect(d.outcome).toBe('scheduled');
    expect(d.outcome === 'scheduled' && d.balanced).toBe(true);
    expect(d.reason).toContain('(balanced sampling: a.martin had 2 of 3 this week)');
  });

  it('falls back to the sampling rate once the agent has the minimum', () => {
    expect(decideEligibility(input({ settings: balanced, agentSurveysThisWeek: 3 })).outcome).toBe('sampled_out');
  });

  it('does not break quarantine or suppression to reach the minimum', () => {
    const recent = [new Date('2026-11-15T10:00:00Z')];
    expect(decideEligibility(input({ settings: balanced, customerSurveys: recent })).outcome).toBe('quarantined');
    expect(decideEligibility(input({ settings: balanced, suppression: 'bounced' })).outcome).toBe('suppressed');
  });

  it('does nothing for a call without an agent', () => {
    expect(decideEligibility(input({ settings: balanced, agent: null })).outcome).toBe('sampled_out');
  });

  it('counts weeks Monday to Sunday in the site time zone', () => {
    // Sunday 22 November 23:30 UTC is already Monday in Paris.
    const lateSunday = new Date('2026-11-22T23:30:00Z');
    expect(isoWeek(lateSunday, 'UTC')).toBe('2026-W47');
    expect(isoWeek(lateSunday, PARIS)).toBe('2026-W48');
    expect(isoWeek(new Date('2026-01-01T12:00:00Z'), 'UTC')).toBe('2026-W01');
    expect(isoWeek(new Date('2027-01-01T12:00:00Z'), 'UTC')).toBe('2026-W53');
    expect(isoWeek(new Date('2025-12-29T12:00:00Z'), 'UTC')).toBe('2026-W01');
  });
});

describe('order of the checks', () => {
  it('reports suppression before quarantine, and quarantine before sampling', () => {
    const recent = [new Date('2026-11-15T10:00:00Z')];
    const suppressed = decideEligibility(input({ suppression: 'unsubscribed', customerSurveys: recent, settings: { samplingRate: 0 } }));
    expect([suppressed.outcome, suppressed.reason]).toEqual(['suppressed', 'suppressed: unsubscribed']);
    expect(decideEligibility(input({ customerSurveys: recent, settings: { samplingRate: 0 } })).outcome).toBe('quarantined');
  });

  it('does not draw a random number for a call decided before sampling', () => {
    const random = jest.fn(() => 0);
    decideEligibility(input({ suppression: 'complaint', random }));
    decideEligibility(input({ customerSurveys: [new Date('2026-11-19T10:00:00Z')], random }));
    expect(random).not.toHaveBeenCalled();
  });
});
