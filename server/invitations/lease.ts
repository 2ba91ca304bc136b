/**
 * Keeping a claim's lease while its email is being sent. A slow mail server (replies that
 * each come just within the transport's timeouts, a tarpit, a busy pool) can hold one send
 * longer than the lease; once the lease ran out, another lane or worker would claim the
 * same email and send it again. While the send runs, the lease and the due time move
 * forward every third of the lease; a worker that dies stops moving them.
 */
import type { mongo } from 'mongoose';
import type { Claimed } from './claims';
import { Invitation, type InvitationRecord } from './model';

const collection = () => Invitation.collection as unknown as mongo.Collection<InvitationRecord>;

/**
 * Extends the lease of `claimed` (taken at `claimedAt`, on the worker's clock) until the
 * returned function is called. Extensions only apply while the lease is still ours.
 */
export function holdLease(claimed: Claimed, claimedAt: Date, leaseMs: number, onError: (err: unknown) => void): () => void {
  const started = Date.now();
  const due = claimed.kind === 'invitation' ? 'nextAttemptAt' : 'reminderAt';
  const timer = setInterval(() => {
    // On the claim's clock: the worker may run on a clock of its own (tests, catching up).
    const until = new Date(claimedAt.getTime() + leaseMs + (Date.now() - started));
    collection()
      .updateOne({ _id: claimed.doc._id, 'lease.owner': claimed.owner }, { $set: { 'lease.until': until, [due]: until } })
      .catch(onError);
  }, Math.max(10, Math.floor(leaseMs / 3)));
  timer.unref();
  return () => clearInterval(timer);
}
