/**
 * How one journal operation changes a catalog being recovered (replay semantics), and the
 * empty catalog a fresh data directory starts from.
 */
import type { CatalogState, CollectionState, JournalOp } from './types';

export function emptyState(): CatalogState {
  return { collections: new Map() };
}

function collectionOf(state: CatalogState, ns: string): CollectionState {
  let coll = state.collections.get(ns);
  if (!coll) {
    // MongoDB creates a collection implicitly on its first insert or index.
    coll = { options: {}, indexes: [], docs: new Map() };
    state.collections.set(ns, coll);
  }
  return coll;
}

/** Applies one journal operation to a catalog being recovered (changes `state` in place). */
export function applyOp(state: CatalogState, op: JournalOp): void {
  switch (op.op) {
    case 'createCollection':
      if (!state.collections.has(op.ns)) {
        state.collections.set(op.ns, { options: op.options, indexes: [], docs: new Map() });
      }
      return;
    case 'dropCollection':
      state.collections.delete(op.ns);
      return;
    case 'renameCollection': {
      const coll = state.collections.get(op.from);
      if (!coll) return;
      state.collections.delete(op.from);
      state.collections.set(op.to, coll);
      return;
    }
    case 'dropDatabase': {
      const prefix = `${op.db}.`;
      for (const ns of [...state.collections.keys()]) {
        if (ns.startsWith(prefix)) state.collections.delete(ns);
      }
      return;
    }
    case 'createIndex': {
      const coll = collectionOf(state, op.ns);
      const at = coll.indexes.findIndex((spec) => spec.name === op.spec.name);
      if (at >= 0) coll.indexes[at] = op.spec;
      else coll.indexes.push(op.spec);
      return;
    }
    case 'dropIndex': {
      const coll = state.collections.get(op.ns);
      if (coll) coll.indexes = coll.indexes.filter((spec) => spec.name !== op.name);
      return;
    }
    case 'put':
      // Map.set on an existing key keeps its position: a replaced document keeps its natural order.
      collectionOf(state, op.ns).docs.set(op.key, op.doc);
      return;
    case 'delete':
      state.collections.get(op.ns)?.docs.delete(op.key);
      return;
  }
}
