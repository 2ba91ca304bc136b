/**
 * ingestCalls: the one way calls come in (API and CSV import). Per batch: check each
 * call, drop repeats (stored or earlier in the batch), decide eligibility in input
 * order (so two calls of one customer in a batch cannot both be surveyed), store the
 * calls with their decisions and an invitation for each scheduled one. A batch goes
 * through in parts, each stored while the next is checked and decided.
 */
import { Types } from 'mongoose';
import { createInvitations, withdrawInvitations } from '../invitations';
import { countCallbacks, countSurveyed, reportingDay, watchChunk } from './callbacks';
import { decideEligibility, decisionRecord, type Decision } from './eligibility';
import { agentWeekKey, coversCall, loadHistory, mergeHistory, type History, type ResolvedCall } from './lookups';
import { CallModel } from './model';
import { MAX_BATCH } from './schemas';
import { startScreening } from './screen';

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

/**
 * Items checked and stored per part: the database stores one part while the next is
 * checked and decided, instead of the two sides taking turns on the whole batch.
 */
const STORE_PART = 125;

async function ingestChunk(items: unknown[], source: CallSource, options: IngestOptions): Promise<Outcome[]> {
  const now = options.now ?? new Date();
  const random = options.random ?? Math.random;
  const screening = await startScreening(items, now);
  const watch = watchChunk();
  // The history of every call the batch may hold is asked for before its calls are
  // checked (the database answers while the first part is); a checked call whose reading
  // differs from the expected one gets its own lookup before it is decided.
  const historyLookup = loadHistory(
    screening.expected.filter((c): c is ResolvedCall => c !== null),
    now,
  );
  historyLookup.catch(() => undefined); // awaited in the first part, where a failure is reported
  let history: History | undefined;
  // What this batch scheduled, beside what was stored before it.
  const surveysHere = new Map<string, Date[]>();
  const agentWeeksHere = new Map<string, number>();

  const decide = (past: History, { index, resolved }: { index: number; resolved: ResolvedCall }): Decided => {
    const { call, queue, site, customerHash, week } = resolved;
    const weekKey = call.agent ? agentWeekKey(queue.code, call.agent, week) : '';
    const stored = past.surveys.get(customerHash) ?? [];
    const here = surveysHere.get(customerHash);
    const decision = decideEligibility({
      endedAt: call.endedAt,
      agent: call.agent,
      settings: queue.survey,
      timeZone: site.timezone,
      now,
      customerSurveys: here ? [...stored, ...here] : stored,
      agentSurveysThisWeek: (past.agentWeeks.get(weekKey) ?? 0) + (agentWeeksHere.get(weekKey) ?? 0),
      suppression: past.suppressions.get(customerHash) ?? null,
      random,
    });
    if (decision.outcome === 'scheduled') {
      surveysHere.set(customerHash, [...(here ?? []), decision.sendAt]);
      if (weekKey) agentWeeksHere.set(weekKey, (agentWeeksHere.get(weekKey) ?? 0) + 1);
    }
    return { index, resolved, decision, doc: callDocument(resolved, decision, source, now) };
  };

  // Checked and decided part by part in input order (a part sees the decisions of the
  // parts before it), each part stored as soon as it is decided; the `surveyed` counts of
  // the whole batch are written beside the last part and taken back afterwards for the
  // calls that were not kept.
  const decided: Decided[] = [];
  const parts: Promise<StoredPart>[] = [];
  let failure: unknown = null;
  try {
    for (let from = 0; from < items.length; from += STORE_PART) {
      const fresh = await screening.check(from, Math.min(items.length, from + STORE_PART));
      const known = (history ??= await historyLookup);
      const unexpected = fresh.filter((f) => !coversCall(screening.expected[f.index] ?? null, f.resolved));
      if (unexpected.length > 0) {
        // Read without this batch's own calls, which may be stored by now: decide() adds what the batch scheduled.
        const ownCalls = new Set(decided.map((d) => d.doc._id.toHexString()));
        mergeHistory(known, await loadHistory(unexpected.map((f) => f.resolved), now, ownCalls));
      }
      const part = fresh.map((f) => decide(known, f));
      decided.push(...part);
      const storing = storePart(part);
      storing.catch(() => undefined); // settled below, with the others
      parts.push(storing);
      // Lets the driver encode and send this part before the next one is checked.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (err) {
    // The parts already sent are settled (and counted) as usual; the request then fails.
    failure = err;
  }
  const results: Outcome[] = screening.verdicts.map((v) => v ?? { externalId: '', outcome: 'invalid' });
  const docs = decided.map((d) => d.doc);
  const [counted, ...stored] = await Promise.allSettled([countSurveyed(docs), ...parts]);

  const kept: CallDocument[] = [];
  for (const part of stored) {
    if (part.status === 'rejected') {
      failure ??= part.reason;
      continue;
    }
    const { calls, refused, uninvited } = part.value;
    for (const d of calls) {
      if (refused.has(d.doc.externalId)) {
        // Posted twice at the same moment: the other request stored it first.
        results[d.index] = { externalId: d.doc.externalId, outcome: 'duplicate', reason: 'already received' };
      } else {
        results[d.index] = outcomeOf(d.doc.externalId, d.decision);
        if (!uninvited.has(d.doc._id)) kept.push(d.doc);
      }
    }
    if (uninvited.size > 0) failure ??= [...uninvited.values()][0];
  }
  if (counted.status === 'rejected') failure ??= counted.reason;
  // The calls that stay are counted now, even if the request fails: a retry finds them duplicates.
  const keptIds = new Set(kept.map((d) => d._id));
  const notKept = docs.filter((d) => !keptIds.has(d._id));
  await Promise.all([
    counted.status === 'fulfilled' && notKept.length > 0 ? countSurveyed(notKept, -1) : undefined,
    countCallbacks(kept, history?.nearby ?? [], watch),
  ]);
  if (failure !== null) throw failure;
  return results;
}

interface StoredPart {
  calls: Decided[];
  /** externalIds another request stored first (the unique index refused them). */
  refused: Set<string>;
  /** Stored calls whose invitation could not be created (then removed), with the error. */
  uninvited: Map<Types.ObjectId, unknown>;
}

/**
 * Stores a part's calls and its scheduled calls' invitations at the same time (the call
 * ids are made here). An invitation whose call was refused is withdrawn; a call whose
 * invitation failed is removed, as it would never be surveyed and a retry redoes both.
 * Throws when the calls could not be stored, after withdrawing the part's invitations.
 */
async function storePart(calls: Decided[]): Promise<StoredPart> {
  const scheduled = calls.filter((d): d is Decided & { decision: ScheduledDecision } => d.decision.outcome === 'scheduled');
  const [stored, invited] = await Promise.allSettled([insertCalls(calls.map((d) => d.doc)), inviteScheduled(scheduled)]);
  if (stored.status === 'rejected') {
    await withdrawInvitations(scheduled.map((d) => d.doc._id.toHexString()));
    throw stored.reason;
  }
  const refused = stored.value;
  const failed = invited.status === 'fulfilled' ? invited.value : scheduled.map((call) => ({ call, err: invited.reason as unknown }));
  const uninvited = new Map(failed.filter((f) => !refused.has(f.call.doc.externalId)).map((f) => [f.call.doc._id, f.err] as const));
  await Promise.all([
    withdrawInvitations(scheduled.filter((d) => refused.has(d.doc.externalId)).map((d) => d.doc._id.toHexString())),
    uninvited.size > 0 ? CallModel.deleteMany({ _id: { $in: [...uninvited.keys()] } }) : undefined,
  ]);
  return { calls, refused, uninvited };
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
