/**
 * ingestCalls: the one way calls come in (API and CSV import). Per batch: check each
 * call, drop repeats (stored or earlier in the batch), decide eligibility in input
 * order (so two calls of one customer in a batch cannot both be surveyed), store the
 * calls with their decisions, then create an invitation for each scheduled one.
 */
import { Types } from 'mongoose';
import { createInvitations, withdrawInvitations } from '../invitations';
import { countCallbacks, countSurveyed, reportingDay, watchChunk } from './callbacks';
import { decideEligibility, decisionRecord, type Decision } from './eligibility';
import { agentWeekKey, loadHistory, type ResolvedCall } from './lookups';
import { CallModel } from './model';
import { MAX_BATCH } from './schemas';
import { screenCalls } from './screen';

export type Outcome = {
  externalId: string;
  outcome: 'scheduled' | 'duplicate' | 'suppressed' | 'quarantined' | 'sampled_out' | 'invalid';
  reason?: string;
  sendAt?: string;
};

export interface CallSource {
  type: 'api' | 'csv';
  /** The API key's id, or the CSV import's id. */
  id: string;
}

export interface IngestOptions {
  /** The decision time (tests); default now. */
  now?: Date;
  /** Sampling's random source, uniform in [0, 1); default Math.random. */
  random?: () => number;
}

/**
 * Validates, decides and records each call; returns one outcome per item, in input
 * order. Never throws for bad items (they come back `invalid` with the reason); throws
 * when the database fails, after removing the calls whose invitation could not be
 * created so that posting the batch again takes them.
 */
export async function ingestCalls(calls: unknown[], source: CallSource, options: IngestOptions = {}): Promise<Outcome[]> {
  const results: Outcome[] = [];
  // Later chunks see what earlier ones stored (quarantine, agent counts).
  for (let from = 0; from < calls.length; from += MAX_BATCH) {
    results.push(...(await ingestChunk(calls.slice(from, from + MAX_BATCH), source, options)));
  }
  return results;
}

async function ingestChunk(items: unknown[], source: CallSource, options: IngestOptions): Promise<Outcome[]> {
  const now = options.now ?? new Date();
  const random = options.random ?? Math.random;
  const { verdicts, fresh } = await screenCalls(items, now);
  const results: Outcome[] = verdicts.map((v) => v ?? { externalId: '', outcome: 'invalid' });

  const watch = watchChunk();
  const history = await loadHistory(fresh.map((f) => f.resolved), now);
  const decided = fresh.map(({ index, resolved }) => {
    const { call, queue, site, customerHash, week } = resolved;
    const weekKey = call.agent ? agentWeekKey(queue.code, call.agent, week) : '';
    const decision = decideEligibility({
      endedAt: call.endedAt,
      agent: call.agent,
      settings: queue.survey,
      timeZone: site.timezone,
      now,
      customerSurveys: history.surveys.get(customerHash) ?? [],
      agentSurveysThisWeek: history.agentWeeks.get(weekKey) ?? 0,
      suppression: history.suppressions.get(customerHash) ?? null,
      random,
    });
    if (decision.outcome === 'scheduled') {
      history.surveys.set(customerHash, [...(history.surveys.get(customerHash) ?? []), decision.sendAt]);
      if (weekKey) history.agentWeeks.set(weekKey, (history.agentWeeks.get(weekKey) ?? 0) + 1);
    }
    return { index, resolved, decision, doc: callDocument(resolved, decision, source, now) };
  });

  // The calls, their invitations and their `surveyed` counts are written at the same time
  // (the call ids are made here); an invitation whose call was not stored is withdrawn
  // afterwards, and its count taken back.
  const scheduled = decided.filter((d): d is Decided & { decision: ScheduledDecision } => d.decision.outcome === 'scheduled');
  const docs = decided.map((d) => d.doc);
  const [stored, invited, counted] = await Promise.allSettled([insertCalls(docs), inviteScheduled(scheduled), countSurveyed(docs)]);
  const takeBack = (calls: CallDocument[]) => (counted.status === 'fulfilled' && calls.length > 0 ? countSurveyed(calls, -1) : undefined);
  if (stored.status === 'rejected') {
    await Promise.all([withdrawInvitations(scheduled.map((d) => d.doc._id.toHexString())), takeBack(docs)]);
    throw stored.reason;
  }
  if (invited.status === 'rejected') {
    // As before this batch: its calls are not counted.
    await takeBack(docs);
    throw invited.reason;
  }
  if (counted.status === 'rejected') throw counted.reason;
  const duplicates = stored.value;
  const failedInvites = invited.value;
  await withdrawInvitations(scheduled.filter((d) => duplicates.has(d.doc.externalId)).map((d) => d.doc._id.toHexString()));
  for (const d of decided) {
    if (duplicates.has(d.doc.externalId)) {
      // Posted twice at the same moment: the other request stored it first.
      results[d.index] = { externalId: d.doc.externalId, outcome: 'duplicate', reason: 'already received' };
    } else {
      results[d.index] = outcomeOf(d.doc.externalId, d.decision);
    }
  }
  const failed = failedInvites.filter((f) => !duplicates.has(f.call.doc.externalId));
  // A call without its invitation would never be surveyed: remove it so a retry redoes both.
  if (failed.length > 0) await CallModel.deleteMany({ _id: { $in: failed.map((f) => f.call.doc._id) } });
  // The calls that stay are counted now, even if the request fails: a retry finds them duplicates.
  const removed = new Set(failed.map((f) => f.call.doc._id));
  const kept = (d: CallDocument) => !duplicates.has(d.externalId) && !removed.has(d._id);
  await Promise.all([takeBack(docs.filter((d) => !kept(d))), countCallbacks(docs.filter(kept), history.nearby, watch)]);
  if (failed.length > 0) throw (failed[0] as (typeof failed)[number]).err;
  return results;
}

function outcomeOf(externalId: string, decision: Decision): Outcome {
  const outcome: Outcome = { externalId, outcome: decision.outcome, reason: decision.reason };
  if (decision.outcome === 'scheduled') outcome.sendAt = decision.sendAt.toISOString();
  return outcome;
}

function callDocument({ call, queue, site, customerHash, week }: ResolvedCall, decision: Decision, source: CallSource, now: Date) {
  // Someone whose data was erased on request calls again: the call is kept for the
  // statistics, never who made it: only the address's hash, as the suppression list holds it.
  const erased = decision.outcome === 'suppressed' && decision.suppression === 'erasure';
  return {
    _id: new Types.ObjectId(),
    externalId: call.externalId,
    endedAt: call.endedAt,
    site: site.code,
    queue: call.queue,
    agent: call.agent ?? null,
    reason: call.reason ?? null,
    durationSec: call.durationSec ?? null,
    customer: { email: erased ? null : call.customer.email, name: erased ? null : (call.customer.name ?? null), locale: call.customer.locale ?? site.locale },
    customerHash,
    week,
    decision: decisionRecord(decision, now),
    source: { type: source.type, id: source.id },
    day: reportingDay(call.endedAt, site.timezone),
    templateKey: queue.survey.template,
    calledBack: false,
    createdAt: now,
  };
}

type CallDocument = ReturnType<typeof callDocument>;

/** Stores the calls; returns the externalIds another request stored first (the unique index refused them). */
async function insertCalls(docs: CallDocument[]): Promise<Set<string>> {
  const refused = new Set<string>();
  if (docs.length === 0) return refused;
  try {
    await CallModel.insertMany(docs, { ordered: false, lean: true });
  } catch (err) {
    const writeErrors = (err as { writeErrors?: { index: number; code?: number; err?: { code?: number } }[] }).writeErrors;
    if (!Array.isArray(writeErrors) || writeErrors.some((w) => (w.code ?? w.err?.code) !== 11000)) throw err;
    for (const w of writeErrors) refused.add((docs[w.index] as CallDocument).externalId);
  }
  return refused;
}

type ScheduledDecision = Extract<Decision, { outcome: 'scheduled' }>;
type Decided = { index: number; resolved: ResolvedCall; decision: Decision; doc: CallDocument };

/** One invitation per scheduled call, in one batch; returns the calls whose invitation failed, with the error. */
async function inviteScheduled(calls: (Decided & { decision: ScheduledDecision })[]): Promise<{ call: Decided; err: Error }[]> {
  const results = await createInvitations(
    calls.map(({ resolved, decision, doc }) => ({
      callId: doc._id.toHexString(),
      externalId: doc.externalId,
      site: doc.site,
      queue: doc.queue,
      agent: doc.agent ?? undefined,
      reason: doc.reason ?? undefined,
      customer: { email: resolved.call.customer.email, name: resolved.call.customer.name, locale: doc.customer.locale },
      templateKey: resolved.queue.survey.template,
      callEndedAt: doc.endedAt,
      day: doc.day,
      sendAt: decision.sendAt,
      expiresAt: decision.expiresAt,
      reminderAt: decision.reminderAt,
    })),
  );
  return results.flatMap((r, i) => ('error' in r ? [{ call: calls[i] as Decided, err: r.error }] : []));
}
