/**
 * Erasing a customer's identity from calls and invitations, and the outbox copies of
 * emails about them. Shared by retention and erasure on request. Erasure cuts across
 * features, so this module writes those features' collections itself, and only their
 * identity fields: site, queue, agent, reason, day, dates and states stay for reports.
 */
import { randomBytes } from 'node:crypto';
import type { mongo, Types } from 'mongoose';
import { CallModel } from '../calls/model';
import { literalPattern } from '../db';
import { Invitation, OPEN_STATES } from '../invitations/model';
import { OutboxMessage } from '../mail/outbox-model';

type Doc = mongo.Document;
const calls = () => CallModel.collection as unknown as mongo.Collection<Doc>;
const invitations = () => Invitation.collection as unknown as mongo.Collection<Doc>;

/**
 * Clears the customer's address, name and address hash on these calls (the hash would let
 * anyone holding the address find them again). externalId stays: it is what makes a second
 * post of the same call a duplicate instead of a new record with the address in it.
 * Returns how many calls changed.
 */
export async function eraseCalls(ids: Types.ObjectId[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await calls().updateMany(
    { _id: { $in: ids } },
    { $set: { 'customer.email': null, 'customer.name': null, customerHash: null } },
  );
  return result.modifiedCount;
}

/**
 * Clears the customer's address and name on these invitations and replaces their token
 * hashes by a random one, so the links in old emails open nothing (the survey and
 * unsubscribe pages would otherwise show what is left to whoever holds the email).
 * Invitations still open are closed as `closeAs`: no email goes out after this.
 * Returns how many invitations changed.
 */
export async function eraseInvitations(ids: Types.ObjectId[], closeAs: 'suppressed' | 'expired'): Promise<number> {
  if (ids.length === 0) return 0;
  const erased = await invitations().bulkWrite(
    ids.map((_id) => ({
      updateOne: {
        filter: { _id },
        // lastError may quote the mail server's reply about the address.
        update: { $set: { 'customer.email': null, 'customer.name': null, tokenHashes: [randomBytes(32).toString('hex')], lastError: null } },
      },
    })),
    { ordered: false },
  );
  await invitations().updateMany(
    { _id: { $in: ids }, state: { $in: OPEN_STATES } },
    { $set: { state: closeAs, nextAttemptAt: null, reminderAt: null } },
  );
  return erased.matchedCount;
}

/** The invitations of these calls (one per surveyed call), with their id. */
export async function invitationsOfCalls(callIds: Types.ObjectId[]): Promise<Types.ObjectId[]> {
  if (callIds.length === 0) return [];
  const found = await invitations()
    .find({ callId: { $in: callIds.map(String) } }, { projection: { _id: 1 } })
    .toArray();
  return found.map((d) => d._id as Types.ObjectId);
}

/**
 * Calls whose customer is still stored, ended before `cutoff` and not before `from` when
 * given (the retention's next batch), with their addresses.
 */
export async function callsToRetire(cutoff: Date, from: Date | null, limit: number): Promise<{ ids: Types.ObjectId[]; addresses: string[] }> {
  const endedAt = from ? { $gte: from, $lt: cutoff } : { $lt: cutoff };
  const found = await calls()
    .find({ endedAt, 'customer.email': { $type: 'string' } }, { projection: { _id: 1, 'customer.email': 1 } })
    .limit(limit)
    .toArray();
  return { ids: found.map((d) => d._id as Types.ObjectId), addresses: [...new Set(found.map((d) => String(d.customer.email)))] };
}

/** The calls of one customer (by the hash of their normalised address) still stored with it. */
export async function callsOfCustomer(hash: string): Promise<Types.ObjectId[]> {
  const found = await calls().find({ customerHash: hash }, { projection: { _id: 1 } }).toArray();
  return found.map((d) => d._id as Types.ObjectId);
}

/** Alerts and digests to quality leads that quote these responses (they link to each by id). */
function quoting(responseIds: string[]): Record<string, unknown>[] {
  if (responseIds.length === 0) return [];
  return [{ text: { $regex: `comments\\?response=(${responseIds.map(literalPattern).join('|')})` } }];
}

/** The outbox copies about one customer: emails to the address (any case, the whole address), and those quoting them. */
function aboutCustomer(address: string, responseIds: string[]): Record<string, unknown> {
  // `to` may also read "Name <address>".
  const to = `(^|[\\s<,])${literalPattern(address)}($|[\\s>,])`;
  return { $or: [{ to: { $regex: to, $options: 'i' } }, ...quoting(responseIds)] };
}

export async function countOutboxAbout(address: string, responseIds: string[]): Promise<number> {
  return OutboxMessage.countDocuments(aboutCustomer(address, responseIds));
}

export async function deleteOutboxAbout(address: string, responseIds: string[]): Promise<number> {
  return (await OutboxMessage.deleteMany(aboutCustomer(address, responseIds))).deletedCount;
}

/**
 * Outbox copies of emails to these addresses (exactly as the calls stored them: the emails
 * were addressed with that string) or quoting these responses. An outbox in use is small
 * (it stands in for a mail server); with SMTP it is empty and this costs one probe.
 */
export async function deleteOutboxFor(addresses: string[], responseIds: string[]): Promise<number> {
  if (addresses.length + responseIds.length === 0 || !(await OutboxMessage.exists({}))) return 0;
  return (await OutboxMessage.deleteMany({ $or: [{ to: { $in: addresses } }, ...quoting(responseIds)] })).deletedCount;
}

/** Outbox copies older than the retention: all of them, whoever they went to. */
export async function deleteOutboxBefore(cutoff: Date): Promise<number> {
  return (await OutboxMessage.deleteMany({ createdAt: { $lt: cutoff } })).deletedCount;
}
