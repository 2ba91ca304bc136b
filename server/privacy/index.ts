/**
 * Privacy, the public surface: retention (customers' identities and words erased once
 * their call is older than RETENTION_MONTHS; the job main.ts and the worker start, and
 * one pass for `npm run privacy:retention`), erasure of one address on request, and the
 * admin page's router.
 */
export { runRetentionPass, retentionCutoff, lastRetentionCheck, FULL_SWEEP_EVERY_MS, type RetentionPass, type RetentionCounts, type RetentionOptions } from './retention';
export { runRetention, RETENTION_POLL_MS, type RetentionJob } from './process';
export { previewErasure, eraseCustomer, type ErasurePreview, type ErasureResult, type ErasureCounts } from './erasure';
export { keptAnswers } from './responses';
export { privacyRoutes } from './routes';
