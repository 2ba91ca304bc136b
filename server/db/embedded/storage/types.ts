/**
 * The storage contract's types: the journal's operations (`JournalOp`) and the durable
 * shape of the catalog (`CatalogState`) that recovery returns and snapshots hold.
 * The live in-memory catalog with its indexes belongs to engine/.
 */
import type { Document } from 'bson';

/** A typed BSON document (numbers stay Int32/Double/Long wrappers), as `deserializeDoc` returns. */
export type Doc = Document;

export type JournalOp =
  | { op: 'createCollection'; ns: string; options: Doc }
  | { op: 'dropCollection'; ns: string }
  | { op: 'renameCollection'; from: string; to: string }
  | { op: 'dropDatabase'; db: string }
  | { op: 'createIndex'; ns: string; spec: Doc }
  | { op: 'dropIndex'; ns: string; name: string }
  | { op: 'put'; ns: string; key: string; doc: Buffer } // insert or replace
  | { op: 'delete'; ns: string; key: string };

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
