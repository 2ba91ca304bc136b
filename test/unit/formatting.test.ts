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

  it('keep each locale and precision apart when they alternate (the formatters are reused)', () => {
    const rounds = [...Array(3)].map(() => [
      plain(formatNumber(1234.5, 'fr', 2)),
      formatNumber(1234.5, 'en', 2),
      formatNumber(1234.5, 'en'),
      formatNumber(1234.5, 'en', 0),
      plain(formatPercent(0.8756, 'fr', 1)),
      formatPercent(0.8756, 'en'),
      plain(formatDate(new Date('2026-11-20T23:30:00Z'), 'fr', { timeZone: 'Europe/Paris' })),
      formatDate(new Date('2026-11-20T23:30:00Z'), 'en', { timeZone: 'America/Montreal' }),
    ]);
    expect(rounds[0]).toEqual(['1 234,50', '1,234.50', '1,234.5', '1,235', '87,6 %', '88%', '21 nov. 2026', 'Nov 20, 2026']);
    expect(rounds[1]).toEqual(rounds[0]);
    expect(rounds[2]).toEqual(rounds[0]);
  });

  it('show a dash when there is no figure', () => {
    expect(formatPercent(null, 'en')).toBe(EMPTY);
    expect(formatNumber(Number.NaN, 'fr')).toBe(EMPTY);
  });
});
