/**
 * Unit tests of query/aggregate.ts on typed documents: stages mingo runs for us, the
 * engine's overrides (BSON-order $sort and $min/$max, $bucket, $project field order,
 * Decimal128 refusal), result types, and the $out/$merge split.
 */
import { BSONRegExp, Decimal128, Double, EJSON, Int32, Long, ObjectId } from 'bson';
import { runPipeline, splitOutputStage } from '../../server/db/embedded/query/aggregate';
import type { Doc } from '../../server/db/embedded/query/values';
import { errorOf } from '../helpers/errors';

const i = (n: number): Int32 => new Int32(n);
const d = (n: number): Double => new Double(n);
const ej = (v: unknown): string => EJSON.stringify(v as Doc, { relaxed: false });
const NOW = new Date('2024-06-01T12:00:00Z');

/** Survey responses of two sites, around the 2024 daylight-saving changes in Paris. */
const responses: Doc[] = [
  { _id: i(1), site: 'ABV', csat: i(5), at: new Date('2024-03-31T22:30:00Z'), tags: ['fast', 'kind'] },
  { _id: i(2), site: 'ABV', csat: i(3), at: new Date('2024-03-31T21:30:00Z'), tags: [] },
  { _id: i(3), site: 'CAS', csat: i(4), at: new Date('2024-10-27T00:30:00Z'), tags: ['slow'] },
  { _id: i(4), site: 'CAS', csat: d(2.5), at: new Date('2024-10-26T21:59:00Z') },
];
const sites: Doc[] = [
  { _id: 'ABV', name: 'Abbeville', zone: 'Europe/Paris' },
  { _id: 'CAS', name: 'Casablanca', zone: 'Africa/Casablanca' },
];

function run(pipeline: Doc[], input: Doc[] = responses): Doc[] {
  return runPipeline(input, pipeline, { now: NOW, resolveCollection: (name) => (name === 'sites' ? sites : []) });
}

describe('stages', () => {
  it('groups with $sum of 1 as Int32 and $avg as Double, even when the average is whole', () => {
    const rows = run([{ $group: { _id: '$site', n: { $sum: 1 }, avg: { $avg: '$csat' }, total: { $sum: '$csat' } } }, { $sort: { _id: 1 } }]);
    expect(ej(rows)).toBe(ej([
      { _id: 'ABV', n: i(2), avg: d(4), total: i(8) },
      { _id: 'CAS', n: i(2), avg: d(3.25), total: d(6.5) },
    ]));
  });

  it('widens a $sum past 2^31 to Int64', () => {
    const rows = run([{ $group: { _id: null, t: { $sum: '$v' } } }], [{ _id: i(1), v: i(2147483647) }, { _id: i(2), v: i(2147483647) }]);
    expect(ej(rows[0].t)).toBe(ej(Long.fromNumber(4294967294)));
  });

  it('counts with $count as Int32', () => {
    expect(ej(run([{ $match: { site: 'ABV' } }, { $count: 'n' }]))).toBe(ej([{ n: i(2) }]));
  });

  it('collects with $push, $addToSet, $first and $last', () => {
    const [row] = run([{ $sort: { _id: 1 } }, { $group: { _id: null, ids: { $push: '$_id' }, sites: { $addToSet: '$site' }, first: { $first: '$_id' }, last: { $last: '$_id' } } }]);
    expect((row.ids as Int32[]).map((x) => x.value)).toEqual([1, 2, 3, 4]);
    expect([...(row.sites as string[])].sort()).toEqual(['ABV', 'CAS']);
    expect([(row.first as Int32).value, (row.last as Int32).value]).toEqual([1, 4]);
  });

  it('buckets with $bucket and counts with $sortByCount', () => {
    const buckets = run([{ $bucket: { groupBy: '$csat', boundaries: [0, 4, 10], default: 'other' } }]);
    expect(ej(buckets)).toBe(ej([{ _id: i(0), count: i(2) }, { _id: i(4), count: i(2) }]));
    expect(ej(run([{ $sortByCount: '$site' }, { $sort: { _id: 1 } }]))).toBe(ej([{ _id: 'ABV', count: i(2) }, { _id: 'CAS', count: i(2) }]));
  });

  it('puts a value equal to a boundary in the upper bucket and omits empty buckets', () => {
    const input = [i(0), i(4), i(4), d(9.5), i(20)].map((v, n) => ({ _id: i(n), v }));
    const rows = run([{ $bucket: { groupBy: '$v', boundaries: [0, 2, 4, 10], default: 'big', output: { ids: { $push: '$_id' } } } }], input);
    expect(rows.map((r) => [r._id, (r.ids as Int32[]).map((x) => x.value)])).toEqual([[i(0), [0]], [i(4), [1, 2, 3]], ['big', [4]]]);
  });

  it('types $toLong as Int64 and $toDecimal as Decimal128', () => {
    const [row] = run([{ $match: { _id: i(4) } }, { $project: { l: { $toLong: 5 }, dec: { $toDecimal: '$csat' } } }]);
    expect(ej(row)).toBe(ej({ _id: i(4), l: Long.fromNumber(5), dec: Decimal128.fromString('2.50000000000000') }));
  });

  it('runs sub-pipelines with $facet', () => {
    const [row] = run([{ $facet: { n: [{ $count: 'n' }], best: [{ $sort: { csat: -1 } }, { $limit: 1 }, { $project: { _id: 1 } }] } }]);
    expect(ej(row)).toBe(ej({ n: [{ n: i(4) }], best: [{ _id: i(1) }] }));
  });

  it('unwinds with includeArrayIndex and preserveNullAndEmptyArrays', () => {
    const rows = run([{ $unwind: { path: '$tags', includeArrayIndex: 'idx', preserveNullAndEmptyArrays: true } }, { $project: { tags: 1, idx: 1 } }]);
    expect(rows.map((r) => [(r._id as Int32).value, r.tags, r.idx === null ? null : (r.idx as Int32).value])).toEqual([
      [1, 'fast', 0], [1, 'kind', 1], [2, undefined, null], [3, 'slow', 0], [4, undefined, null],
    ]);
    expect(run([{ $unwind: '$tags' }])).toHaveLength(3);
  });

  it('joins with $lookup in both forms', () => {
    const simple = run([{ $match: { _id: i(1) } }, { $lookup: { from: 'sites', localField: 'site', foreignField: '_id', as: 'siteDoc' } }]);
    expect((simple[0].siteDoc as Doc[]).map((s) => s.name)).toEqual(['Abbeville']);
    const piped = run([
      { $match: { _id: i(3) } },
      { $lookup: { from: 'sites', let: { s: '$site' }, pipeline: [{ $match: { $expr: { $eq: ['$_id', '$$s'] } } }, { $project: { _id: 0, zone: 1 } }], as: 'z' } },
    ]);
    expect(piped[0].z).toEqual([{ zone: 'Africa/Casablanca' }]);
  });

  it('follows references recursively with $graphLookup', () => {
    const chain: Doc[] = [{ _id: 'a', next: 'b' }, { _id: 'b', next: 'c' }, { _id: 'c' }];
    const rows = runPipeline([{ _id: i(1), start: 'a' }], [{ $graphLookup: { from: 'chain', startWith: '$start', connectFromField: 'next', connectToField: '_id', as: 'path' } }], { resolveCollection: () => chain });
    expect((rows[0].path as Doc[]).map((p) => p._id).sort()).toEqual(['a', 'b', 'c']);
  });

  it('appends another collection with $unionWith', () => {
    expect(run([{ $project: { _id: 1 } }, { $unionWith: 'sites' }]).map((r) => String(r._id))).toEqual(['1', '2', '3', '4', 'ABV', 'CAS']);
  });

  it('projects, adds fields and replaces the root, keeping _id first', () => {
    const [row] = run([{ $match: { _id: i(1) } }, { $project: { csat: 1, site: 1, twice: { $multiply: ['$csat', 2] } } }]);
    expect(Object.keys(row)).toEqual(['_id', 'site', 'csat', 'twice']);
    expect(ej(row.twice)).toBe(ej(i(10)));
    const [added] = run([{ $match: { _id: i(4) } }, { $addFields: { ratio: { $divide: ['$csat', 1] } } }]);
    expect(ej(added.ratio)).toBe(ej(d(2.5)));
    const [root] = run([{ $match: { _id: i(1) } }, { $replaceRoot: { newRoot: { s: '$site' } } }]);
    expect(root).toEqual({ s: 'ABV' });
  });

  it('keeps the BSON types of fields that pass through', () => {
    const big = Long.fromString('9007199254740993');
    const [row] = run([{ $addFields: { extra: true } }], [{ _id: i(1), n: d(2), l: Long.fromNumber(5), big, oid: new ObjectId('65f000000000000000000000') }]);
    expect(ej(row)).toBe(ej({ _id: i(1), n: d(2), l: Long.fromNumber(5), big, oid: new ObjectId('65f000000000000000000000'), extra: true }));
  });

  it('samples, skips and limits', () => {
    expect(run([{ $sample: { size: 2 } }])).toHaveLength(2);
    expect(run([{ $sort: { _id: 1 } }, { $skip: 1 }, { $limit: 2 }]).map((r) => (r._id as Int32).value)).toEqual([2, 3]);
  });

  it('fills gaps with $densify and $fill, and computes windows with $setWindowFields', () => {
    const points = [{ _id: i(1), x: i(1), y: i(10) }, { _id: i(2), x: i(4), y: null }];
    expect(run([{ $densify: { field: 'x', range: { step: 1, bounds: 'full' } } }], points).map((r) => (r.x as Int32).value)).toEqual([1, 2, 3, 4]);
    expect(run([{ $fill: { sortBy: { x: 1 }, output: { y: { method: 'locf' } } } }], points).map((r) => (r.y as Int32).value)).toEqual([10, 10]);
    const cumulative = run([{ $setWindowFields: { sortBy: { _id: 1 }, output: { running: { $sum: '$csat', window: { documents: ['unbounded', 'current'] } } } } }]);
    expect(cumulative.map((r) => Number(r.running))).toEqual([5, 8, 12, 14.5]);
  });

  it('accepts pipeline specifications with typed numbers and BSON regexes, as they come off the wire', () => {
    const rows = run([
      { $limit: i(10) },
      { $match: { site: new BSONRegExp('^ab', 'i') } },
      { $group: { _id: '$site', n: { $sum: i(1) }, avg: { $avg: '$csat' } } },
      { $project: { n: i(1), avg: i(1) } },
      { $sort: { _id: i(-1) } },
    ]);
    expect(ej(rows)).toBe(ej([{ _id: 'ABV', n: i(2), avg: d(4) }]));
  });

  it('pins $$NOW and exposes let variables and $$CLUSTER_TIME', () => {
    const [row] = runPipeline([{ _id: i(1) }], [{ $project: { now: '$$NOW', v: '$$greeting', ct: { $type: '$$CLUSTER_TIME' } } }], { now: NOW, variables: { greeting: 'hi' } });
    expect((row.now as Date).getTime()).toBe(NOW.getTime());
    expect(row.v).toBe('hi');
    expect(row.ct).toBe('timestamp');
  });
});

describe('BSON semantics the engine adds to mingo', () => {
  it('sorts mixed types in BSON order', () => {
    const input = [true, 'b', null, d(2.5), { x: 1 }, new Date(0), i(1), 'a'].map((v, n) => ({ _id: i(n), v }));
    const order = run([{ $sort: { v: 1 } }], input).map((r) => (r._id as Int32).value);
    expect(order).toEqual([2, 6, 3, 7, 1, 4, 0, 5]);
    expect(run([{ $sort: { v: -1 } }], input).map((r) => (r._id as Int32).value)).toEqual([5, 0, 4, 1, 7, 3, 6, 2]);
  });

  it('sorts numbers by value across Int32, Int64, Double and Decimal128', () => {
    const input = [Decimal128.fromString('2.5'), i(3), Long.fromNumber(-1), d(0.5)].map((v, n) => ({ _id: i(n), v }));
    expect(run([{ $sort: { v: 1 } }], input).map((r) => (r._id as Int32).value)).toEqual([2, 3, 0, 1]);
  });

  it('takes $min and $max in BSON order, Decimal128 included', () => {
    const input = [Decimal128.fromString('10.5'), i(3), 'str', null].map((v, n) => ({ _id: i(n), v }));
    const [row] = run([{ $group: { _id: null, lo: { $min: '$v' }, hi: { $max: '$v' } } }], input);
    expect(ej(row)).toBe(ej({ _id: null, lo: i(3), hi: 'str' }));
  });

  it('matches leading $match stages on typed values exactly', () => {
    const input = [{ _id: i(1), v: Long.fromString('9007199254740993') }, { _id: i(2), v: Long.fromString('9007199254740992') }];
    expect(run([{ $match: { v: Long.fromString('9007199254740993') } }], input).map((r) => (r._id as Int32).value)).toEqual([1]);
    expect(run([{ $match: { v: Decimal128.fromString('9007199254740992') } }], input).map((r) => (r._id as Int32).value)).toEqual([2]);
  });

  const refused: Array<[string, Doc[]]> = [
    ['$sum over Decimal128', [{ $group: { _id: null, t: { $sum: '$p' } } }]],
    ['$avg over Decimal128', [{ $group: { _id: null, t: { $avg: '$p' } } }]],
    ['$add with Decimal128', [{ $project: { t: { $add: ['$p', 1] } } }]],
    ['$multiply with Decimal128', [{ $project: { t: { $multiply: ['$p', 2] } } }]],
    ['$subtract with Decimal128', [{ $project: { t: { $subtract: ['$p', 2] } } }]],
    ['$divide with Decimal128', [{ $project: { t: { $divide: ['$p', 2] } } }]],
    ['$sum expression with Decimal128', [{ $project: { t: { $sum: ['$p', 1] } } }]],
  ];
  it.each(refused)('refuses %s clearly instead of computing a wrong value', (_name, pipeline) => {
    const e = errorOf(() => run(pipeline, [{ _id: i(1), p: Decimal128.fromString('1.10') }]));
    expect(e.code).toBe(115);
    expect(e.message).toMatch(/^Decimal128 arithmetic \(\$\w+\) in aggregation is not supported by Retour's embedded engine/);
  });

  it('refuses arithmetic on Int64 values beyond 2^53', () => {
    const e = errorOf(() => run([{ $project: { t: { $add: ['$big', 1] } } }], [{ _id: i(1), big: Long.fromString('9007199254740993') }]));
    expect(e.message).toMatch(/64-bit integer arithmetic beyond 2\^53/);
  });
});

describe('pipeline validation and $out/$merge', () => {
  it('splits a final $out or $merge off for the aggregate command', () => {
    expect(splitOutputStage([{ $match: {} }, { $out: 'archive' }])).toEqual({ stages: [{ $match: {} }], output: { kind: 'out', spec: 'archive' } });
    expect(splitOutputStage([{ $merge: { into: 'x' } }]).output).toEqual({ kind: 'merge', spec: { into: 'x' } });
    expect(splitOutputStage([{ $limit: 1 }])).toEqual({ stages: [{ $limit: 1 }] });
  });

  const invalid: Array<[string, Doc[], number, string]> = [
    ['$out before the last stage', [{ $out: 'x' }, { $match: {} }], 40601, '$out can only be the final stage in the pipeline'],
    ['$merge before the last stage', [{ $merge: { into: 'x' } }, { $limit: 1 }], 40601, '$merge can only be the final stage in the pipeline'],
    ['$out inside $facet', [{ $facet: { a: [{ $out: 'x' }] } }], 40600, '$out is not allowed to be used within a $facet stage'],
    ['$out inside a $lookup pipeline', [{ $lookup: { from: 'sites', pipeline: [{ $out: 'x' }], as: 'y' } }], 51047, "$out is not allowed within a $lookup's sub-pipeline"],
    ['an unknown stage', [{ $foo: 1 }], 40324, "Unrecognized pipeline stage name: '$foo'"],
    ['a stage with two fields', [{ $match: {}, $limit: 1 }], 40323, 'A pipeline stage specification object must contain exactly one field.'],
    ['a $sort direction other than 1/-1', [{ $sort: { a: 2 } }], 15975, '$sort key ordering must be 1 (for ascending) or -1 (for descending)'],
  ];
  it.each(invalid)('rejects %s', (_name, pipeline, code, message) => {
    const e = errorOf(() => run(pipeline));
    expect([e.code, e.message]).toEqual([code, message]);
  });

  const unsupportedStages = ['$search', '$geoNear', '$changeStream', '$currentOp', '$listSessions', '$planCacheStats', '$indexStats', '$collStats'];
  it.each(unsupportedStages)('refuses %s as unsupported rather than faking it', (stage) => {
    const e = errorOf(() => run([{ [stage]: {} }]));
    expect(e.code).toBe(115);
    expect(e.message).toContain(`${stage} is not supported`);
  });

  it('refuses $text in a later $match and a text-score sort', () => {
    expect(errorOf(() => run([{ $limit: 5 }, { $match: { $text: { $search: 'x' } } }])).code).toBe(115);
    expect(errorOf(() => run([{ $sort: { s: { $meta: 'textScore' } } }])).code).toBe(115);
  });

  it('refuses to run $out itself', () => {
    expect(() => run([{ $out: 'x' }])).toThrow('splitOutputStage');
  });
});
