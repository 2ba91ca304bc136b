/**
 * The suppression list's rules: how an address is normalised and hashed, whether it is
 * suppressed, and adding it (idempotent: the first reason recorded stays). Callers pass
 * plain addresses; only their hash reaches the database.
 */
import { hash } from 'node:crypto';
import type { mongo } from 'mongoose';
import { Suppression, type SUPPRESSION_REASONS, type SuppressionRecord } from './model';

export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** Trimmed and lower-cased: mailbox providers treat addresses case-insensitively in practice. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The stored key of an address: hex SHA-256 of its normalised form. */
export function hashEmail(email: string): string {
  return hash('sha256', normalizeEmail(email), 'hex');
}

/** The reason the address is suppressed, or null when it may be emailed. */
export async function isSuppressed(email: string): Promise<SuppressionReason | null> {
  const found = await Suppression.findOne({ hash: hashEmail(email) }, { reason: 1 }).lean();
  return (found?.reason as SuppressionReason | undefined) ?? null;
}

/**
 * The suppressed addresses among many, by hash, in one query (ingest checks whole batches,
 * the dispatch worker every email). Through the driver collection: two string fields of
 * a plain query need nothing from Mongoose, whose query machinery adds CPU to every call
 * on the dispatch worker's hot path.
 */
export async function suppressionsByHash(hashes: Iterable<string>): Promise<Map<string, SuppressionReason>> {
  const wanted = [...new Set(hashes)];
  const found = new Map<string, SuppressionReason>();
  if (wanted.length === 0) return found;
  const collection = Suppression.collection as unknown as mongo.Collection<SuppressionRecord>;
  const rows = await collection.find({ hash: { $in: wanted } }, { projection: { _id: 0, hash: 1, reason: 1 } }).toArray();
  for (const row of rows) found.set(row.hash, row.reason as SuppressionReason);
  return found;
}

/**
 * Adds the address to the list. Idempotent: suppressing an address already on the list
 * changes nothing (its first reason and date stay), including when two requests race.
 */
export async function suppressAddress(email: string, reason: SuppressionReason, source?: string): Promise<void> {
  const hash = hashEmail(email);
  try {
    await Suppression.updateOne(
      { hash },
      { $setOnInsert: { hash, reason, source: source ?? null, createdAt: new Date() } },
      { upsert: true },
    );
  } catch (err) {
    // Two upserts of the same new hash at once: the loser hits the unique index; the address is suppressed either way.
    if ((err as { code?: unknown }).code !== 11000) throw err;
  }
}
