/**
 * Find projections: `compileProjection(spec)` parses a projection with MongoDB's rules and
 * error codes (inclusion vs exclusion, `_id`, dotted and nested paths, `$slice`,
 * `$elemMatch`, positional `.$`, literals and aggregation expressions) into a function
 * that projects typed documents. Applying the parsed tree is in projection-apply.ts.
 */
import { fail, unsupported } from '../errors';
import { isNumeric, isPlainObject, numberValue, type Doc } from './values';
import { compileFilter } from './match';
import { trueValue } from './match-ops';
import { describeValue, locationError } from './match-errors';
import { validateFieldPath } from './sort';
import { applyProjection, expressionEvaluator, type PNode, type Tree } from './projection-apply';

// Subpath exports are invisible to TypeScript's node10 resolution; Node resolves them at run time.
const expressionOperators = require('mingo/operators/expression') as Record<string, unknown>;
const accumulatorOperators = require('mingo/operators/accumulator') as Record<string, unknown>;
/** Expression names mingo evaluates (as expressions or accumulators used as expressions). */
const EXPRESSIONS = new Set([...Object.keys(expressionOperators), ...Object.keys(accumulatorOperators)]);
/** MongoDB expressions mingo lacks: refused as unsupported rather than as unknown. */
const MISSING_EXPRESSIONS = new Set([
  '$toObjectId', '$toUUID', '$tsSecond', '$tsIncrement', '$binarySize', '$bsonSize', '$function',
  '$accumulator', '$top', '$bottom', '$topN', '$bottomN', '$createObjectId',
]);

interface ParseState {
  root: Tree;
  type?: 'inclusion' | 'exclusion';
  idSpecified: boolean;
  idIncluded: boolean;
  hasPositional: boolean;
  hasElemMatch: boolean;
  hasSlice: boolean;
  positional?: string[];
}

const newTree = (): Tree => ({ kind: 'tree', children: new Map(), computed: false });

function addNode(root: Tree, parts: string[], node: PNode): void {
  let tree = root;
  const full = parts.join('.');
  for (let i = 0; i < parts.length - 1; i++) {
    let child = tree.children.get(parts[i]);
    if (!child) {
      child = newTree();
      tree.children.set(parts[i], child);
    } else if (child.kind !== 'tree') {
      throw locationError(31249, `Path collision at ${full} remaining portion ${parts.slice(1).join('.')}`);
    }
    tree = child;
  }
  const last = parts[parts.length - 1];
  if (tree.children.has(last)) throw locationError(31250, `Path collision at ${full}`);
  tree.children.set(last, node);
}

/** The tree at `parts` (made if absent), for nested sub-projections such as `{a: {b: 1}}`. */
function treeAt(root: Tree, parts: string[]): Tree {
  let tree = root;
  for (let i = 0; i < parts.length; i++) {
    const child = tree.children.get(parts[i]);
    if (child && child.kind !== 'tree') throw locationError(31250, `Path collision at ${parts.join('.')}`);
    if (!child) {
      addNode(tree, parts.slice(i), newTree());
      return treeAt(tree, parts.slice(i));
    }
    tree = child;
  }
  return tree;
}

/** Flags every tree above a computed field, so applying knows where expressions live. */
function markComputed(root: Tree, parts: string[]): void {
  let tree: PNode | undefined = root;
  for (const part of parts.slice(0, -1)) {
    if (tree?.kind !== 'tree') return;
    tree.computed = true;
    tree = tree.children.get(part);
  }
  if (tree?.kind === 'tree') tree.computed = true;
}

function parseElement(st: ParseState, tree: Tree, prefix: string[], name: string, value: unknown): void {
  if (name.includes('.$.')) {
    throw locationError(31394, "As of 4.4, it's illegal to specify positional operator in the middle of a path."
      + 'Positional projection may only be used at the end, for example: a.b.$. If the query previously used a '
      + "form like a.b.$.d, remove the parts following the '$' and the results will be equivalent.");
  }
  const positional = name.endsWith('.$') || name === '$';
  const atRoot = prefix.length === 0;
  if (isPlainObject(value) && (value as { _bsontype?: string })._bsontype === undefined) {
    if (positional) throw locationError(31271, 'positional projection cannot be used with an expression or sub object');
    parseSubObject(st, tree, prefix, name, value);
  } else if (typeof value === 'boolean' || isNumeric(value)) {
    if (trueValue(value)) {
      parseInclusion(st, tree, prefix, name, positional);
    } else {
      if (positional) throw locationError(31395, 'positional projection cannot be used with exclusion');
      addNode(tree, validateFieldPath(name), { kind: 'exclude' });
      // `_id: 0` is allowed in both kinds of projection.
      if (!atRoot || name !== '_id') {
        if (st.type === 'inclusion') throw fail('Location31254', `Cannot do exclusion on field ${name} in inclusion projection`);
        st.type = 'exclusion';
      }
    }
  } else {
    if (positional) throw locationError(31308, 'positional projection cannot be used with a literal');
    addExpression(st, tree, prefix, name, value, () => locationError(31310, `Cannot use an expression ${name}: ${describeValue(value)} in an exclusion projection`));
  }
}

function parseInclusion(st: ParseState, tree: Tree, prefix: string[], name: string, positional: boolean): void {
  const topLevelId = prefix.length === 0 && name === '_id';
  if (!positional) {
    addNode(tree, validateFieldPath(name), { kind: 'include' });
    if (topLevelId) st.idIncluded = true;
  } else {
    if (st.hasPositional) throw locationError(31276, 'Cannot specify more than one positional projection per query.');
    if (st.hasElemMatch) throw locationError(31256, 'Cannot specify positional operator and $elemMatch.');
    if (name === '.$' || name === '$') throw locationError(5392900, `Projection on field ${name} is invalid`);
    const parts = validateFieldPath(name.slice(0, -2));
    addNode(tree, parts, { kind: 'positional' });
    st.hasPositional = true;
    st.positional = [...prefix, ...parts];
  }
  if (!topLevelId) {
    if (st.type === 'exclusion') throw fail('Location31253', `Cannot do inclusion on field ${name} in exclusion projection`);
    st.type = 'inclusion';
  }
}

function addExpression(st: ParseState, tree: Tree, prefix: string[], name: string, expr: unknown, error: () => Error): void {
  if (st.type === 'exclusion') throw error();
  st.type = 'inclusion';
  const parts = validateFieldPath(name);
  addNode(tree, parts, { kind: 'expr', evaluate: expressionEvaluator(expr) });
  markComputed(st.root, [...prefix, ...parts]);
}

function parseSubObject(st: ParseState, tree: Tree, prefix: string[], name: string, obj: Doc): void {
  const keys = Object.keys(obj);
  if (keys.length === 0) throw locationError(51270, `Invalid empty sub-projection: ${name}`);
  const parts = validateFieldPath(name);
  if (keys.length === 1 && keys[0].startsWith('$')) {
    const op = keys[0];
    const arg = obj[op];
    if (op === '$slice' && parseFindSlice(st, tree, parts, arg)) return;
    if (op === '$elemMatch') {
      if (!isPlainObject(arg)) throw locationError(31274, `elemMatch: Invalid argument, object required, but got ${describeValue(arg)}`);
      if (st.hasPositional) throw locationError(31255, 'Cannot specify positional operator and $elemMatch.');
      if (prefix.length > 0 || parts.length > 1) throw locationError(31275, 'Cannot use $elemMatch projection on a nested field.');
      const matcher = compileFilter({ [name]: { $elemMatch: arg } });
      addNode(tree, parts, { kind: 'elemMatch', field: name, matcher });
      markComputed(st.root, parts);
      st.hasElemMatch = true;
      return;
    }
    if (op === '$meta') throw unsupported('$meta projection');
    if (op === '$slice' || EXPRESSIONS.has(op)) {
      addExpression(st, tree, prefix, name, obj, () => locationError(31252, 'Cannot use expression other than $meta in exclusion projection'));
      return;
    }
    if (MISSING_EXPRESSIONS.has(op)) throw unsupported(op);
    throw locationError(31325, `Unknown expression ${op}`);
  }
  const sub = treeAt(tree, parts);
  for (const key of keys) parseElement(st, sub, [...prefix, ...parts], key, obj[key]);
}

/** find's `$slice: n` / `$slice: [skip, limit]`; false when the argument is the aggregation form. */
function parseFindSlice(st: ParseState, tree: Tree, parts: string[], arg: unknown): boolean {
  const int = (v: unknown): number => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.trunc(numberValue(v)) || 0));
  if (isNumeric(arg)) {
    addNode(tree, parts, { kind: 'slice', limit: int(arg) });
  } else if (Array.isArray(arg) && arg.length === 2 && isNumeric(arg[0]) && isNumeric(arg[1])) {
    const limit = int(arg[1]);
    if (limit <= 0) throw locationError(31259, `$slice limit must be positive, got ${limit}`);
    addNode(tree, parts, { kind: 'slice', skip: int(arg[0]), limit });
  } else if (Array.isArray(arg)) {
    return false; // e.g. {$slice: ['$arr', 2]}: the aggregation operator
  } else {
    throw locationError(31273, '$slice only supports numbers and [skip, limit] arrays');
  }
  st.hasSlice = true;
  return true;
}

/** Compiles a find projection; the result takes the matcher's position for `.$`. */
export function compileProjection(spec: Doc): (doc: Doc, position?: number) => Doc {
  const root = newTree();
  const st: ParseState = {
    root, idSpecified: false, idIncluded: false, hasPositional: false, hasElemMatch: false, hasSlice: false,
  };
  for (const key of Object.keys(spec ?? {})) {
    if (key === '_id' || key.startsWith('_id.')) st.idSpecified = true;
    parseElement(st, root, [], key, spec[key]);
  }
  // MongoDB's defaults when only _id, $slice, $elemMatch or nothing decided the type.
  const inclusion = st.type
    ? st.type === 'inclusion'
    : st.hasSlice ? st.idIncluded : st.hasElemMatch || st.idIncluded;
  if (!st.idSpecified && inclusion) root.children.set('_id', { kind: 'include' });
  if (!inclusion && st.idIncluded) root.children.delete('_id');
  const positional = st.positional;
  return (doc, position) => applyProjection(doc, root, inclusion, positional, position);
}
