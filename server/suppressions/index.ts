/**
 * The suppression list, public surface: addresses that get no more surveys (unsubscribed,
 * bounced, complaint), stored only as hashes. Ingest checks isSuppressed() before
 * scheduling; dispatch and unsubscribe call suppressAddress().
 */
export { normalizeEmail, hashEmail, isSuppressed, suppressAddress, suppressionsByHash, type SuppressionReason } from './service';
export { SUPPRESSION_REASONS } from './model';
