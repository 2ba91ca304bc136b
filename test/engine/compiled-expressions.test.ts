/**
 * Compiled aggregation expressions give what mingo's evalExpr gives, value for value and
 * error for error: seeded random expressions (the compiled operators, operators left to
 * mingo, malformed arguments, variables) on random documents (missing, null, numbers,
 * strings, arrays, nested objects, dates), and the rollups' own counters.
 */
import { isDeepStrictEqual } from 'node:util';
import { engineContext } from '../../server/db/embedded/query/aggregate-context';
import { compileExpression, ComputeOptions, type EvalOptions } from '../../server/db/embedded/query/compiled-expressions';
import { COUNT_ACCUMULATORS, RESPONSE_BUCKET_GROUP } from '../../server/rollups/facts';
import { seeded } from '../helpers/random';

const core = require('mingo/core') as typeof import('mingo/types/core');

const SEED = 20261202;
const random = seeded(SEED);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;

const SCALARS: readonly unknown[] = [null, 0, 1, -2.5, 7, 10, NaN, '', 'x', 'Merci', '$a', true, false, new Date(Date.UTC(2026, 0, 2))];

function value(depth = 0): unknown {
  const roll = random();
  if (depth < 2 && roll < 0.15) return Array.from({ length: int(3) }, () => value(depth + 1));
  if (depth < 2 && roll < 0.25) return { x: value(depth + 1), y: pick(SCALARS) };
  return pick(SCALARS);
}

function doc(): Record<string, unknown> {
  const out: Record<string, unknown> = { _id: int(1000) };
  for (const field of ['a', 'b', 'c', 'd']) if (random() < 0.8) out[field] = value();
  return out;
}

const PATHS = ['$a', '$b', '$c', '$d', '$missing', '$a.x', '$b.y', '$c.0', '$$ROOT', '$$ROOT.a', '$$CURRENT.b', '$', '$toString', '$constructor'];
const COMPARISONS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte'];
const OTHERS = ['$multiply', '$add', '$toUpper', '$size', '$concat'];

function expression(depth = 0): unknown {
  const leaf = depth >= 3 || random() < 0.3;
  if (leaf) return random() < 0.6 ? pick(PATHS) : pick(SCALARS);
  const e = () => expression(depth + 1);
  switch (int(14)) {
    case 0:
    case 1:
      return { [pick(COMPARISONS)]: random() < 0.9 ? [e(), e()] : [e()] };
    case 2:
      return { $cond: random() < 0.6 ? [e(), e(), e()] : random() < 0.7 ? { if: e(), then: e(), else: e() } : [e(), e()] };
    case 3:
      return { $ifNull: Array.from({ length: 1 + int(3) }, e) };
    case 4:
      return { [pick(['$and', '$or'])]: random() < 0.9 ? Array.from({ length: int(4) }, e) : e() };
    case 5:
      return { $not: pick([[e()], e(), [], [e(), e()]]) };
    case 6:
      return { $isNumber: e() };
    case 7:
      return { $type: e() };
    case 8:
      return { $strLenCP: random() < 0.5 ? pick(['$a', '$b', 'texte']) : e() };
    case 9:
      return { [pick(OTHERS)]: [e(), e()] };
    case 10:
      return { k: e(), l: e() };
    case 11:
      return [e(), e()];
    case 12:
      // Not an expression mingo accepts: an operator beside another key.
      return { $eq: [e(), e()], other: 1 };
    default:
      return { $literal: e() };
  }
}

type Outcome = { value: unknown } | { error: string };

function outcome(run: () => unknown): Outcome {
  try {
    return { value: run() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

function rooted(d: unknown): EvalOptions {
  return ComputeOptions.init({ context: engineContext() }).update({ root: d });
}

function same(expr: unknown, d: Record<string, unknown>): { expr: unknown; doc: unknown; compiled: Outcome; mingo: Outcome } | null {
  const compiled = outcome(() => compileExpression(expr, engineContext())(d, rooted(d)));
  const mingo = outcome(() => core.evalExpr(d, expr, rooted(d)));
  return isDeepStrictEqual(compiled, mingo) ? null : { expr, doc: d, compiled, mingo };
}

describe('compiled aggregation expressions', () => {
  it(`agree with mingo on 4,000 random expressions and documents (seed ${SEED})`, () => {
    const differences = [];
    let errors = 0;
    for (let i = 0; i < 4000; i++) {
      const expr = expression();
      const d = doc();
      const diff = same(expr, d);
      if (diff) differences.push(diff);
      if ('error' in outcome(() => core.evalExpr(d, expr, rooted(d)))) errors += 1;
    }
    expect(differences.slice(0, 3)).toEqual([]);
    // The cases include failing expressions, which must fail alike.
    expect(errors).toBeGreaterThan(50);
  });

  it("agree with mingo on the rollups' counters and bucket key over response-like documents", () => {
    const exprs = [RESPONSE_BUCKET_GROUP, ...Object.values(COUNT_ACCUMULATORS).map((acc) => Object.values(acc as object)[0])];
    const docs = Array.from({ length: 300 }, (_, i) => ({
      day: '2026-11-0' + (i % 9),
      site: pick(['ABV', 'CAS', null]),
      queue: 'q',
      ...(i % 5 ? { agent: pick(['a.martin', null, '']) } : {}),
      ...(i % 7 ? { reason: 'billing' } : {}),
      templateKey: 'post-call',
      complete: pick([true, false, null]),
      gotInformation: pick([true, false, null]),
      csat: pick([1, 2, 4, 5, null, '5']),
      nps: pick([0, 6, 9, 10, null]),
      ...(i % 3 ? { ces: pick([1, 5, 7, null]) } : {}),
      text: pick(['', 'Merci', null, 3]),
    }));
    const differences = exprs.flatMap((expr) => docs.map((d) => same(expr, d)).filter((x) => x !== null));
    expect(differences.slice(0, 3)).toEqual([]);
  });

  it('leaves operators the engine replaces to the engine: its refusal of 64-bit arithmetic stays', () => {
    const { Long } = require('bson') as typeof import('bson');
    const d = { n: Long.fromString('9007199254740993') };
    const expr = { $cond: [true, { $multiply: ['$n', 2] }, 0] };
    const compiled = outcome(() => compileExpression(expr, engineContext())(d, rooted(d)));
    expect(compiled).toEqual({ error: expect.stringMatching(/64-bit integer arithmetic/) });
  });
});
