/**
 * The building blocks of compiled filters: a FieldOp is one field operator, usable both on
 * a document path (with array traversal) and on one bare value (inside $elemMatch's value
 * form and $not). Here: combinators, equality, ranges ($gt...), $in and $exists.
 */
import { compareNumbers, compareValues, isNumeric, numberValue, typeRank } from './values';
import { MATCH, NO_MATCH, matchPath, type ValuePred } from './paths';
import { compileRegex, regexParts, regexPredicate } from './match-regex';
import { fail } from '../errors';
import { locationError } from './match-errors';

/** A compiled predicate on a document (or array element): NO_MATCH, MATCH, or an array position. */
export type Node = (root: unknown) => number;

export interface FieldOp {
  /** The operator applied to one value as it is (no array expansion). */
  single: ValuePred;
  /** The operator applied at a path of a document, with MongoDB's array traversal. */
  node(parts: readonly string[]): Node;
}

/** A leaf operator: true when any value the path reaches satisfies `single`. */
export function leafOp(single: ValuePred, expandLeaf = true): FieldOp {
  return {
    single,
    node: (parts) => (root) => matchPath(root, parts, 0, single, expandLeaf, MATCH),
  };
}

/** Negation ($ne, $nin, $not, $exists: false): true when NO value the path reaches matches. */
export function notOp(op: FieldOp): FieldOp {
  return {
    single: (v) => !op.single(v),
    node: (parts) => {
      const inner = op.node(parts);
      return (root) => (inner(root) === NO_MATCH ? MATCH : NO_MATCH);
    },
  };
}

/** All nodes must match; the position comes from the first one that reports one. */
export function andNodes(nodes: Node[]): Node {
  if (nodes.length === 1) return nodes[0];
  return (root) => {
    let pos = MATCH;
    for (const n of nodes) {
      const r = n(root);
      if (r === NO_MATCH) return NO_MATCH;
      if (pos === MATCH && r >= 0) pos = r;
    }
    return pos;
  };
}

export function andOp(ops: FieldOp[]): FieldOp {
  if (ops.length === 1) return ops[0];
  return {
    single: (v) => ops.every((o) => o.single(v)),
    node: (parts) => andNodes(ops.map((o) => o.node(parts))),
  };
}

export const NEVER: FieldOp = { single: () => false, node: () => () => NO_MATCH };

function bsontype(v: unknown): string | undefined {
  return v !== null && typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined;
}

/** Equality on one value: numbers by value across types, null also matches missing. */
export function equalsPredicate(rhs: unknown): ValuePred {
  if (rhs === null || rhs === undefined) return (v) => v === null || v === undefined;
  if (typeof rhs === 'string') {
    return (v) => v === rhs || (bsontype(v) === 'BSONSymbol' && String((v as { value: string }).value) === rhs);
  }
  if (typeof rhs === 'boolean') return (v) => v === rhs;
  if (isNumeric(rhs)) return (v) => isNumeric(v) && compareNumbers(v, rhs) === 0;
  if (bsontype(rhs) === 'ObjectId') {
    // References are the most common equality: compare the 12 bytes without allocating.
    const id = (rhs as { id: Uint8Array }).id;
    return (v) => {
      if (bsontype(v) !== 'ObjectId') return false;
      const other = (v as { id: Uint8Array }).id;
      for (let i = 0; i < 12; i++) if (other[i] !== id[i]) return false;
      return true;
    };
  }
  const rank = typeRank(rhs);
  return (v) => typeRank(v) === rank && compareValues(v, rhs) === 0;
}

/** Implicit equality and $eq's sibling for regex literals: `{a: /x/}` searches strings. */
export function regexOp(rx: unknown): FieldOp {
  const parts = regexParts(rx);
  if (!parts) throw fail('BadValue', 'not a regex');
  return leafOp(regexPredicate(compileRegex(parts.pattern, parts.options)));
}

export function eqOp(rhs: unknown): FieldOp {
  return leafOp(equalsPredicate(rhs));
}

export type RangeOp = '$gt' | '$gte' | '$lt' | '$lte';

/**
 * $gt/$gte/$lt/$lte with type bracketing: only values of the operand's canonical type
 * compare (numbers together, null with missing), except that MinKey/MaxKey bounds
 * admit every other type. NaN equals only NaN and is neither above nor below anything.
 */
export function rangeOp(op: RangeOp, rhs: unknown, field: string): FieldOp {
  if (regexParts(rhs)) throw fail('BadValue', `Can't have RegEx as arg to predicate over field '${field}'.`);
  const rank = typeRank(rhs);
  const below = op === '$lt' || op === '$lte';
  const orEqual = op === '$gte' || op === '$lte';
  const rhsType = bsontype(rhs);
  const rhsNaN = isNumeric(rhs) && Number.isNaN(numberValue(rhs));
  const bound = typeof rhs === 'number' || rhsType === 'Int32' || rhsType === 'Double' ? numberValue(rhs) : undefined;
  return leafOp((v) => {
    if (bound !== undefined && !rhsNaN) {
      // Fast path: a plain double bound against a plain/Int32/Double value.
      const t = typeof v === 'object' && v !== null ? (v as { _bsontype?: string })._bsontype : undefined;
      if (typeof v === 'number' || t === 'Int32' || t === 'Double') {
        const x = typeof v === 'number' ? v : (v as { value: number }).value;
        if (x !== x) return false; // NaN is neither above nor below anything
        return x === bound ? orEqual : below ? x < bound : x > bound;
      }
    }
    if (typeRank(v) !== rank) {
      if (rhsType === 'MinKey') return !below;
      if (rhsType === 'MaxKey') return below;
      return false;
    }
    if (rank === 3 && (rhsNaN || Number.isNaN(numberValue(v)))) return orEqual && rhsNaN && Number.isNaN(numberValue(v));
    const c = compareValues(v, rhs);
    return c === 0 ? orEqual : below ? c < 0 : c > 0;
  });
}

/** A DBRef-free `{ $op: ... }` document: what the parser reads as operators, not a value. */
export function isOperatorObject(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || bsontype(v) !== undefined) return false;
  if (v instanceof Date || v instanceof RegExp) return false;
  const keys = Object.keys(v);
  if (keys.length === 0 || !keys[0].startsWith('$')) return false;
  // {$ref, $id} (and incomplete DBRefs in $in) are values, not operators.
  return !(keys.includes('$ref') && keys.includes('$id'));
}

/** $in: equality to any listed value, or a match of any listed regex; sets speed up big lists. */
export function inOp(values: unknown, name: '$in' | '$nin'): FieldOp {
  if (!Array.isArray(values)) throw fail('BadValue', `${name} needs an array`);
  const strings = new Set<string>();
  const numbers = new Set<number>();
  const oids = new Set<string>();
  const others: ValuePred[] = [];
  let hasNull = false;
  let hasTrue = false;
  let hasFalse = false;
  for (const x of values) {
    if (isOperatorObject(x)) throw fail('BadValue', 'cannot nest $ under $in');
    const t = bsontype(x);
    if (x === null || x === undefined) hasNull = true;
    else if (typeof x === 'string') strings.add(x);
    else if (x === true) hasTrue = true;
    else if (x === false) hasFalse = true;
    else if (typeof x === 'number' || t === 'Int32' || t === 'Double') numbers.add(numberValue(x));
    else if (t === 'ObjectId') oids.add((x as { toHexString(): string }).toHexString());
    else if (regexParts(x)) others.push(regexOp(x).single);
    else others.push(equalsPredicate(x));
  }
  return leafOp((v) => {
    switch (typeof v) {
      case 'string': if (strings.has(v)) return true; break;
      case 'boolean': return v ? hasTrue : hasFalse;
      case 'number': if (numbers.has(v)) return true; break;
      case 'undefined': return hasNull;
      case 'object': {
        if (v === null) return hasNull;
        const t = bsontype(v);
        if ((t === 'Int32' || t === 'Double') && numbers.has(numberValue(v))) return true;
        if (t === 'ObjectId') return oids.has((v as { toHexString(): string }).toHexString()) || others.some((p) => p(v));
        if (numbers.size > 0 && (t === 'Long' || t === 'Decimal128')) {
          for (const n of numbers) if (compareNumbers(v, n) === 0) return true;
        }
        if (t === 'BSONSymbol' && strings.has(String((v as { value: string }).value))) return true;
        break;
      }
      default: break;
    }
    for (const p of others) if (p(v)) return true;
    return false;
  });
}

/** MongoDB's truthiness of an operand (`$exists: 0` is false, `$exists: "no"` is true). */
export function trueValue(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (isNumeric(v)) return numberValue(v) !== 0;
  return true;
}

export function existsOp(arg: unknown): FieldOp {
  const exists = leafOp((v) => v !== undefined);
  return trueValue(arg) ? exists : notOp(exists);
}

/** `{ $regex: 'a', $options: 'i' }` (either order) or `{ $regex: /a/i }`. */
export function regexDocumentOp(ops: Record<string, unknown>, keys: string[]): FieldOp {
  const source = ops.$regex;
  let pattern: string;
  let options = '';
  const parts = regexParts(source);
  if (typeof source === 'string') pattern = source;
  else if (parts) ({ pattern, options } = parts);
  else throw fail('BadValue', '$regex has to be a string');
  if (keys.includes('$options')) {
    if (typeof ops.$options !== 'string') throw fail('BadValue', '$options has to be a string');
    if (options && ops.$options) {
      const regexFirst = keys.indexOf('$regex') < keys.indexOf('$options');
      throw locationError(regexFirst ? 51075 : 51074, 'options set in both $regex and $options');
    }
    options = options || ops.$options;
  }
  return leafOp(regexPredicate(compileRegex(pattern, options)));
}
