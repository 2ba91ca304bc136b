/**
 * The dispatch worker's database side: claiming a due invitation email or reminder with
 * one atomic findOneAndUpdate and a lease, recording outcomes only while the lease is
 * still ours (write-behind, one bulkWrite per burst), and the expiry sweep. The decisions
 * (send, retry, give up) are dispatch.ts's. These hot paths use the driver collection
 * under the model: thousands per minute, with documents this module writes itself.
 */
import type { mongo } from 'mongoose';
import { addDeliveries } from '../rollups';
import { Invitation, OPEN_STATES, type InvitationRecord } from './model';
import { hashToken, newToken } from './tokens';

export type Kind = 'invitation' | 'reminder';

type Stored = InvitationRecord;
/** The driver's collection under the model, typed with the stored shape. */
const collection = () => Invitation.collection as unknown as mongo.Collection<Stored>;

/**
 * The fields a claim reads back: what sending, the reminder's shift and the outcome need.
 * Only these are encoded by the database and decoded here, once per email; the token
 * hashes (they only grow) stay behind. The reporting copies come along for the `invited`
 * counter of the first send's bucket.
 */
const CLAIMED_FIELDS = [
  '_id',
  'site',
  'queue',
  'agent',
  'reason',
  'day',
  'customer',
  'templateKey',
  'templateVersionId',
  'sendAt',
  'attempts',
  'reminderAt',
  'reminderAttempts',
  'reminderSentAt',
  'expiresAt',
  'unsubscribedAt',
] as const;
export type ClaimedDoc = Pick<InvitationRecord, (typeof CLAIMED_FIELDS)[number]>;
const CLAIM_PROJECTION: Record<string, 1> = Object.fromEntries(CLAIMED_FIELDS.map((f) => [f, 1]));

export interface Claimed {
  kind: Kind;
  doc: ClaimedDoc;
  /** The token this email carries; its hash went in with the claim, before any send. */
  token: string;
  owner: string;
}

/**
 * Claims the earliest due email of `kind` for `owner`, or returns null when none is due.
 * The claim moves the due time to the lease's end: the invitation leaves the due range
 * while it is in flight and comes back by itself if the worker dies (lease expired), so
 * "due" already means "not leased" and the filter stays one index range. The range is
 * read in index order, earliest first; no sort is asked (see the report on the engine).
 */
export async function claimDue(kind: Kind, owner: string, now: Date, leaseMs: number): Promise<Claimed | null> {
  const token = newToken();
  const until = new Date(now.getTime() + leaseMs);
  const due = kind === 'invitation' ? 'nextAttemptAt' : 'reminderAt';
  const filter: mongo.Filter<Stored> =
    kind === 'invitation'
      ? { nextAttemptAt: { $lte: now }, state: 'scheduled' }
      : { reminderAt: { $lte: now }, state: { $in: ['sent', 'opened'] }, reminderSentAt: null, unsubscribedAt: null };
  const doc = await collection().findOneAndUpdate(
    filter,
    {
      $set: { lease: { owner, until }, [due]: until, updatedAt: new Date() },
      $inc: { [kind === 'invitation' ? 'attempts' : 'reminderAttempts']: 1 },
      $push: { tokenHashes: hashToken(token) },
    },
    { returnDocument: 'after', projection: CLAIM_PROJECTION },
  );
  return doc ? { kind, doc: doc as ClaimedDoc, token, owner } : null;
}

/** What to change on the claimed invitation besides dropping its lease. */
export interface Outcome {
  set?: Record<string, unknown>;
  inc?: Record<string, number>;
}

/**
 * How long the first outcome of a burst waits for others before it is written. The
 * invitation stays leased meanwhile (the lease lasts a minute), so nothing can claim it
 * again, and a drain of thousands writes its outcomes in fewer, larger bulkWrites.
 */
const SETTLE_WINDOW_MS = 10;

/**
 * Records outcomes of claimed emails and drops their leases, each only if the lease is
 * still ours (a worker that overran its lease must not overwrite its successor's work)
 * and the invitation is still in the state it was claimed in.
 * Write-behind: record() queues the outcome and returns at once, so a lane claims its next
 * email while the last outcome is written. The first outcome waits SETTLE_WINDOW_MS for
 * others, and one bulkWrite is in flight at a time: outcomes queued meanwhile go out
 * together in the next one, so under load a burst costs one round trip per several emails
 * (a round trip costs the process far more CPU than the operations in it). The
 * invitation stays leased (not due) until then. flush() waits for everything queued and throws the first write error.
 * The first sends among the outcomes written are then counted in the rollups (`invited`), one write per burst.
 */
export function createSettler(onLost: (count: number) => void) {
  let queued: Queued[] = [];
  let writing: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;

  async function write(entries: Queued[]): Promise<void> {
    try {
      const ops = entries.map((e) => e.op);
      const result = await collection().bulkWrite(ops, { ordered: false });
      const lost = ops.length - result.matchedCount;
      if (lost > 0) onLost(lost);
      await countFirstSends(entries.flatMap((e) => (e.firstSend ? [e.firstSend] : [])), lost === 0);
    } catch (error) {
      failure ??= { error };
    }
  }

  /** Writes what is queued, then whatever was queued during that write, until nothing is left. */
  async function drain(): Promise<void> {
    while (queued.length > 0) {
      const entries = queued;
      queued = [];
      await write(entries);
    }
    writing = undefined;
  }

  return {
    /** Queues the outcome; `keepToken` false removes the hash of a token that was never emailed. */
    record(claimed: Claimed, outcome: Outcome, keepToken: boolean): void {
      const update: mongo.UpdateFilter<Stored> = { $set: { ...outcome.set, lease: null, updatedAt: new Date() } };
      if (outcome.inc) update.$inc = outcome.inc;
      if (!keepToken) update.$pull = { tokenHashes: hashToken(claimed.token) };
      // Started a little later, not now: outcomes recorded meanwhile share the first write.
      if (!writing) writing = new Promise<void>((resolve) => setTimeout(resolve, SETTLE_WINDOW_MS)).then(drain);
      // Also only while the state is still the one claimed: an answer that came meanwhile stands.
      const state: mongo.Filter<Stored>['state'] = claimed.kind === 'invitation' ? 'scheduled' : { $in: ['sent', 'opened'] };
      const firstSend = claimed.kind === 'invitation' && outcome.set?.state === 'sent' ? { doc: claimed.doc, sentAt: outcome.set.sentAt as Date } : undefined;
      queued.push({ op: { updateOne: { filter: { _id: claimed.doc._id, 'lease.owner': claimed.owner, state }, update } }, firstSend });
    },
    async flush(): Promise<void> {
      while (writing) await writing;
      if (failure) {
        const { error } = failure;
        failure = undefined;
        throw error;
      }
    },
  };
}

export type Settler = ReturnType<typeof createSettler>;

/** An outcome waiting for the settler's next write; `firstSend` when it records the invitation's first email. */
interface Queued {
  op: mongo.AnyBulkWriteOperation<Stored>;
  firstSend?: { doc: ClaimedDoc; sentAt: Date };
}

/**
 * Counts written first sends as `invited`. When some outcomes of the write were refused
 * (lease lost, answered meanwhile), the sends whose sentAt is ours are the ones written:
 * a worker that took over after our lease set its own, later, time.
 */
async function countFirstSends(sends: { doc: ClaimedDoc; sentAt: Date }[], allWritten: boolean): Promise<void> {
  if (sends.length === 0) return;
  let written = sends;
  if (!allWritten) {
    const stored = await collection()
      .find({ _id: { $in: sends.map((s) => s.doc._id) } }, { projection: { sentAt: 1 } })
      .toArray();
    const sentAt = new Map(stored.map((d) => [String(d._id), d.sentAt?.getTime()]));
    written = sends.filter((s) => sentAt.get(String(s.doc._id)) === s.sentAt.getTime());
  }
  await addDeliveries(
    written.map(({ doc }) => ({
      of: { day: doc.day ?? doc.sendAt.toISOString().slice(0, 10), site: doc.site, queue: doc.queue, agent: doc.agent, reason: doc.reason, templateKey: doc.templateKey },
      invited: 1,
    })),
  );
}

/** Marks every unanswered invitation past its end 'expired' (one updateMany); returns how many. */
export async function expireDue(now: Date): Promise<number> {
  const result = await Invitation.updateMany(
    {
      state: { $in: OPEN_STATES },
      expiresAt: { $lte: now },
      // An email in flight is left to its worker, which expires it itself.
      $or: [{ lease: null }, { 'lease.until': { $lte: now } }],
    },
    { $set: { state: 'expired', nextAttemptAt: null, reminderAt: null, lease: null } },
  );
  return result.modifiedCount;
}
