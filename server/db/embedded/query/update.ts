/**
 * Updates of typed documents: operator updates, replacement documents and pipeline
 * updates, with MongoDB's validation, error codes and nModified semantics. An update is
 * compiled once (validating it before any document is matched) and applied to each match.
 */
import { fail } from '../errors';
import { applyNode, applyTopLevel, topLevelLeaves, type ApplyState } from './update-apply';
import { runPipelineUpdate, validatePipelineUpdate } from './update-pipeline';
import { checkIdValue, idFirst, replaceDocument } from './update-replace';
import { parseArrayFilters, parseOperatorUpdate } from './update-tree';
import type { ObjectNode, UpdateOptions, UpdateResult } from './update-types';
import { copyFields, isPlainObject, type Doc } from './values';

export { upsertSeed } from './update-upsert';
export { replaceDocument };

export type { UpdateOptions, UpdateResult };

export type UpdateKind = 'operator' | 'replacement' | 'pipeline';

/** What parsing needs: the statement's arrayFilters, and `multi` (replacements cannot be multi). */
export interface CompileOptions { arrayFilters?: Doc[]; multi?: boolean }

export interface CompiledUpdate {
  readonly kind: UpdateKind;
  apply(doc: Doc, opts?: UpdateOptions): UpdateResult;
}

/** Operator style when the first field starts with `$`, pipeline when an array, else replacement. */
export function updateKind(update: unknown): UpdateKind {
  if (Array.isArray(update)) return 'pipeline';
  if (!isPlainObject(update)) throw fail('FailedToParse', 'Update argument must be either an object or an array');
  const first = Object.keys(update)[0];
  return first !== undefined && first.startsWith('$') ? 'operator' : 'replacement';
}

function compileOperator(update: Doc, opts: CompileOptions): CompiledUpdate {
  const filters = parseArrayFilters(opts.arrayFilters);
  const tree: ObjectNode = parseOperatorUpdate(update, filters);
  const topLevel = topLevelLeaves(tree);
  return {
    kind: 'operator',
    apply(doc, applyOpts = {}) {
      const root = copyFields(doc);
      const state: ApplyState = {
        root,
        owned: new Set([root]),
        position: applyOpts.position === undefined ? undefined : String(applyOpts.position),
        isInsert: applyOpts.isInsert === true,
        now: applyOpts.now ?? new Date(),
        filters,
        idImmutable: Object.prototype.hasOwnProperty.call(doc, '_id'),
        modified: false,
      };
      if (topLevel) applyTopLevel(topLevel, state);
      else applyNode(tree, [], state);
      if (!state.modified) return { doc: root, modified: false };
      checkIdValue(root, state.isInsert);
      return { doc: state.isInsert ? idFirst(root) : root, modified: true };
    },
  };
}

/**
 * Parses and validates an update once; MongoDB rejects a malformed update even when no
 * document matches, so callers compile before matching.
 */
export function compileUpdate(update: Doc | Doc[], opts: CompileOptions = {}): CompiledUpdate {
  const kind = updateKind(update);
  if (kind === 'pipeline') {
    if (opts.arrayFilters !== undefined && opts.arrayFilters !== null) {
      throw fail('FailedToParse', 'arrayFilters may not be specified for pipeline-style updates');
    }
    const stages = update as Doc[];
    validatePipelineUpdate(stages);
    return { kind, apply: (doc, applyOpts = {}) => runPipelineUpdate(doc, stages, applyOpts) };
  }
  if (kind === 'replacement') {
    if (opts.multi) throw fail('FailedToParse', 'multi update is not supported for replacement-style update');
    const replacement = update as Doc;
    return { kind, apply: (doc, applyOpts = {}) => replaceDocument(doc, replacement, applyOpts, false) };
  }
  return compileOperator(update as Doc, opts);
}

/** Throws the error MongoDB would give for a malformed update; returns nothing otherwise. */
export function validateUpdate(update: Doc | Doc[], opts: CompileOptions = {}): void {
  compileUpdate(update, opts);
}

/** Applies `update` to `doc`, returning a new document; `modified` is MongoDB's nModified. */
export function applyUpdate(doc: Doc, update: Doc | Doc[], opts: UpdateOptions = {}): UpdateResult {
  return compileUpdate(update, opts).apply(doc, opts);
}

