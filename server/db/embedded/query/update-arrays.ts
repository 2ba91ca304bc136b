/**
 * Array modifiers: $push (with $each, $slice, $sort, $position), $addToSet, $pop, $pull
 * and $pullAll. Arguments are validated when the update is parsed; $pull conditions are
 * compiled once with the query matcher.
 */
import { fail } from '../errors';
import { compileFilter } from './match';
import { formatElement, formatId, formatValue, typeName } from './update-format';
import { NOOP, type LeafContext, type LeafOp, type LeafResult } from './update-types';
import { bsonType, cloneValue, compareValues, isNumeric, isPlainObject, numberValue, type Doc } from './values';

/** An integral number operand (Int32, Int64 or a whole Double), as MongoDB accepts for counts. */
function integerArg(v: unknown): number | undefined {
  if (!isNumeric(v) || bsonType(v) === 'decimal') return undefined;
  const n = numberValue(v);
  return Number.isInteger(n) ? n : undefined;
}

function pathOf(ctx: LeafContext): string {
  return ctx.path.join('.');
}

function getDotted(value: unknown, parts: string[]): unknown {
  let cur = value;
  for (const p of parts) {
    if (Array.isArray(cur) && /^\d+$/.test(p)) cur = cur[Number(p)];
    else if (isPlainObject(cur)) cur = cur[p];
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** $push's $sort: whole elements by 1/-1, or documents by a field pattern (no array expansion). */
function sortComparator(spec: unknown): (a: unknown, b: unknown) => number {
  if (isNumeric(spec)) {
    const dir = numberValue(spec);
    if (dir !== 1 && dir !== -1) throw fail('BadValue', 'The $sort element value must be either 1 or -1');
    return (a, b) => dir * compareValues(a, b);
  }
  if (!isPlainObject(spec)) {
    throw fail('BadValue', 'The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields');
  }
  const keys = Object.keys(spec);
  if (keys.length === 0) throw fail('BadValue', 'The sort pattern is empty when it should be a set of fields.');
  const fields = keys.map((k) => {
    const dir = isNumeric(spec[k]) ? numberValue(spec[k]) : 0;
    if (dir !== 1 && dir !== -1) throw fail('BadValue', 'The sort element value must be either 1 or -1');
    if (k.split('.').some((p) => p === '')) throw fail('BadValue', `The sort field is a dotted field but has an empty part: ${k}`);
    return { parts: k.split('.'), dir };
  });
  return (a, b) => {
    for (const f of fields) {
      // Non-documents and missing fields both sort as null.
      const x = isPlainObject(a) ? getDotted(a, f.parts) ?? null : null;
      const y = isPlainObject(b) ? getDotted(b, f.parts) ?? null : null;
      const c = compareValues(x, y);
      if (c !== 0) return f.dir * c;
    }
    return 0;
  };
}

function push(arg: unknown): LeafOp {
  let values: unknown[] = [arg];
  let slice: number | undefined;
  let position: number | undefined;
  let sort: ((a: unknown, b: unknown) => number) | undefined;
  if (isPlainObject(arg) && Object.prototype.hasOwnProperty.call(arg, '$each')) {
    for (const clause of Object.keys(arg)) {
      if (!['$each', '$slice', '$sort', '$position'].includes(clause)) throw fail('BadValue', `Unrecognized clause in $push: ${clause}`);
    }
    if (!Array.isArray(arg.$each)) throw fail('BadValue', `The argument to $each in $push must be an array but it was of type: ${typeName(arg.$each)}`);
    values = arg.$each;
    if (arg.$slice !== undefined) {
      slice = integerArg(arg.$slice);
      if (slice === undefined) throw fail('BadValue', `The value for $slice must be an integer value but was given type: ${typeName(arg.$slice)}`);
    }
    if (arg.$sort !== undefined) sort = sortComparator(arg.$sort);
    if (arg.$position !== undefined) {
      position = integerArg(arg.$position);
      if (position === undefined) throw fail('BadValue', `The value for $position must be an integer value, not of type: ${typeName(arg.$position)}`);
    }
  }
  const perform = (array: unknown[]): boolean => {
    let changed = values.length > 0;
    const items = values.map(cloneValue);
    const size = array.length;
    let at = size;
    if (position !== undefined && size > 0) {
      if (position > size) at = size;
      else if (position >= 0) at = position;
      else at = -position < size ? size + position : 0;
    }
    array.splice(at, 0, ...items);
    if (sort) {
      // MongoDB reports a $push with $sort as a modification even when the order is unchanged.
      changed = true;
      const cmp = sort;
      array.sort((a, b) => cmp(a, b));
    }
    if (slice !== undefined && array.length > Math.abs(slice)) {
      changed = true;
      if (slice >= 0) array.length = slice;
      else array.splice(0, array.length + slice);
    }
    return changed;
  };
  return {
    name: '$push',
    missing: 'create',
    update(cur, ctx): LeafResult {
      if (!Array.isArray(cur)) {
        throw fail('BadValue', `The field '${pathOf(ctx)}' must be an array but is of type ${typeName(cur)} in document {${formatId(ctx.root)}}`);
      }
      const next = cur.slice();
      return perform(next) ? { kind: 'set', value: next } : NOOP;
    },
    create() {
      const next: unknown[] = [];
      perform(next);
      return next;
    },
  };
}

function addToSet(arg: unknown): LeafOp {
  let values: unknown[] = [arg];
  if (isPlainObject(arg) && Object.keys(arg)[0] === '$each') {
    if (!Array.isArray(arg.$each)) throw fail('TypeMismatch', `The argument to $each in $addToSet must be an array but it was of type ${typeName(arg.$each)}`);
    if (Object.keys(arg).length > 1) throw fail('BadValue', `Found unexpected fields after $each in $addToSet: ${formatValue(arg)}`);
    values = [];
    for (const v of arg.$each as unknown[]) if (!values.some((x) => compareValues(x, v) === 0)) values.push(v);
  }
  return {
    name: '$addToSet',
    missing: 'create',
    update(cur, ctx) {
      if (!Array.isArray(cur)) {
        throw fail('BadValue', `Cannot apply $addToSet to non-array field. Field named '${ctx.path[ctx.path.length - 1]}' has non-array type ${typeName(cur)}`);
      }
      const toAdd = values.filter((v) => !cur.some((x) => compareValues(x, v) === 0));
      return toAdd.length ? { kind: 'set', value: [...cur, ...toAdd.map(cloneValue)] } : NOOP;
    },
    create: () => values.map(cloneValue),
  };
}

function pop(field: string, arg: unknown): LeafOp {
  if (!isNumeric(arg)) throw fail('FailedToParse', `Expected a number in: ${formatElement(field, arg)}`);
  const n = integerArg(arg);
  if (n === undefined) throw fail('FailedToParse', `Expected an integer: ${formatElement(field, arg)}`);
  if (n !== 1 && n !== -1) throw fail('FailedToParse', `$pop expects 1 or -1, found: ${n}`);
  return {
    name: '$pop',
    missing: 'check',
    update(cur, ctx) {
      if (!Array.isArray(cur)) throw fail('TypeMismatch', `Path '${pathOf(ctx)}' contains an element of non-array type '${typeName(cur)}'`);
      if (cur.length === 0) return NOOP;
      return { kind: 'set', value: n < 0 ? cur.slice(1) : cur.slice(0, -1) };
    },
  };
}

const TOP_LEVEL_OPERATORS = new Set(['$and', '$or', '$nor', '$expr', '$where', '$comment', '$text', '$jsonSchema', '$alwaysTrue', '$alwaysFalse']);

function isRegex(v: unknown): boolean {
  return bsonType(v) === 'regex';
}

/** How $pull decides that an element goes: query on documents, wrapped operator condition, or equality. */
function pullMatcher(arg: unknown): (element: unknown) => boolean {
  if (isPlainObject(arg)) {
    const first = Object.keys(arg)[0];
    if (first === undefined || !first.startsWith('$') || TOP_LEVEL_OPERATORS.has(first)) {
      const matcher = compileFilter(arg);
      return (e) => isPlainObject(e) && matcher.test(e);
    }
  }
  if (isPlainObject(arg) || isRegex(arg)) {
    // Operator conditions ({$gte: 5}) and regexes apply to the element itself: wrap both sides.
    const matcher = compileFilter({ v: arg });
    return (e) => matcher.test({ v: e } as Doc);
  }
  return (e) => compareValues(e, arg) === 0;
}

function culling(name: '$pull' | '$pullAll', matches: (element: unknown) => boolean): LeafOp {
  return {
    name,
    missing: 'check',
    update(cur) {
      if (!Array.isArray(cur)) throw fail('BadValue', 'Cannot apply $pull to a non-array value');
      const kept = cur.filter((e) => !matches(e));
      return kept.length === cur.length ? NOOP : { kind: 'set', value: kept };
    },
  };
}

/** The modifier for an array operator, or undefined for other names. */
export function arrayModifier(name: string, field: string, arg: unknown): LeafOp | undefined {
  switch (name) {
    case '$push': return push(arg);
    case '$addToSet': return addToSet(arg);
    case '$pop': return pop(field, arg);
    case '$pull': return culling('$pull', pullMatcher(arg));
    case '$pullAll': {
      if (!Array.isArray(arg)) throw fail('BadValue', `$pullAll requires an array argument but was given a ${typeName(arg)}`);
      const values = arg;
      return culling('$pullAll', (e) => values.some((v) => compareValues(e, v) === 0));
    }
    default: return undefined;
  }
}

