/**
 * Rollups, the public surface: the daily counters reports read, and the calls other
 * features make to keep them current (answers saved, calls surveyed, emails sent).
 */
export * from './model';
export { bucketOf, bucketId, bucketFilter, coarseOf, isCoarse, COARSE, COARSE_LEVEL, type BucketSource } from './buckets';
export { responseFacts, countsOf, type ResponseFacts, type ResponseCounts } from './facts';
export { applyResponseChange, recountBuckets, reconcilePendingRollups } from './response-counts';
export { applyResponseChanges, countResponseChange, responseChangeWrites, type ResponseChange } from './batched';
export { countingMark, closeMark, CountingMark } from './counting-marks';
export { addDeliveries, type DeliveryCount } from './deliveries';
export { rebuildRollups, rebuildIfNoCoarseLevel } from './rebuild';
