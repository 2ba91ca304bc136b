/**
 * Site time zones and countries: canonical IANA names, ISO country codes, and wall-clock
 * dates at a site turned into instants across summer-time changes.
 */
import { isCountryCode } from '../../server/sites/countries';
import { canonicalTimeZone, utcToZonedParts, zonedTimeToUtc } from '../../server/sites/time-zones';

describe('canonicalTimeZone', () => {
  it('spells known IANA zones canonically and refuses offsets and unknown names', () => {
    expect(canonicalTimeZone('europe/paris')).toBe('Europe/Paris');
    expect(canonicalTimeZone('Africa/Casablanca')).toBe('Africa/Casablanca');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    for (const bad of ['+01:00', 'Mars/Olympus', '', 'Europe/Paris; DROP', 42]) expect(canonicalTimeZone(bad)).toBeNull();
  });
});

describe('isCountryCode', () => {
  it('knows assigned ISO 3166-1 alpha-2 codes only', () => {
    for (const code of ['FR', 'MA', 'SN', 'GB']) expect(isCountryCode(code)).toBe(true);
    for (const code of ['UK', 'EU', 'ZZ', 'fr', 'FRA']) expect(isCountryCode(code)).toBe(false);
  });
});

describe('zonedTimeToUtc', () => {
  it.each([
    ['2026-03-01', '00:00', 'Europe/Paris', '2026-02-28T23:00:00.000Z'],
    ['2026-07-01', '00:00', 'Europe/Paris', '2026-06-30T22:00:00.000Z'],
    ['2026-06-01', '09:30', 'Africa/Casablanca', '2026-06-01T08:30:00.000Z'],
    ['2026-03-01', '00:00', 'Asia/Kolkata', '2026-02-28T18:30:00.000Z'],
    ['2026-10-25', '01:30', 'Europe/Paris', '2026-10-24T23:30:00.000Z'],
  ])('reads %s %s in %s as %s', (date, time, zone, iso) => {
    expect(zonedTimeToUtc(date, time, zone).toISOString()).toBe(iso);
  });

  it('takes the first occurrence of a time repeated when summer time ends', () => {
    expect(zonedTimeToUtc('2026-10-25', '02:30', 'Europe/Paris').toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('moves a time skipped when summer time starts forward by the gap', () => {
    expect(zonedTimeToUtc('2026-03-29', '02:30', 'Europe/Paris').toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('round-trips with utcToZonedParts', () => {
    expect(utcToZonedParts(zonedTimeToUtc('2026-12-31', '23:45', 'Europe/Paris'), 'Europe/Paris')).toEqual({ date: '2026-12-31', time: '23:45' });
  });
});
