/**
 * A streaming $group: documents flow through once and only each group's running
 * accumulator state is kept. mingo's own $group first collects every input document
 * into per-group arrays, which for a report over a million responses holds them all in
 * memory at once. Accumulators this file does not know fall back to mingo's $group.
 */
import { encodeKey } from '../indexes/key-encoding';
import { refuse } from './aggregate-context';
import { compileExpression, ComputeOptions, type EvalOptions as Options } from './compiled-expressions';
import { compareValues, type Doc } from './values';

const lazy = require('mingo/lazy') as typeof import('mingo/types/lazy');

type Iter = import('mingo/types/lazy').Iterator;

interface Accumulator {
  add(value: unknown): void;
  result(): unknown;
}


/** Running state per accumulator, with MongoDB's rules for missing and non-numeric values. */
const ACCUMULATORS: Record<string, () => Accumulator> = {
  $sum: () => {
    let sum = 0;
    // A plain number is never refused: checked first, it skips the type inspection.
    return { add: (v) => { if (typeof v === 'number') sum += v; else refuse('$sum', v); }, result: () => sum };
  },
  $avg: () => {
    let sum = 0;
    let n = 0;
    return {
      add: (v) => { if (typeof v === 'number') { sum += v; n += 1; } else refuse('$avg', v); },
      result: () => (n ? sum / n : null),
    };
  },
  $min: () => extreme(-1),
  $max: () => extreme(1),
  $first: () => {
    let seen = false;
    let first: unknown = null;
    return { add: (v) => { if (!seen) { seen = true; first = v ?? null; } }, result: () => first };
  },
  $last: () => {
    let last: unknown = null;
    return { add: (v) => { last = v ?? null; }, result: () => last };
  },
  $push: () => {
    const all: unknown[] = [];
    return { add: (v) => { if (v !== undefined) all.push(v); }, result: () => all };
  },
  $addToSet: () => {
    const set = new Map<string, unknown>();
    return { add: (v) => { if (v !== undefined) set.set(encodeKey(v), v); }, result: () => [...set.values()] };
  },
};

function extreme(direction: 1 | -1): Accumulator {
  let best: unknown;
  return {
    // $min and $max ignore null and missing values.
    add: (v) => {
      if (v === undefined || v === null) return;
      if (best === undefined || compareValues(v, best) * direction > 0) best = v;
    },
    result: () => best ?? null,
  };
}

interface FieldSpec {
  name: string;
  make: () => Accumulator;
  expr: unknown;
}

/** The accumulator fields of a $group spec, or null when one of them needs mingo. */
function streamable(spec: Doc): FieldSpec[] | null {
  const fields: FieldSpec[] = [];
  for (const [name, acc] of Object.entries(spec)) {
    if (name === '_id') continue;
    if (acc === null || typeof acc !== 'object' || Array.isArray(acc)) return null;
    const ops = Object.keys(acc);
    if (ops.length !== 1) return null;
    const op = ops[0];
    if (op === '$count') {
      fields.push({ name, make: ACCUMULATORS.$sum, expr: 1 });
      continue;
    }
    const make = ACCUMULATORS[op];
    if (!make) return null;
    fields.push({ name, make, expr: (acc as Doc)[op] });
  }
  return fields;
}

/** Builds the $group pipeline operator: streaming when it can, mingo's otherwise. */
export function groupStage(fallback: (coll: Iter, expr: Doc, options: Options) => Iter) {
  return (coll: Iter, expr: Doc, options: Options): Iter => {
    const fields = streamable(expr);
    if (!fields || !('_id' in expr)) return fallback(coll, expr, options);
    // One ComputeOptions for the whole stage, re-rooted per document (as mingo's own
    // accumulators do) where an expression is left to mingo's evalExpr, which would build
    // a new context per call from plain options.
    const copts = ComputeOptions.init(options);
    const compiled = { usesMingo: false };
    const idOf = compileExpression(expr._id, copts.context, compiled);
    const values = fields.map((f) => compileExpression(f.expr, copts.context, compiled));
    const groups = new Map<string, { id: unknown; accs: Accumulator[] }>();
    for (let step = coll.next(); !step.done; step = coll.next()) {
      const doc = step.value as Doc;
      if (compiled.usesMingo) copts.update({ root: doc });
      const id = idOf(doc, copts) ?? null;
      const key = encodeKey(id);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { id, accs: fields.map((f) => f.make()) }));
      for (let i = 0; i < fields.length; i++) group.accs[i].add(values[i](doc, copts));
    }
    const out: Doc[] = [];
    for (const { id, accs } of groups.values()) {
      const row: Doc = { _id: id };
      fields.forEach((f, i) => (row[f.name] = accs[i].result()));
      out.push(row);
    }
    return lazy.Lazy(out);
  };
}
