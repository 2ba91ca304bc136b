/**
 * The mingo operator set the engine runs pipelines with: mingo's operators plus BSON-order
 * $min/$max, refusal of Decimal128 / 64-bit arithmetic that mingo would get wrong,
 * time-zone-correct date operators and the stage overrides of aggregate-stages.ts.
 */
import type { Context } from 'mingo';
import type { Options } from 'mingo/types/types';
import { unsupported } from '../errors';
import { PRELUDE_STAGE } from './aggregate-stages';
import { $dateAdd, $dateFromParts, $dateSubtract, $dateTrunc } from './aggregate-dates';
import { bucketStage, preludeStage, projectStage, sortStage } from './aggregate-stages';
import { groupStage } from './aggregate-group';
import { bsonType, compareValues, type Doc } from './values';

// mingo's subpath modules resolve through package "exports", which this project's
// node10 module resolution cannot see: load them with require and type them from their .d.ts.
const core = require('mingo/core') as typeof import('mingo/types/core');
const accumulators = require('mingo/operators/accumulator') as typeof import('mingo/types/operators/accumulator');
const arithmetic = require('mingo/operators/expression/arithmetic') as typeof import('mingo/types/operators/expression/arithmetic');
const expressions = require('mingo/operators/expression') as Record<string, Fn>;
const pipelines = require('mingo/operators/pipeline') as Record<string, Fn>;
const projections = require('mingo/operators/projection') as Record<string, Fn>;
const queries = require('mingo/operators/query') as Record<string, Fn>;
const windows = require('mingo/operators/window') as Record<string, Fn>;
const { evalExpr } = core;

type Fn = (...args: never[]) => unknown;
type ExprOp = (obj: unknown, expr: unknown, options: Options) => unknown;
type AccOp = (coll: unknown[], expr: unknown, options: Options) => unknown;

export { PRELUDE_STAGE } from './aggregate-stages';

/** Values mingo's arithmetic mishandles: Decimal128, and Int64 beyond 2^53 (kept as Long by toPlain). */
function refusedNumber(v: unknown, depth = 0): string | undefined {
  const t = bsonType(v);
  if (t === 'decimal') return 'Decimal128 arithmetic';
  if (t === 'long' && typeof v === 'object') return '64-bit integer arithmetic beyond 2^53';
  if (Array.isArray(v) && depth === 0) {
    for (const x of v) {
      const r = refusedNumber(x, 1);
      if (r) return r;
    }
  }
  return undefined;
}

/** Throws CommandNotSupported when `values` holds numbers mingo's arithmetic would get wrong. */
export function refuse(op: string, values: unknown): void {
  const what = refusedNumber(values);
  if (what) throw unsupported(`${what} (${op}) in aggregation`);
}

/** Evaluates the operands once, refuses unsupported numbers, and hands literals to mingo. */
function guardExpression(name: string, original: ExprOp): ExprOp {
  return (obj, expr, options) => {
    const value = evalExpr(obj, expr, options);
    refuse(name, value);
    const literal = Array.isArray(value) ? value.map((v) => ({ $literal: v })) : { $literal: value };
    return original(obj, literal, options);
  };
}

function guardAccumulator(name: string, original: AccOp): AccOp {
  return (coll, expr, options) => {
    if (typeof expr === 'number') return original(coll, expr, options);
    const values = accumulators.$push(coll as Doc[], expr, options) as unknown[];
    for (const v of values) refuse(name, v);
    return original(values.map((v) => ({ v })), '$v', options);
  };
}

/** $min/$max in BSON order (numbers across types, then strings, ...); null and missing ignored. */
function extreme(sign: 1 | -1): AccOp {
  return (coll, expr, options) => {
    const values = (accumulators.$push(coll as Doc[], expr, options) as unknown[]).filter((v) => v !== null && v !== undefined);
    if (values.length === 0) return null;
    return values.reduce((best, v) => (sign * compareValues(v, best) > 0 ? v : best));
  };
}

const GUARDED_EXPRESSIONS = ['$add', '$subtract', '$multiply', '$divide', '$mod', '$abs', '$ceil', '$floor', '$round', '$trunc', '$sqrt', '$pow', '$exp', '$ln', '$log', '$log10'] as const;
const GUARDED_ACCUMULATORS = ['$sum', '$avg', '$stdDevPop', '$stdDevSamp'] as const;

let cached: Context | undefined;

/**
 * mingo's operators with the engine's overrides. Context.from() lets the first context
 * win, so the full set is built here and given to mingo's base Aggregator directly.
 */
export function engineContext(): Context {
  if (cached) return cached;
  const arith = arithmetic as unknown as Record<string, ExprOp>;
  const acc = accumulators as unknown as Record<string, AccOp>;
  const expression: Record<string, Fn> = { $dateTrunc, $dateAdd, $dateSubtract, $dateFromParts };
  for (const name of GUARDED_EXPRESSIONS) expression[name] = guardExpression(name, arith[name]);
  const accumulator: Record<string, Fn> = { $min: extreme(-1), $max: extreme(1) };
  for (const name of GUARDED_ACCUMULATORS) accumulator[name] = guardAccumulator(name, acc[name]);
  cached = core.Context.init({
    expression: { ...expressions, ...expression } as never,
    accumulator: { ...(accumulators as unknown as Record<string, Fn>), ...accumulator } as never,
    pipeline: { ...pipelines, $group: groupStage(pipelines.$group as never), $sort: sortStage, $project: projectStage, $bucket: bucketStage, [PRELUDE_STAGE]: preludeStage } as never,
    projection: projections as never,
    query: queries as never,
    window: windows as never,
  });
  return cached;
}
