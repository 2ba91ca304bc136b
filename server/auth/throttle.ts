/**
 * Login throttling, shared by every app process through MongoDB: failures counted per
 * account (10 per 15 minutes) and per client address (50 per 15 minutes) in fixed
 * windows. Blocked means: refuse before checking the password, and say when to retry.
 */
import mongoose, { Schema } from 'mongoose';

export const WINDOW_MS = 15 * 60 * 1000;
export const LIMITS = { account: 10, ip: 50 } as const;

const throttleSchema = new Schema(
  {
    _id: { type: String, required: true },
    failures: { type: Number, required: true },
    resetAt: { type: Date, required: true },
  },
  { versionKey: false },
);
throttleSchema.index({ resetAt: 1 }, { expireAfterSeconds: 0 });

export const LoginThrottle = mongoose.model('LoginThrottle', throttleSchema);

export interface ThrottleKeys {
  ip: string;
  account: string;
}

function ids(keys: ThrottleKeys): { id: string; limit: number }[] {
  return [
    { id: `ip:${keys.ip}`, limit: LIMITS.ip },
    { id: `account:${keys.account.trim().toLowerCase()}`, limit: LIMITS.account },
  ];
}

/** Milliseconds until another attempt is allowed, or 0 when it is allowed now. */
export async function blockedFor(keys: ThrottleKeys, now = new Date()): Promise<number> {
  const counters = ids(keys);
  const docs = await LoginThrottle.find({ _id: { $in: counters.map((c) => c.id) }, resetAt: { $gt: now } }).lean();
  let wait = 0;
  for (const doc of docs) {
    const limit = counters.find((c) => c.id === doc._id)?.limit ?? Infinity;
    if (doc.failures >= limit) wait = Math.max(wait, doc.resetAt.getTime() - now.getTime());
  }
  return wait;
}

async function countFailure(id: string, now: Date): Promise<void> {
  const inWindow = await LoginThrottle.updateOne({ _id: id, resetAt: { $gt: now } }, { $inc: { failures: 1 } });
  if (inWindow.matchedCount > 0) return;
  try {
    // No counter, or an expired one: start a new window.
    await LoginThrottle.updateOne(
      { _id: id, $or: [{ resetAt: { $lte: now } }, { resetAt: { $exists: false } }] },
      { $set: { failures: 1, resetAt: new Date(now.getTime() + WINDOW_MS) } },
      { upsert: true },
    );
  } catch (err) {
    // Another process started the window first (duplicate _id): count in it.
    if ((err as { code?: number }).code !== 11000) throw err;
    await LoginThrottle.updateOne({ _id: id }, { $inc: { failures: 1 } });
  }
}

export async function recordFailure(keys: ThrottleKeys, now = new Date()): Promise<void> {
  for (const { id } of ids(keys)) await countFailure(id, now);
}

/** A successful sign-in clears the account's counter (not the address's). */
export async function clearAccount(keys: ThrottleKeys): Promise<void> {
  await LoginThrottle.deleteOne({ _id: ids(keys)[1]!.id });
}
