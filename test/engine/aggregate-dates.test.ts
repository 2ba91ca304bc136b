/**
 * Unit tests of the engine's date operators in aggregation: $dateToString and report
 * grouping in a site's time zone, $dateTrunc / $dateAdd / $dateFromParts across the
 * daylight-saving changes that mingo's own versions get wrong.
 */
import { Double, Int32 } from 'bson';
import { runPipeline } from '../../server/db/embedded/query/aggregate';
import type { Doc } from '../../server/db/embedded/query/values';
import { errorOf } from '../helpers/errors';

const i = (n: number): Int32 => new Int32(n);
const d = (n: number): Double => new Double(n);

/** Survey responses around the 2024 daylight-saving changes in Paris. */
const responses: Doc[] = [
  { _id: i(1), site: 'ABV', csat: i(5), at: new Date('2024-03-31T22:30:00Z') },
  { _id: i(2), site: 'ABV', csat: i(3), at: new Date('2024-03-31T21:30:00Z') },
  { _id: i(3), site: 'CAS', csat: i(4), at: new Date('2024-10-27T00:30:00Z') },
  { _id: i(4), site: 'CAS', csat: d(2.5), at: new Date('2024-10-26T21:59:00Z') },
];

function run(pipeline: Doc[]): Doc[] {
  return runPipeline(responses, pipeline, { now: new Date('2024-06-01T12:00:00Z') });
}

describe('dates in a site time zone', () => {
  it('formats the local day with $dateToString and timezone Europe/Paris', () => {
    const rows = run([{ $project: { day: { $dateToString: { date: '$at', format: '%Y-%m-%d %H:%M', timezone: 'Europe/Paris' } } } }]);
    expect(rows.map((r) => r.day)).toEqual(['2024-04-01 00:30', '2024-03-31 23:30', '2024-10-27 02:30', '2024-10-26 23:59']);
  });

  it('groups a report by local day', () => {
    const rows = run([
      { $group: { _id: { $dateToString: { date: '$at', format: '%Y-%m-%d', timezone: 'Europe/Paris' } }, n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    expect(rows.map((r) => [r._id, (r.n as Int32).value])).toEqual([['2024-03-31', 1], ['2024-04-01', 1], ['2024-10-26', 1], ['2024-10-27', 1]]);
  });

  const truncations: Array<[string, Doc, string[]]> = [
    ['day', { unit: 'day' }, ['2024-03-31T22:00:00.000Z', '2024-03-30T23:00:00.000Z', '2024-10-26T22:00:00.000Z', '2024-10-25T22:00:00.000Z']],
    ['week (starting Sunday by default)', { unit: 'week' }, ['2024-03-30T23:00:00.000Z', '2024-03-30T23:00:00.000Z', '2024-10-26T22:00:00.000Z', '2024-10-19T22:00:00.000Z']],
    ['week starting Monday', { unit: 'week', startOfWeek: 'monday' }, ['2024-03-31T22:00:00.000Z', '2024-03-24T23:00:00.000Z', '2024-10-20T22:00:00.000Z', '2024-10-20T22:00:00.000Z']],
    ['month', { unit: 'month' }, ['2024-03-31T22:00:00.000Z', '2024-02-29T23:00:00.000Z', '2024-09-30T22:00:00.000Z', '2024-09-30T22:00:00.000Z']],
    ['two-hour bins', { unit: 'hour', binSize: 2 }, ['2024-03-31T22:00:00.000Z', '2024-03-31T20:00:00.000Z', '2024-10-27T00:00:00.000Z', '2024-10-26T20:00:00.000Z']],
  ];
  it.each(truncations)('truncates to the local %s with $dateTrunc across daylight-saving changes', (_name, spec, expected) => {
    const rows = run([{ $project: { t: { $dateTrunc: { date: '$at', timezone: 'Europe/Paris', ...spec } } } }]);
    expect(rows.map((r) => (r.t as Date).toISOString())).toEqual(expected);
  });

  it('returns null from $dateTrunc for a missing date and rejects an unknown zone', () => {
    expect(run([{ $project: { t: { $dateTrunc: { date: '$nope', unit: 'day' } } } }])[0].t).toBeNull();
    expect(errorOf(() => run([{ $project: { t: { $dateTrunc: { date: '$at', unit: 'day', timezone: 'Mars/Olympus' } } } }])).code).toBe(40485);
  });

  it('adds local days with $dateAdd and builds local dates with $dateFromParts', () => {
    const [row] = run([{ $match: { _id: i(3) } }, {
      $project: {
        next: { $dateAdd: { startDate: '$at', unit: 'day', amount: 1, timezone: 'Europe/Paris' } },
        start: { $dateFromParts: { year: 2024, month: 4, day: 1, timezone: 'Europe/Paris' } },
        back: { $dateSubtract: { startDate: '$at', unit: 'month', amount: 1, timezone: '+02:00' } },
      },
    }]);
    expect((row.next as Date).toISOString()).toBe('2024-10-28T01:30:00.000Z');
    expect((row.start as Date).toISOString()).toBe('2024-03-31T22:00:00.000Z');
    expect((row.back as Date).toISOString()).toBe('2024-09-27T00:30:00.000Z');
  });
});
