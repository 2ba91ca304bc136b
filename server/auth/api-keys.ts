/**
 * API keys, the rules: create (the plain key is returned once, only its hash is kept),
 * revoke, list, authenticate a Bearer key, and the idempotent BOOTSTRAP_API_KEY at start.
 * Audit entries for these changes are written by the callers that know the actor.
 */
import { createHash, randomBytes } from 'node:crypto';
import { NotFound } from '../errors';
import { ApiKey, type ApiKeyDoc } from './api-key-model';
import type { ApiKeyCaller } from './types';

const KEY_PREFIX = 'rtr_';
/** How often lastUsedAt is written for a busy key. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Creates a key and returns it in plain text: the only time anyone sees it. */
export async function createApiKey(name: string, createdBy: string | null = null): Promise<{ key: string; doc: ApiKeyDoc }> {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  const doc = await ApiKey.create({ name, prefix: key.slice(0, 12), hash: hashApiKey(key), createdBy });
  return { key, doc: doc.toObject() };
}

/** Revokes a key; throws NotFound for an unknown id. Revoking twice keeps the first time. */
export async function revokeApiKey(id: string, now = new Date()): Promise<{ before: ApiKeyDoc; after: ApiKeyDoc }> {
  const before = await ApiKey.findById(id).lean<ApiKeyDoc>();
  if (!before) throw new NotFound();
  const after = await ApiKey.findOneAndUpdate(
    { _id: before._id },
    { $set: { revokedAt: before.revokedAt ?? now } },
    { returnDocument: 'after' },
  ).lean<ApiKeyDoc>();
  return { before, after: after ?? before };
}

export function listApiKeys(): Promise<ApiKeyDoc[]> {
  return ApiKey.find().sort({ revokedAt: 1, createdAt: -1 }).lean<ApiKeyDoc[]>().exec();
}

/** The caller behind a key that is known and not revoked, or null; notes when it was used. */
export async function authenticateApiKey(key: string, now = new Date()): Promise<ApiKeyCaller | null> {
  const doc = await ApiKey.findOne({ hash: hashApiKey(key), revokedAt: null }).lean<ApiKeyDoc>();
  if (!doc) return null;
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  await ApiKey.updateOne(
    { _id: doc._id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: stale } }] },
    { $set: { lastUsedAt: now } },
  );
  return { id: String(doc._id), name: doc.name };
}

/** BOOTSTRAP_API_KEY: stored once (found again by its hash); returns whether it was created. */
export async function ensureBootstrapApiKey(key: string): Promise<boolean> {
  const hash = hashApiKey(key);
  const result = await ApiKey.updateOne(
    { hash },
    { $setOnInsert: { name: 'BOOTSTRAP_API_KEY', prefix: key.slice(0, 4), hash, createdBy: null } },
    { upsert: true },
  );
  return result.upsertedCount > 0;
}
