/**
 * Retention: once a call ended more than RETENTION_MONTHS ago, its customer's address and
 * name leave the call and its invitation, and the response loses their words and the
 * address hash; answers, site, queue, agent, reason, day and the rollups stay, so reports
 * do not change. Outbox copies older than that are deleted. A pass works in batches,
 * each one the next calls past the retention that still name their customer; it keeps
 * how far it got (model.ts) so that the next pass starts from there.
 */
import { recordAudit } from '../audit';
import type { Logger } from '../logger';
import { RETENTION_STATE_ID, RetentionState, type RetentionStateRecord } from './model';
import { callsToRetire, deleteOutboxBefore, deleteOutboxFor, eraseCalls, eraseInvitations, invitationsOfCalls } from './records';
import { anonymiseResponses, responsesOfInvitations } from './responses';

export interface RetentionCounts {
  calls: number;
  invitations: number;
  responses: number;
  outbox: number;
}

export interface RetentionPass extends RetentionCounts {
  /** Calls that ended before this were erased. */
  cutoff: Date;
  /** False when the pass stopped early (the process is stopping); the next one carries on. */
  finished: boolean;
  /** True when it read every call past the retention, not only those that came of age since the last pass. */
  full: boolean;
}

export interface RetentionOptions {
  months: number;
  now?: Date;
  /** Calls per batch (default 500). */
  batchSize?: number;
  logger?: Logger;
  /** Asked between batches: true ends the pass there. */
  stopping?: () => boolean;
}

const DEFAULT_BATCH = 500;

/** `months` calendar months before `now` (UTC), the day kept within the month: 31 March − 1 month is 28 or 29 February. */
export function retentionCutoff(now: Date, months: number): Date {
  const cutoff = new Date(now.getTime());
  const day = cutoff.getUTCDate();
  cutoff.setUTCDate(1);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(cutoff.getUTCFullYear(), cutoff.getUTCMonth() + 1, 0)).getUTCDate();
  cutoff.setUTCDate(Math.min(day, lastDay));
  return cutoff;
}

/** How often a pass reads every call past the retention, not only those that came of age since the last pass. */
export const FULL_SWEEP_EVERY_MS = 24 * 3_600_000;

async function readState(): Promise<RetentionStateRecord | null> {
  return RetentionState.findById(RETENTION_STATE_ID).lean<RetentionStateRecord>();
}

/** When the last pass finished (null before the first). */
export async function lastRetentionCheck(): Promise<Date | null> {
  return (await readState())?.lastPassAt ?? null;
}

/**
 * Erases what the retention says is due at `now`. Idempotent: a second pass finds nothing.
 * A pass reads the calls that ended since the last pass's cutoff; once a day it reads every
 * call past the retention still naming its customer (erased ones are out of that query's
 * index on MongoDB). A pass that erased something is recorded in the audit log (counts only).
 */
export async function runRetentionPass(options: RetentionOptions): Promise<RetentionPass> {
  const now = options.now ?? new Date();
  const cutoff = retentionCutoff(now, options.months);
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const state = await readState();
  // A clock set back a long way also gets a full sweep.
  const full = !state?.erasedBefore || !state.fullSweepAt || Math.abs(now.getTime() - state.fullSweepAt.getTime()) >= FULL_SWEEP_EVERY_MS;
  const from = full ? null : (state?.erasedBefore ?? null);
  const counts: RetentionCounts = { calls: 0, invitations: 0, responses: 0, outbox: 0 };
  let finished = true;
  for (;;) {
    if (options.stopping?.()) {
      finished = false;
      break;
    }
    const { ids, addresses } = await callsToRetire(cutoff, from, batchSize);
    if (ids.length === 0) break;
    // The call last: it is what the next pass looks for, so a pass cut short redoes the batch.
    const invitations = await invitationsOfCalls(ids);
    const responses = await responsesOfInvitations(invitations);
    counts.responses += await anonymiseResponses(responses);
    counts.invitations += await eraseInvitations(invitations, 'expired');
    // Emails about these customers, even those sent later than the call (a late send, an alert).
    counts.outbox += await deleteOutboxFor(addresses, responses.map(String));
    const erased = await eraseCalls(ids);
    counts.calls += erased;
    // Nothing erased would find the same batch again: stop rather than spin.
    if (ids.length < batchSize || erased === 0) break;
  }
  counts.outbox += await deleteOutboxBefore(cutoff);
  if (finished) {
    // A longer retention set since keeps the later mark: those calls were erased under the shorter one.
    const erasedBefore = state?.erasedBefore && state.erasedBefore > cutoff ? state.erasedBefore : cutoff;
    await RetentionState.updateOne(
      { _id: RETENTION_STATE_ID },
      { $set: { erasedBefore, lastPassAt: now, ...(full ? { fullSweepAt: now } : {}) } },
      { upsert: true },
    );
  }
  if (Object.values(counts).some((n) => n > 0)) {
    await recordAudit({
      actor: { type: 'system' },
      action: 'privacy.retention',
      target: { type: 'retention', id: cutoff.toISOString().slice(0, 10) },
      after: { months: options.months, cutoff, ...counts },
    });
    options.logger?.info({ months: options.months, cutoff, ...counts }, 'retention: customer data past the retention erased');
  }
  return { cutoff, finished, full, ...counts };
}
