/**
 * The streaming $group: MongoDB's accumulator rules for missing, null and non-numeric
 * values, typed results, and the fallback to mingo for accumulators it does not stream.
 */
import { Double, Int32 } from 'bson';
import { runPipeline } from '../../server/db/embedded/query/aggregate';

const docs = [
  { _id: 1, g: 'a', n: new Int32(2), s: 'x', t: null },
  { _id: 2, g: 'a', n: new Double(3.5), s: 'y' },
  { _id: 3, g: 'a', s: 'x', t: 4 },
  { _id: 4, g: 'b', n: 'not a number' },
];

describe('streaming $group', () => {
  it('sums, averages and counts with MongoDB rules for missing and non-numeric values', () => {
    const out = runPipeline(docs, [{ $group: { _id: '$g', sum: { $sum: '$n' }, avg: { $avg: '$n' }, count: { $count: {} }, ones: { $sum: 1 } } }, { $sort: { _id: 1 } }]);
    expect(out.map((d) => [d._id, Number(d.sum), d.avg === null ? null : Number(d.avg), Number(d.count), Number(d.ones)])).toEqual([
      ['a', 5.5, 2.75, 3, 3],
      ['b', 0, null, 1, 1],
    ]);
    expect(out[0].count).toBeInstanceOf(Int32);
  });

  it('ignores null and missing in $min and $max, keeps first and last as seen', () => {
    const [a] = runPipeline(docs, [{ $match: { g: 'a' } }, { $group: { _id: null, min: { $min: '$t' }, max: { $max: '$s' }, first: { $first: '$t' }, last: { $last: '$n' } } }]);
    expect(Number(a.min)).toBe(4);
    expect(a.max).toBe('y');
    expect(a.first).toBeNull();
    expect(a.last).toBeNull();
  });

  it('pushes null but not missing values and de-duplicates $addToSet by value', () => {
    const [a] = runPipeline(docs, [{ $match: { g: 'a' } }, { $group: { _id: '$g', all: { $push: '$t' }, set: { $addToSet: '$s' }, ids: { $push: '$$ROOT._id' } } }]);
    expect(a.all.map((v: unknown) => (v === null ? null : Number(v)))).toEqual([null, 4]);
    expect([...a.set].sort()).toEqual(['x', 'y']);
    expect(a.ids.map(Number)).toEqual([1, 2, 3]);
  });

  it('falls back to the general $group for other accumulators', () => {
    const [a] = runPipeline(docs, [{ $match: { g: 'a', n: { $exists: true } } }, { $group: { _id: null, sd: { $stdDevPop: '$n' } } }]);
    expect(Number(a.sd)).toBeCloseTo(0.75);
  });
});
