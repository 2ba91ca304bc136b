/**
 * The storage contract's types: the journal's operations (`JournalOp`) and the durable
 * shape of the catalog (`CatalogState`) that recovery returns and snapshots hold.
 * The live in-memory catalog with its indexes belongs to engine/.
 */
import type { Document } from 'bson';

/** A typed BSON document (numbers stay Int32/Double/Long wrappers), as `deserializeDoc` returns. */
export type Doc = Document;

/**
 * In memory only, never journaled: how the engine takes a change back out of memory when
 * the disk refuses its commit. `before` is the document a put replaced or a delete removed
 * (absent for a put that inserted); the structural changes that lose something carry `undo`.
 */
type Undo = { undo?: () => void };

export type JournalOp =
  | { op: 'createCollection'; ns: string; options: Doc }
  | ({ op: 'dropCollection'; ns: string } & Undo)
  | ({ op: 'renameCollection'; from: string; to: string } & Undo)
  | ({ op: 'dropDatabase'; db: string } & Undo)
  | { op: 'createIndex'; ns: string; spec: Doc }
  | ({ op: 'dropIndex'; ns: string; name: string } & Undo)
  | { op: 'put'; ns: string; key: string; doc: Buffer; before?: Buffer } // insert or replace
  | { op: 'delete'; ns: string; key: string; before?: Buffer };

export interface CollectionState {
  options: Doc;
  /** Index specs except `_id_`. */
  indexes: Doc[];
  /** Id key → stored document; insertion order is natural order. */
  docs: Map<string, Buffer>;
}

export interface CatalogState {
  collections: Map<string, CollectionState>;
}
