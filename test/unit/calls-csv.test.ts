/**
 * Reading telephony CSV exports, pure: delimiters, line numbers of records (quoted cells
 * may span lines), the mapping guessed from headers, dates without a zone, and the call
 * object a row becomes. Plus the wall-clock conversions the import and eligibility share.
 */
import { CsvProblem, detectDelimiter, guessMapping, parseCsv, readDateCell, rowToCall } from '../../server/calls/csv';
import { zonedInstant, zonedParts } from '../../server/time/local-time';

describe('parsing', () => {
  it('finds the delimiter from the header line, ignoring quoted ones', () => {
    expect(detectDelimiter('a;b;c\n1,5;2;3')).toBe(';');
    expect(detectDelimiter('a,b\n1;2')).toBe(',');
    expect(detectDelimiter('a\tb\n1\t2')).toBe('\t');
    expect(detectDelimiter('"x;y",b,c\n')).toBe(',');
    expect(detectDelimiter('externalId\n1')).toBe(',');
  });

  it('gives each record the line it starts on, across blank lines and multi-line cells', () => {
    const csv = '\uFEFFid;note\n1;"two\nlines"\n\n2;plain\n3;"a\nb\nc"\n4;x\n';
    const parsed = parseCsv(csv);
    expect(parsed.headers).toEqual(['id', 'note']);
    expect(parsed.rows.map((r) => [r.line, r.cells[0]])).toEqual([[2, '1'], [5, '2'], [6, '3'], [9, '4']]);
    const windows = parseCsv('id,note\r\n1,"a\r\nb"\r\n2,x\r\n');
    expect(windows.rows.map((r) => [r.line, r.cells[1]])).toEqual([[2, 'a\r\nb'], [4, 'x']]);
  });

  it('says which line cannot be read', () => {
    let caught: unknown;
    try {
      parseCsv('id;x\n1;ok\n2;"open\n');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CsvProblem);
    expect((caught as CsvProblem).message).toMatch(/quote/i);
    expect((caught as CsvProblem).line).toBeGreaterThanOrEqual(3);
  });
});

describe('guessing the mapping', () => {
  it('recognises French and English headers, accents and punctuation aside', () => {
    expect(guessMapping(['ID appel', 'Date de fin', 'File d’attente', 'Conseiller', 'Motif', 'Durée', 'Courriel', 'Nom', 'Langue'])).toEqual({
      externalId: 0,
      durationSec: 5,
      customerEmail: 6,
      customerName: 7,
      customerLocale: 8,
      agent: 3,
      reason: 4,
      queue: 2,
      endedAt: 1,
    });
    expect(guessMapping(['externalId', 'endedAt', 'site', 'queue', 'customer e-mail address'])).toEqual({
      externalId: 0,
      endedAt: 1,
      site: 2,
      queue: 3,
      customerEmail: 4,
    });
  });

  it('never maps one column twice', () => {
    const mapping = guessMapping(['email', 'e-mail']);
    expect(Object.values(mapping)).toEqual([...new Set(Object.values(mapping))]);
  });
});

describe('dates without a zone', () => {
  it('reads ISO-like and French dates in the chosen zone, summer and winter', () => {
    expect(readDateCell('2026-07-01 10:00', 'Europe/Paris')).toBe('2026-07-01T08:00:00.000Z');
    expect(readDateCell('01/12/2026 10:00:15', 'Europe/Paris')).toBe('2026-12-01T09:00:15.000Z');
    expect(readDateCell('2026-03-01T10:00', 'Africa/Casablanca')).toBe('2026-03-01T10:00:00.000Z');
  });

  it('leaves dates with a zone and unreadable values as they are', () => {
    expect(readDateCell('2026-07-01T10:00:00+02:00', 'UTC')).toBe('2026-07-01T10:00:00+02:00');
    expect(readDateCell('yesterday', 'UTC')).toBe('yesterday');
  });

  it('turns a row into a call, leaving empty cells out', () => {
    const call = rowToCall(['c-1', '2026-07-01 10:00', '', 'support', ' a@b.fr '], { externalId: 0, endedAt: 1, site: 2, queue: 3, customerEmail: 4 }, 'UTC');
    expect(call).toEqual({
      externalId: 'c-1',
      endedAt: '2026-07-01T10:00:00.000Z',
      site: undefined,
      queue: 'support',
      agent: undefined,
      reason: undefined,
      durationSec: undefined,
      customer: { email: 'a@b.fr', name: undefined, locale: undefined },
    });
  });
});

describe('wall-clock conversions', () => {
  it('round-trips every quarter hour of the DST-change days, except times the clocks skip', () => {
    const days: [string, string][] = [
      ['Europe/Paris', '2026-03-29'],
      ['Europe/Paris', '2026-10-25'],
      ['Africa/Casablanca', '2026-02-15'],
      ['Africa/Casablanca', '2026-03-22'],
      ['America/New_York', '2026-03-08'],
    ];
    for (const [zone, date] of days) {
      for (let minutes = 0; minutes < 24 * 60; minutes += 15) {
        const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
        const back = zonedParts(zonedInstant(date, time, zone), zone);
        const skipped = back.time !== time;
        // A skipped time comes back later the same day (moved forward by the gap), never earlier.
        if (skipped) expect(back.date === date && back.time > time).toBe(true);
        else expect(back).toEqual({ date, time });
      }
    }
  });
});
