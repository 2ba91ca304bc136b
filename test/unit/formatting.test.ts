import { EMPTY, formatDate, formatNumber, formatPercent } from '../../server/http/helpers';

/** ICU versions differ on which space they use (U+00A0, U+202F): compare with plain spaces. */
const plain = (text: string) => text.replace(/\s/g, ' ');

describe('formatDate', () => {
  const endOfCall = new Date('2026-11-20T23:30:00Z');

  it('shows the date in the site time zone, not the server one', () => {
    expect(formatDate(endOfCall, 'en', { timeZone: 'Europe/Paris' })).toBe('Nov 21, 2026');
    expect(formatDate(endOfCall, 'en', { timeZone: 'Africa/Casablanca' })).toBe('Nov 21, 2026');
    expect(formatDate(endOfCall, 'en', { timeZone: 'America/Montreal' })).toBe('Nov 20, 2026');
  });

  it('writes dates and times the way the reader expects', () => {
    expect(formatDate(endOfCall, 'fr', { timeZone: 'Europe/Paris', style: 'datetime' })).toBe('21 nov. 2026, 00:30');
    expect(plain(formatDate(endOfCall, 'en', { timeZone: 'Europe/Paris', style: 'datetime' }))).toBe('Nov 21, 2026, 12:30 AM');
  });

  it('accepts ISO strings and shows a dash for missing or invalid dates', () => {
    expect(formatDate('2026-01-05T10:00:00Z', 'fr', { timeZone: 'UTC' })).toBe('5 janv. 2026');
    expect(formatDate(undefined, 'fr')).toBe(EMPTY);
    expect(formatDate('not a date', 'en')).toBe(EMPTY);
  });
});

describe('formatNumber and formatPercent', () => {
  it('use the reader’s separators', () => {
    expect(plain(formatNumber(12345.678, 'fr', 1))).toBe('12 345,7');
    expect(formatNumber(12345.678, 'en', 1)).toBe('12,345.7');
  });

  it('write a ratio as a percentage', () => {
    expect(plain(formatPercent(0.873, 'fr'))).toBe('87 %');
    expect(formatPercent(0.873, 'en', 1)).toBe('87.3%');
  });

  it('show a dash when there is no figure', () => {
    expect(formatPercent(null, 'en')).toBe(EMPTY);
    expect(formatNumber(Number.NaN, 'fr')).toBe(EMPTY);
  });
});
