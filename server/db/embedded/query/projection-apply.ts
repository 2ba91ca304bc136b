/**
 * Applying a parsed find projection to a typed document: inclusion keeps the document's
 * field order and appends computed fields, exclusion copies all but the excluded fields,
 * then `$slice`, `$elemMatch` and positional `.$` trim arrays as MongoDB's executor does.
 */
import { Aggregator } from 'mingo';
import { fromPlain, toPlain, type Doc } from './values';
import { getAggregatePath, isDocument } from './paths';
import { expressionError, isUnknownOperator, locationError } from './match-errors';
import type { Matcher } from './match';

export interface Tree {
  kind: 'tree';
  children: Map<string, PNode>;
  /** Some descendant is an expression or $elemMatch (evaluated after the copy). */
  computed: boolean;
}

export type PNode =
  | Tree
  | { kind: 'include' }
  | { kind: 'exclude' }
  | { kind: 'positional' }
  | { kind: 'slice'; skip?: number; limit: number }
  | { kind: 'elemMatch'; field: string; matcher: Matcher }
  | { kind: 'expr'; evaluate: (root: Doc) => unknown };

/**
 * An expression's value for a document: field paths and constants directly on the typed
 * document (types kept), operator expressions through mingo on its plain form.
 */
export function expressionEvaluator(expr: unknown): (root: Doc) => unknown {
  if (typeof expr === 'string' && expr.startsWith('$') && !expr.startsWith('$$')) {
    const parts = expr.slice(1).split('.');
    return (root) => getAggregatePath(root, parts);
  }
  if (expr === '$$ROOT' || expr === '$$CURRENT') return (root) => root;
  if (!Array.isArray(expr) && !isDocument(expr) && !(typeof expr === 'string' && expr.startsWith('$$'))) {
    return () => expr;
  }
  let agg: Aggregator;
  try {
    agg = new Aggregator([{ $project: { _id: 0, v: toPlain(expr) } }]);
  } catch (e) {
    throw expressionError(e);
  }
  try {
    agg.run([{}]); // mingo resolves operators lazily: surface unknown ones now, as MongoDB's parser does
  } catch (e) {
    if (isUnknownOperator(e)) throw expressionError(e);
  }
  return (root) => {
    try {
      const v = (agg.run([toPlain(root) as Doc])[0] as Doc | undefined)?.v;
      return v === undefined ? undefined : fromPlain(v);
    } catch (e) {
      throw expressionError(e);
    }
  };
}

/** find's $slice: the first/last n elements, or [skip, limit] from the start or the end. */
function sliceValue(v: unknown, skip: number | undefined, limit: number): unknown {
  if (!Array.isArray(v)) return v;
  const len = v.length;
  let start: number;
  let count: number;
  if (skip === undefined) {
    start = limit < 0 ? Math.max(0, len + limit) : 0;
    count = limit < 0 ? len - start : Math.min(len, limit);
  } else {
    start = skip < 0 ? Math.max(0, len + skip) : Math.min(len, skip);
    count = Math.min(len - start, limit);
  }
  return v.slice(start, start + count);
}

function elemMatchValue(root: Doc, node: { field: string; matcher: Matcher }): unknown {
  const arr = root[node.field];
  if (!Array.isArray(arr)) return undefined;
  const { matched, position } = node.matcher.matchPosition(root);
  return matched && position !== undefined ? [arr[position]] : undefined;
}

/** Computed children of a tree, set in projection order (replacing in place, else appended). */
function addComputed(out: Doc, tree: Tree, root: Doc): void {
  for (const [key, child] of tree.children) {
    let v: unknown;
    if (child.kind === 'expr') v = child.evaluate(root);
    else if (child.kind === 'elemMatch') v = elemMatchValue(root, child);
    else if (child.kind === 'tree' && child.computed && !(key in out)) v = computedOnly(child, root);
    else continue;
    if (v !== undefined) out[key] = v;
  }
}

/** A sub-document made of computed fields only (where the document had none or a scalar). */
function computedOnly(tree: Tree, root: Doc): Doc {
  const out: Doc = {};
  addComputed(out, tree, root);
  return out;
}

function includeDoc(doc: Doc, tree: Tree, root: Doc): Doc {
  const out: Doc = {};
  for (const key of Object.keys(doc)) {
    const child = tree.children.get(key);
    if (!child) continue;
    const v = doc[key];
    if (child.kind === 'include' || child.kind === 'positional') out[key] = v;
    else if (child.kind === 'slice') out[key] = sliceValue(v, child.skip, child.limit);
    else if (child.kind === 'tree') {
      // Scalars under an included sub-path disappear; arrays keep their (projected) documents.
      if (isDocument(v)) out[key] = includeDoc(v, child, root);
      else if (Array.isArray(v)) out[key] = includeArray(v, child, root);
    }
  }
  if (tree.computed) addComputed(out, tree, root);
  return out;
}

function includeArray(arr: unknown[], tree: Tree, root: Doc): unknown[] {
  const out: unknown[] = [];
  for (const el of arr) {
    if (isDocument(el)) out.push(includeDoc(el, tree, root));
    else if (Array.isArray(el)) out.push(includeArray(el, tree, root));
  }
  return out;
}

function excludeDoc(doc: Doc, tree: Tree, root: Doc): Doc {
  const out: Doc = {};
  for (const key of Object.keys(doc)) {
    const child = tree.children.get(key);
    const v = doc[key];
    if (!child) {
      out[key] = v;
      continue;
    }
    switch (child.kind) {
      case 'exclude': break;
      case 'slice': out[key] = sliceValue(v, child.skip, child.limit); break;
      case 'elemMatch': {
        const m = elemMatchValue(root, child);
        if (m !== undefined) out[key] = m;
        break;
      }
      case 'tree':
        out[key] = isDocument(v) ? excludeDoc(v, child, root) : Array.isArray(v) ? excludeArray(v, child, root) : v;
        break;
      default: out[key] = v;
    }
  }
  return out;
}

function excludeArray(arr: unknown[], tree: Tree, root: Doc): unknown[] {
  return arr.map((el) => (isDocument(el) ? excludeDoc(el, tree, root) : Array.isArray(el) ? excludeArray(el, tree, root) : el));
}

/**
 * Positional `.$`: the first array met along the path keeps only the element at the
 * position the query matched; a path without arrays is left as it is.
 */
function applyPositional(out: Doc, parts: string[], position: number | undefined): void {
  let sub: unknown = out;
  for (const part of parts) {
    if (!isDocument(sub)) return;
    const val = sub[part];
    if (Array.isArray(val)) {
      if (position === undefined) {
        throw locationError(51246, "Executor error during find command :: caused by :: positional operator '.$' couldn't find a matching element in the array");
      }
      if (position >= val.length) throw locationError(51247, "positional operator '.$' element mismatch");
      sub[part] = [val[position]];
      return;
    }
    sub = val;
  }
}

/** Projects one document; the result shares unchanged sub-values with the input (treat both as read-only). */
export function applyProjection(doc: Doc, root: Tree, inclusion: boolean, positional: string[] | undefined, position?: number): Doc {
  if (!inclusion) return excludeDoc(doc, root, doc);
  let out = includeDoc(doc, root, doc);
  if (positional) applyPositional(out, positional, position);
  // A computed _id is appended like other computed fields; MongoDB still returns _id first.
  if (root.children.get('_id')?.kind === 'expr' && '_id' in out && Object.keys(out)[0] !== '_id') {
    const { _id, ...rest } = out;
    out = { _id, ...rest };
  }
  return out;
}
