/**
 * Pipeline stages the engine runs instead of mingo's: $sort in BSON order (sort.ts),
 * $project with MongoDB's output field order, $bucket with MongoDB's boundaries (as the
 * $group + $sort it stands for), and the prelude stage that pins $$NOW for one run.
 */
import type { Iterator } from 'mingo/types/lazy';
import type { Options } from 'mingo/types/types';
import { fail, unsupported } from '../errors';
import { compileSort } from './sort';
import { serverError } from './update-format';
import { bsonType, compareValues, isPlainObject, type Doc } from './values';

// Loaded with require: this project's node10 resolution does not read package "exports".
const { Lazy } = require('mingo/lazy') as typeof import('mingo/types/lazy');
const mingoStages = require('mingo/operators/pipeline') as typeof import('mingo/types/operators/pipeline');

/** Name of the prelude stage runPipeline puts first; mingo builds stages in order. */
export const PRELUDE_STAGE = '$__retourPrelude';

export function preludeStage(coll: Iterator, timestamp: unknown, options: Options): Iterator {
  // ComputeOptions reads $$NOW from its locals; setting it before any stage runs pins it.
  const locals = (options as unknown as { local?: Record<string, unknown> }).local;
  if (locals && typeof timestamp === 'number') locals.timestamp = timestamp;
  return coll;
}

export function sortStage(coll: Iterator, spec: unknown, _options: Options): Iterator {
  if (!isPlainObject(spec)) throw serverError(15973, 'Location15973', 'the $sort key specification must be an object');
  const keys = Object.keys(spec);
  if (keys.length === 0) throw serverError(15976, 'Location15976', '$sort stage must have at least one sort key');
  for (const k of keys) {
    const dir = spec[k];
    if (isPlainObject(dir) && '$meta' in dir) throw unsupported(`$sort by {$meta: ${String(dir.$meta)}}`);
    if (dir !== 1 && dir !== -1) {
      throw serverError(15975, 'Location15975', '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
    }
  }
  const cmp = compileSort(spec);
  // Array.prototype.sort is stable: ties keep their incoming order.
  return coll.transform((docs: Doc[]) => Lazy(docs.sort(cmp)));
}

function isFlag(v: unknown): boolean {
  return typeof v === 'boolean' || typeof v === 'number';
}

/**
 * MongoDB's inclusion $project emits `_id`, then included fields in the input document's
 * order, then computed fields; mingo follows the specification's order instead.
 */
function reorder(out: unknown, input: unknown, spec: Doc): unknown {
  if (!isPlainObject(out) || !isPlainObject(input)) return out;
  const inInputOrder = new Set<string>();
  for (const k of Object.keys(spec)) {
    const v = spec[k];
    const child = isPlainObject(v) && !Object.keys(v).some((x) => x.startsWith('$'));
    if (k.includes('.') || child || (isFlag(v) && v !== 0 && v !== false)) inInputOrder.add(k.split('.')[0]);
  }
  const keys: string[] = [];
  if ('_id' in out) keys.push('_id');
  for (const k of Object.keys(input)) if (k !== '_id' && inInputOrder.has(k) && k in out) keys.push(k);
  // Computed fields follow, in the specification's order.
  for (const k of Object.keys(spec)) if (k in out && !keys.includes(k)) keys.push(k);
  for (const k of Object.keys(out)) if (!keys.includes(k)) keys.push(k);
  const ordered: Doc = {};
  for (const k of keys) ordered[k] = out[k];
  return ordered;
}

export function projectStage(coll: Iterator, spec: unknown, options: Options): Iterator {
  if (!isPlainObject(spec)) throw serverError(15969, 'Location15969', '$project specification must be an object');
  const exclusionOnly = Object.keys(spec).every((k) => spec[k] === 0 || spec[k] === false);
  if (exclusionOnly) return mingoStages.$project(coll, spec, options);
  // mingo's $project maps documents one to one, lazily: remember the input being projected.
  let current: unknown;
  const tapped = coll.map((doc: unknown) => (current = doc));
  return mingoStages.$project(tapped, spec, options).map((out: unknown) => reorder(out, current, spec));
}

/** $bucket is $group on the boundary an input falls in (lower bound inclusive), sorted by _id. */
export function bucketStage(coll: Iterator, spec: unknown, options: Options): Iterator {
  if (!isPlainObject(spec)) throw serverError(40201, 'Location40201', 'Argument to $bucket stage must be an object');
  const { groupBy, boundaries, output } = spec;
  if (groupBy === undefined || boundaries === undefined) {
    throw serverError(40198, 'Location40198', "$bucket requires 'groupBy' and 'boundaries' to be specified.");
  }
  if (!Array.isArray(boundaries) || boundaries.length < 2) {
    throw serverError(40192, 'Location40192', "The $bucket 'boundaries' field must be an array with at least 2 elements");
  }
  for (let i = 1; i < boundaries.length; i++) {
    const sameKind = bsonType(boundaries[i]) === bsonType(boundaries[i - 1]) || (typeof boundaries[i] === 'number' && typeof boundaries[i - 1] === 'number');
    if (!sameKind) throw serverError(40193, 'Location40193', "All values in the the 'boundaries' option to $bucket must have the same type.");
    if (compareValues(boundaries[i - 1], boundaries[i]) >= 0) {
      throw serverError(40194, 'Location40194', "The 'boundaries' option to $bucket must be sorted in ascending order");
    }
  }
  const hasDefault = Object.prototype.hasOwnProperty.call(spec, 'default');
  if (hasDefault && compareValues(spec.default, boundaries[0]) >= 0 && compareValues(spec.default, boundaries[boundaries.length - 1]) < 0) {
    throw serverError(40199, 'Location40199', "The $bucket 'default' field must be less than the lowest boundary or greater than or equal to the highest boundary.");
  }
  if (output !== undefined && !isPlainObject(output)) throw fail('TypeMismatch', "The $bucket 'output' field must be an object");
  const branches = boundaries.slice(0, -1).map((lower, i) => ({
    case: { $and: [{ $gte: [groupBy, { $literal: lower }] }, { $lt: [groupBy, { $literal: boundaries[i + 1] }] }] },
    then: { $literal: lower },
  }));
  const key = { $switch: hasDefault ? { branches, default: { $literal: spec.default } } : { branches } };
  const grouped = mingoStages.$group(coll, { _id: key, ...(output ?? { count: { $sum: 1 } }) }, options);
  return sortStage(grouped, { _id: 1 }, options);
}
