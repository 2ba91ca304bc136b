/**
 * Erasure on request (the right to erasure): everything Retour holds about one address.
 * Calls are found by the hash of the normalised address (trimmed, lower-cased, as ingest
 * stored it), their invitations and responses through them (and responses by the same
 * hash), outbox copies by recipient and by the responses they quote. previewErasure only
 * counts; eraseCustomer suppresses the address (as a hash), erases and audits (counts and
 * the hash, never the address).
 */
import type { Types } from 'mongoose';
import { recordAudit, type AuditActor } from '../audit';
import { hashEmail, isSuppressed, normalizeEmail, suppressAddress, type SuppressionReason } from '../suppressions';
import { callsOfCustomer, countOutboxAbout, deleteOutboxAbout, eraseCalls, eraseInvitations, invitationsOfCalls } from './records';
import { anonymiseResponses, responsesOfCustomer, responsesOfInvitations } from './responses';

export interface ErasureCounts {
  calls: number;
  invitations: number;
  responses: number;
  outbox: number;
}

export interface ErasurePreview extends ErasureCounts {
  /** Why the address is already on the suppression list, or null. */
  suppression: SuppressionReason | null;
}

export interface ErasureResult extends ErasureCounts {
  /** 'added' when this erasure put the address on the suppression list, else the reason it already had. */
  suppression: 'added' | SuppressionReason;
}

interface Found {
  calls: Types.ObjectId[];
  invitations: Types.ObjectId[];
  responses: Types.ObjectId[];
}

async function findRecords(address: string): Promise<Found> {
  const hash = hashEmail(address);
  const calls = await callsOfCustomer(hash);
  const invitations = await invitationsOfCalls(calls);
  const [linked, hashed] = await Promise.all([responsesOfInvitations(invitations), responsesOfCustomer(hash)]);
  const responses = new Map([...linked, ...hashed].map((id) => [String(id), id]));
  return { calls, invitations, responses: [...responses.values()] };
}

/** What erasing this address would change. Changes nothing. */
export async function previewErasure(email: string): Promise<ErasurePreview> {
  const address = normalizeEmail(email);
  const found = await findRecords(address);
  const [outbox, suppression] = await Promise.all([countOutboxAbout(address, found.responses.map(String)), isSuppressed(address)]);
  return { calls: found.calls.length, invitations: found.invitations.length, responses: found.responses.length, outbox, suppression };
}

/** Responses a racing save kept from erasure are tried again this many times. */
const RESPONSE_ATTEMPTS = 3;

/**
 * Erases everything about this address, keeps it on the suppression list (hash only) so it
 * is never surveyed again, and records who did it in the audit log. Idempotent: a second
 * erasure finds nothing more.
 */
export async function eraseCustomer(email: string, actor: AuditActor): Promise<ErasureResult> {
  const address = normalizeEmail(email);
  const already = await isSuppressed(address);
  // First, so that no survey email leaves for this address from now on.
  await suppressAddress(address, 'erasure', 'erasure-request');
  const found = await findRecords(address);
  // Invitations before responses: their links stop working, so no new answer arrives meanwhile.
  const invitations = await eraseInvitations(found.invitations, 'suppressed');
  let responses = 0;
  for (let attempt = 0; attempt < RESPONSE_ATTEMPTS; attempt++) {
    const changed = await anonymiseResponses(found.responses);
    responses += changed;
    if (changed === 0) break;
  }
  const outbox = await deleteOutboxAbout(address, found.responses.map(String));
  const calls = await eraseCalls(found.calls);
  const result: ErasureResult = { calls, invitations, responses, outbox, suppression: already ?? 'added' };
  await recordAudit({ actor, action: 'privacy.erase', target: { type: 'customer', id: hashEmail(address) }, after: result });
  return result;
}
