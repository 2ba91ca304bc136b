/**
 * The shapes shared by the update parser, the tree executor and the modifiers: a parsed
 * operator update is a tree of object / array nodes whose leaves are modifiers, as in
 * MongoDB's update framework.
 */
import type { Doc } from './values';

/** What a modifier does to an existing value. */
export type LeafResult =
  | { kind: 'noop' }
  | { kind: 'set'; value: unknown }
  | { kind: 'remove' };

export const NOOP: LeafResult = { kind: 'noop' };
export const REMOVE: LeafResult = { kind: 'remove' };

export interface LeafContext {
  root: Doc;            // the document being updated (for "_id" in messages)
  path: string[];       // the concrete path of the value (positional parts resolved)
  now: Date;
}

export interface LeafOp {
  readonly name: string;
  /** 'create': builds missing paths; 'check': no-op on a missing path unless it is not viable;
   *  'ignore': no-op on any missing path ($unset). */
  readonly missing: 'create' | 'check' | 'ignore';
  readonly insertOnly?: boolean;
  /** For $rename: the source path; the leaf sits at the destination. */
  readonly renameFrom?: string[];
  update(current: unknown, ctx: LeafContext): LeafResult;
  create?(ctx: LeafContext): unknown;
}

export interface LeafNode { kind: 'leaf'; op: LeafOp }
export interface ObjectNode { kind: 'object'; children: Map<string, UpdateNode>; positional?: UpdateNode }
/** Children keyed by array filter identifier; '' is the all-positional `$[]`. */
export interface ArrayNode { kind: 'array'; children: Map<string, UpdateNode> }
export type UpdateNode = LeafNode | ObjectNode | ArrayNode;

/** A compiled array filter: tests one array element bound to its identifier. */
export type ElementTest = (element: unknown) => boolean;

export interface UpdateOptions {
  arrayFilters?: Doc[];
  /** Array index the query matched, for the positional `$` operator. */
  position?: number;
  /** The document is being created by an upsert: $setOnInsert applies, `$` fields are allowed. */
  isInsert?: boolean;
  now?: Date;
  /** Constants of the command's `let`, for pipeline updates. */
  variables?: Doc;
}

export interface UpdateResult { doc: Doc; modified: boolean }
