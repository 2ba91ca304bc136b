/**
 * Durability for the embedded engine: the public surface of storage/ (journal, snapshots,
 * lock file).
 */
export { Store, type StoreOptions, type StoreStats } from './store';
export { applyOp, emptyState } from './apply-op';
export type { CatalogState, CollectionState, Doc, JournalOp } from './types';
