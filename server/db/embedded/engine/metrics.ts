/**
 * Process-wide operation counters, reported by serverStatus under `metrics` as
 * MongoDB does; tests use `queryExecutor.scannedObjects` to prove a query used an index.
 */
export const metrics = {
  queryExecutor: { scannedObjects: 0 },
  document: { inserted: 0, updated: 0, deleted: 0, returned: 0 },
};
