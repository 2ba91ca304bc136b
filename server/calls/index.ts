/**
 * Calls, the public surface: ingestCalls (API and CSV import share it), the outcome
 * type, the per-call check and the eligibility rules, and reading a call's decision.
 * Routers (API, decision log, import) are mounted from server/features.ts.
 */
export { ingestCalls, type Outcome, type CallSource, type IngestOptions } from './ingest';
export { checkCall, callSchema, MAX_BATCH, type CallInput } from './schemas';
export { decideEligibility, decisionRecord, type Decision, type EligibilityInput, type EligibilitySettings } from './eligibility';
export { getCall, callJson, countDecisions, type LogCounts } from './service';
export type { CallRecord, StoredOutcome } from './model';
