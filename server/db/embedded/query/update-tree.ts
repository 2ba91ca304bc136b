/**
 * Parses an operator update ({$set: {...}, $inc: {...}}) into MongoDB's update tree: one
 * node per path component, so two modifiers of overlapping paths conflict (code 40) while
 * the update is parsed, and positional / array-filter parts become dedicated nodes.
 * Also parses arrayFilters and checks that every identifier is both defined and used.
 */
import { fail } from '../errors';
import { compileFilter } from './match';
import { arrayModifier } from './update-arrays';
import { formatElement, formatValue, serverError, typeName } from './update-format';
import { PLACEHOLDER, renameModifier, scalarModifier } from './update-operators';
import type { ArrayNode, ElementTest, LeafOp, ObjectNode, UpdateNode } from './update-types';
import { isPlainObject, type Doc } from './values';

const MODIFIERS = new Set([
  '$set', '$setOnInsert', '$unset', '$inc', '$mul', '$min', '$max', '$currentDate', '$bit', '$rename',
  '$push', '$addToSet', '$pop', '$pull', '$pullAll',
]);

export function isArrayFilterPart(part: string): boolean {
  return part.length >= 2 && part.startsWith('$[') && part.endsWith(']');
}

function checkUpdatable(path: string): string[] {
  if (path === '') throw serverError(56, 'EmptyFieldName', 'An empty update path is not valid.');
  // A top-level name (most updates): one part, positional only if it is '$' itself.
  if (path !== '$' && !path.includes('.')) return [path];
  const parts = path.split('.');
  if (parts.some((p) => p === '')) {
    throw serverError(56, 'EmptyFieldName', `The update path '${path}' contains an empty field name, which is not allowed.`);
  }
  const positional = parts.filter((p) => p === '$').length;
  if (positional > 1) throw fail('BadValue', `Too many positional (i.e. '$') elements found in path '${path}'`);
  if (parts[0] === '$') throw fail('BadValue', `Cannot have positional (i.e. '$') element in the first position in path '${path}'`);
  return parts;
}

function isDynamic(parts: string[]): boolean {
  return parts.some((p) => p === '$' || isArrayFilterPart(p));
}

function makeModifier(op: string, field: string, arg: unknown): LeafOp {
  if (op === '$rename') return renameModifier(field);
  const leaf = scalarModifier(op, field, arg) ?? arrayModifier(op, field, arg);
  if (!leaf) throw fail('FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
  return leaf;
}

function renameChecks(from: string, fromParts: string[], to: string, toParts: string[]): void {
  const element = formatElement(from, to);
  if (from === to) throw fail('BadValue', `The source and target field for $rename must differ: ${element}`);
  const shorter = Math.min(fromParts.length, toParts.length);
  if (fromParts.slice(0, shorter).join('.') === toParts.slice(0, shorter).join('.')) {
    throw fail('BadValue', `The source and target field for $rename must not be on the same path: ${element}`);
  }
  if (isDynamic(fromParts)) throw fail('BadValue', `The source field for $rename may not be dynamic: ${from}`);
  if (isDynamic(toParts)) throw fail('BadValue', `The destination field for $rename may not be dynamic: ${to}`);
}

interface ParseState { filters: Map<string, ElementTest>; used: Set<string> }

/** Resolves a `$[id]` part to its child key ('' for `$[]`), checking the identifier exists. */
function arrayKey(part: string, index: number, path: string, state: ParseState): string {
  if (index === 0) {
    throw fail('BadValue', `Cannot have array filter identifier (i.e. '$[<id>]') element in the first position in path '${path}'`);
  }
  const id = part.slice(2, -1);
  if (id !== '' && !state.filters.has(id)) {
    throw fail('BadValue', `No array filter found for identifier '${id}' in path '${path}'`);
  }
  if (id !== '') state.used.add(id);
  return id;
}

function getChild(node: ObjectNode | ArrayNode, key: string): UpdateNode | undefined {
  return node.kind === 'object' && key === '$' ? node.positional : node.children.get(key);
}

function setChild(node: ObjectNode | ArrayNode, key: string, child: UpdateNode): void {
  if (node.kind === 'object' && key === '$') node.positional = child;
  else node.children.set(key, child);
}

function insertLeaf(root: ObjectNode, parts: string[], leaf: LeafOp, state: ParseState): void {
  const path = parts.join('.');
  let current: ObjectNode | ArrayNode = root;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const key = isArrayFilterPart(part) ? arrayKey(part, i, path, state) : part;
    const existing = getChild(current, key);
    if (i === parts.length - 1) {
      if (existing) throw fail('ConflictingUpdateOperators', `Updating the path '${path}' would create a conflict at '${path}'`);
      setChild(current, key, { kind: 'leaf', op: leaf });
      return;
    }
    const wantArray = isArrayFilterPart(parts[i + 1]);
    if (existing) {
      if (existing.kind !== (wantArray ? 'array' : 'object')) {
        throw fail('ConflictingUpdateOperators', `Updating the path '${path}' would create a conflict at '${parts.slice(0, i + 1).join('.')}'`);
      }
      current = existing as ObjectNode | ArrayNode;
    } else {
      const child: ObjectNode | ArrayNode = wantArray ? { kind: 'array', children: new Map() } : { kind: 'object', children: new Map() };
      setChild(current, key, child);
      current = child;
    }
  }
}

const IDENTIFIER = /^[a-z][a-zA-Z0-9]*$/;

function filterIdentifiers(filter: Doc, out: Set<string>): void {
  for (const key of Object.keys(filter)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      const clauses = filter[key];
      if (Array.isArray(clauses)) for (const c of clauses) if (isPlainObject(c)) filterIdentifiers(c, out);
    } else if (!key.startsWith('$')) {
      out.add(key.split('.')[0]);
    }
  }
}

/** Compiles arrayFilters into identifier → element test, with MongoDB's validation. */
export function parseArrayFilters(filters: unknown): Map<string, ElementTest> {
  const result = new Map<string, ElementTest>();
  if (filters === undefined || filters === null) return result;
  if (!Array.isArray(filters)) throw fail('TypeMismatch', `arrayFilters must be an array, not ${typeName(filters)}`);
  for (const filter of filters) {
    if (!isPlainObject(filter)) throw fail('TypeMismatch', `Each array filter must be an object, not ${typeName(filter)}`);
    const ids = new Set<string>();
    filterIdentifiers(filter, ids);
    const [id, other] = [...ids];
    if (other !== undefined) {
      throw fail('FailedToParse', `Error parsing array filter :: caused by :: Expected a single top-level field name, found '${id}' and '${other}'`);
    }
    if (id === undefined) throw fail('FailedToParse', 'Cannot use an expression without a top-level field name in arrayFilters');
    if (!IDENTIFIER.test(id)) {
      throw fail('BadValue', `Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${id}'`);
    }
    if (result.has(id)) throw fail('FailedToParse', `Found multiple array filters with the same top-level field name ${id}`);
    const matcher = compileFilter(filter);
    result.set(id, (element) => matcher.test({ [id]: element }));
  }
  return result;
}

/** Parses an operator-style update into its tree. Throws MongoDB's parse errors. */
export function parseOperatorUpdate(update: Doc, filters: Map<string, ElementTest>): ObjectNode {
  const root: ObjectNode = { kind: 'object', children: new Map() };
  const state: ParseState = { filters, used: new Set() };
  for (const op of Object.keys(update)) {
    const fields = update[op];
    if (!MODIFIERS.has(op)) {
      throw fail('FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    if (!isPlainObject(fields)) {
      throw fail('FailedToParse', `Modifiers operate on fields but we found type ${typeName(fields)} instead. For example: {$mod: {<field>: ...}} not {${formatElement(op, fields)}}`);
    }
    // Since MongoDB 5.0 an empty operand ({$set: {}}) is a no-op, not an error.
    for (const field of Object.keys(fields)) {
      const arg = fields[field];
      if (op === '$rename') {
        const fromParts = checkUpdatable(field);
        insertLeaf(root, fromParts, PLACEHOLDER, state);
        if (typeof arg !== 'string') throw fail('BadValue', `The 'to' field for $rename must be a string: ${formatElement(field, arg)}`);
        const toParts = checkUpdatable(arg);
        renameChecks(field, fromParts, arg, toParts);
        insertLeaf(root, toParts, makeModifier(op, field, arg), state);
      } else {
        const parts = checkUpdatable(field);
        insertLeaf(root, parts, makeModifier(op, field, arg), state);
      }
    }
  }
  for (const id of filters.keys()) {
    if (!state.used.has(id)) {
      throw fail('FailedToParse', `The array filter for identifier '${id}' was not used in the update ${formatValue(update)}`);
    }
  }
  return root;
}
