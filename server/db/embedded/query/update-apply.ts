/**
 * Applies a parsed update tree to a copy of a typed document: walks object and
 * array nodes in MongoDB's field order, resolves `$` / `$[]` / `$[id]`, creates missing
 * paths (padding arrays with nulls), and enforces path viability, `_id` immutability and
 * the top-level `$`-prefix storage rule. The copy is made on write: only the objects and
 * arrays on a changed path are copied, the rest is shared with the original, which is
 * never changed (a whole deep copy per document cost more than the update itself). An
 * update of top-level fields only (counters, a state and its dates, flags) skips the walk:
 * applyTopLevel applies its leaves with the same checks and errors.
 */
import { fail } from '../errors';
import { formatElement, serverError } from './update-format';
import type { ArrayNode, ElementTest, LeafNode, LeafOp, LeafResult, ObjectNode, UpdateNode } from './update-types';
import { copyFields, isPlainObject, setField, type Doc } from './values';

export interface ApplyState {
  /** A shallow copy of the document; it must be in `owned`. */
  root: Doc;
  /** The objects and arrays this update copied, which it may change in place. */
  owned: Set<object>;
  position?: string;
  isInsert: boolean;
  now: Date;
  filters: Map<string, ElementTest>;
  /** `_id` existed before the update, so it may not change. */
  idImmutable: boolean;
  modified: boolean;
}

const MAX_PADDING = 1500000;

function isIndex(part: string): boolean {
  return /^\d+$/.test(part);
}

function ownField(obj: Doc, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

type Lookup = { found: true; value: unknown } | { found: false; depth: number; at: unknown };

/** Follows `parts` exactly (no array expansion): numeric parts index arrays. */
export function lookup(root: Doc, parts: string[]): Lookup {
  let cur: unknown = root;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    let exists = false;
    let next: unknown;
    if (Array.isArray(cur)) {
      exists = isIndex(p) && Number(p) < cur.length;
      if (exists) next = cur[Number(p)];
    } else if (isPlainObject(cur)) {
      exists = ownField(cur, p);
      if (exists) next = cur[p];
    }
    if (!exists) return { found: false, depth: i, at: cur };
    cur = next;
  }
  return { found: true, value: cur };
}

function nest(parts: string[], value: unknown): unknown {
  let v = value;
  for (let i = parts.length - 1; i >= 0; i--) {
    const o: Doc = {};
    setField(o, parts[i], v);
    v = o;
  }
  return v;
}

function notViable(parts: string[], depth: number, at: unknown): Error {
  const name = depth > 0 ? parts[depth - 1] : '';
  return fail('PathNotViable', `Cannot create field '${parts[depth]}' in element {${formatElement(name, at)}}`);
}

/**
 * The value at `parts` (which exists), with every object and array from the root down to
 * it replaced by this update's own copy, so that it can be changed in place.
 */
function owned(state: ApplyState, parts: string[]): unknown {
  let cur: unknown = state.root;
  for (const p of parts) {
    const holder = cur as Doc & unknown[];
    const key = Array.isArray(holder) ? Number(p) : p;
    let child: unknown = holder[key as never];
    // As the whole copy did: BSON wrappers (DBRef included) are shared, never copied.
    const container = Array.isArray(child) || (isPlainObject(child) && !('_bsontype' in child));
    if (container && !state.owned.has(child as object)) {
      child = Array.isArray(child) ? child.slice() : copyFields(child as Doc);
      state.owned.add(child as object);
      if (Array.isArray(holder)) holder[key as number] = child;
      else setField(holder, p, child);
    }
    cur = child;
  }
  return cur;
}

/** Creates `parts` below the deepest existing value, as MongoDB's createPathAt does. */
function createPath(state: ApplyState, parts: string[], miss: { depth: number; at: unknown }, value: unknown): void {
  const { depth } = miss;
  const at = owned(state, parts.slice(0, depth));
  const rest = parts.slice(depth + 1);
  if (Array.isArray(at)) {
    if (!isIndex(parts[depth])) throw notViable(parts, depth, at);
    const index = Number(parts[depth]);
    if (index - at.length > MAX_PADDING) throw serverError(34, 'CannotBackfillArray', `can't backfill more than ${MAX_PADDING} elements`);
    while (at.length < index) at.push(null);
    at[index] = nest(rest, value);
  } else if (isPlainObject(at)) {
    setField(at, parts[depth], nest(rest, value));
  } else {
    throw notViable(parts, depth, at);
  }
}

function write(state: ApplyState, parts: string[], result: LeafResult): void {
  const parent = parts.length === 1 ? state.root : owned(state, parts.slice(0, -1));
  const key = parts[parts.length - 1];
  if (Array.isArray(parent)) {
    // Removing an array element would shift the others: MongoDB leaves a null instead.
    parent[Number(key)] = result.kind === 'set' ? result.value : null;
  } else if (result.kind === 'set') {
    setField(parent as Doc, key, result.value);
  } else {
    delete (parent as Doc)[key];
  }
}

function checkStorage(state: ApplyState, parts: string[]): void {
  // Top-level `$` names are only storable through inserts (and upserts); nested ones are fine.
  if (!state.isInsert && parts[0].startsWith('$')) {
    throw fail('DollarPrefixedFieldName', `The dollar ($) prefixed field '${parts[0]}' in '${parts[0]}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`);
  }
}

function checkImmutable(state: ApplyState, parts: string[]): void {
  if (state.idImmutable && parts[0] === '_id') {
    throw fail('ImmutableField', `Performing an update on the path '${parts.join('.')}' would modify the immutable field '_id'`);
  }
}

/** Modifiers that do nothing on missing paths still fail when the path could never exist. */
function checkViability(parts: string[], depth: number, at: unknown): void {
  if (isPlainObject(at) || (Array.isArray(at) && isIndex(parts[depth]))) return;
  const name = depth > 0 ? parts[depth - 1] : '';
  throw fail('PathNotViable', `Cannot use the part (${parts[depth]}) of (${parts.join('.')}) to traverse the element ({${formatElement(name, at)}})`);
}

function applyRename(node: LeafNode, parts: string[], state: ApplyState): void {
  const from = node.op.renameFrom as string[];
  const source = lookup(state.root, from);
  if (!source.found) {
    const blocked = !isPlainObject(source.at) && !(Array.isArray(source.at) && isIndex(from[source.depth]));
    if (blocked) checkViability(from, source.depth, source.at);
    return;
  }
  const idText = ownField(state.root, '_id') ? formatElement('_id', state.root._id) : 'no id';
  const arrayOnPath = (p: string[], upto: number, what: string, dotted: string): void => {
    for (let i = 1; i <= upto; i++) {
      const v = lookup(state.root, p.slice(0, i));
      if (v.found && Array.isArray(v.value)) {
        throw fail('BadValue', `The ${what} field cannot be an array element, '${dotted}' in doc with ${idText} has an array field called '${p[i - 1]}'`);
      }
    }
  };
  arrayOnPath(from, from.length - 1, 'source', from.join('.'));
  const dest = lookup(state.root, parts);
  arrayOnPath(parts, dest.found ? parts.length - 1 : Math.min(dest.depth, parts.length - 1), 'destination', parts.join('.'));
  if (from[0] === '_id' && state.idImmutable) {
    throw fail('ImmutableField', `Unsetting the path '${from.join('.')}' using $rename would modify the immutable field '_id'`);
  }
  const value = source.value;
  if (dest.found) {
    checkImmutable(state, parts);
    write(state, parts, { kind: 'set', value });
  } else {
    checkStorage(state, parts);
    createPath(state, parts, dest, value);
  }
  write(state, from, { kind: 'remove' });
  state.modified = true;
}

function applyLeaf(node: LeafNode, parts: string[], state: ApplyState): void {
  const op = node.op;
  if (op.insertOnly && !state.isInsert) return;
  if (op.renameFrom) return applyRename(node, parts, state);
  const ctx = { root: state.root, path: parts, now: state.now };
  const here = lookup(state.root, parts);
  if (here.found) {
    const result = op.update(here.value, ctx);
    if (result.kind === 'noop') return;
    if (result.kind === 'remove' && lookupParentIsArray(state.root, parts) && here.value === null) return;
    checkImmutable(state, parts);
    if (result.kind === 'set') checkStorage(state, parts);
    write(state, parts, result);
    state.modified = true;
  } else if (op.missing === 'create' && op.create) {
    if (state.idImmutable && parts[0] === '_id' && here.depth > 0) {
      throw fail('ImmutableField', `Updating the path '${parts.join('.')}' would modify the immutable field '_id'`);
    }
    checkStorage(state, parts);
    createPath(state, parts, here, op.create(ctx));
    state.modified = true;
  } else if (op.missing === 'check') {
    checkViability(parts, here.depth, here.at);
  }
}

function lookupParentIsArray(root: Doc, parts: string[]): boolean {
  const parent = lookup(root, parts.slice(0, -1));
  return parent.found && Array.isArray(parent.value);
}

/** Combines two updates that land on the same element ($ with a field, $[] with $[x]). */
function merge(a: UpdateNode, b: UpdateNode, path: string[]): UpdateNode {
  if (a.kind === 'object' && b.kind === 'object') {
    const children = new Map(a.children);
    for (const [k, v] of b.children) children.set(k, children.has(k) ? merge(children.get(k) as UpdateNode, v, [...path, k]) : v);
    const positional = a.positional && b.positional ? merge(a.positional, b.positional, [...path, '$']) : a.positional ?? b.positional;
    return { kind: 'object', children, positional };
  }
  if (a.kind === 'array' && b.kind === 'array') {
    const children = new Map(a.children);
    for (const [k, v] of b.children) children.set(k, children.has(k) ? merge(children.get(k) as UpdateNode, v, [...path, `$[${k}]`]) : v);
    return { kind: 'array', children };
  }
  throw fail('ConflictingUpdateOperators', `Update created a conflict at '${path.join('.')}'`);
}

/** MongoDB 5.0+ order: numeric field names numerically, others by string. */
function compareFieldNames(a: string, b: string): number {
  if (isIndex(a) && isIndex(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    if (x !== y) return x < y ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The children of a node without a positional part, in the order they apply: sorted once
 * per compiled update (an update of top-level fields only does not come here: applyTopLevel).
 */
const childOrder = new WeakMap<ObjectNode, [string, UpdateNode][]>();

function applyObject(node: ObjectNode, parts: string[], state: ApplyState): void {
  if (!node.positional) {
    let ordered = childOrder.get(node);
    if (!ordered) {
      ordered = [...node.children].sort(([a], [b]) => compareFieldNames(a, b));
      childOrder.set(node, ordered);
    }
    for (const [name, child] of ordered) applyNode(child, [...parts, name], state);
    return;
  }
  if (state.position === undefined) throw fail('BadValue', 'The positional operator did not find the match needed from the query.');
  const children = new Map(node.children);
  const key = state.position;
  const same = children.get(key);
  children.set(key, same ? merge(node.positional, same, [...parts, key]) : node.positional);
  const names = [...children.keys()].sort(compareFieldNames);
  for (const name of names) applyNode(children.get(name) as UpdateNode, [...parts, name], state);
}

function applyArray(node: ArrayNode, parts: string[], state: ApplyState): void {
  const here = lookup(state.root, parts);
  if (!here.found) throw fail('BadValue', `The path '${parts.join('.')}' must exist in the document in order to apply array updates.`);
  if (!Array.isArray(here.value)) {
    throw fail('BadValue', `Cannot apply array updates to non-array element ${formatElement(parts[parts.length - 1], here.value)}`);
  }
  // Decide every element's updates before changing any, as filters see the original array.
  const plan = here.value.map((element) => {
    const matching: UpdateNode[] = [];
    for (const [id, child] of node.children) if (id === '' || (state.filters.get(id) as ElementTest)(element)) matching.push(child);
    return matching;
  });
  plan.forEach((matching, i) => {
    if (matching.length === 0) return;
    const path = [...parts, String(i)];
    const merged = matching.reduce((acc, n) => merge(acc, n, path));
    applyNode(merged, path, state);
  });
}

/** A top-level field an update changes, with its path from the root. */
export interface TopLevelLeaf {
  name: string;
  path: string[];
  op: LeafOp;
}

/**
 * The leaves of an update that only changes top-level fields (no dotted or positional
 * path, no $rename), in the order they apply; null for any other update. Such updates (a
 * state and dates, counters, flags) apply without walking the tree: see applyTopLevel.
 */
export function topLevelLeaves(tree: ObjectNode): TopLevelLeaf[] | null {
  if (tree.positional) return null;
  const leaves: TopLevelLeaf[] = [];
  for (const [name, child] of tree.children) {
    if (child.kind !== 'leaf' || child.op.renameFrom) return null;
    leaves.push({ name, path: [name], op: child.op });
  }
  // Field names that are numbers sort numerically (compareFieldNames); most are not, and
  // then the plain string order is theirs.
  return leaves.some((leaf) => isIndex(leaf.name)) ? leaves.sort((a, b) => compareFieldNames(a.name, b.name)) : leaves.sort(byName);
}

function byName(a: TopLevelLeaf, b: TopLevelLeaf): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * applyNode for the leaves of topLevelLeaves, on `state.root` (which nothing else owns):
 * the same checks, values and errors, field by field, without looking paths up.
 */
export function applyTopLevel(leaves: TopLevelLeaf[], state: ApplyState): void {
  const root = state.root;
  for (const { name, path, op } of leaves) {
    if (op.insertOnly && !state.isInsert) continue;
    const ctx = { root, path, now: state.now };
    if (ownField(root, name)) {
      const result = op.update(root[name], ctx);
      if (result.kind === 'noop') continue;
      checkImmutable(state, path);
      if (result.kind === 'set') {
        checkStorage(state, path);
        setField(root, name, result.value);
      } else {
        delete root[name];
      }
      state.modified = true;
    } else if (op.missing === 'create' && op.create) {
      checkStorage(state, path);
      setField(root, name, op.create(ctx));
      state.modified = true;
    }
    // A missing top-level field is always viable: 'check' and 'ignore' leave it missing.
  }
}

export function applyNode(node: UpdateNode, parts: string[], state: ApplyState): void {
  if (node.kind === 'leaf') applyLeaf(node, parts, state);
  else if (node.kind === 'object') applyObject(node, parts, state);
  else applyArray(node, parts, state);
}
