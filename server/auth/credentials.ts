/**
 * Signing in and passwords: check an email and password (the same null for an unknown
 * email, a wrong password or a disabled account, in the same time), change one's own
 * password, set it from a one-time link, load the user behind a session, and create the
 * first admin from the configuration at start.
 */
import { recordAudit } from '../audit';
import { Invalid } from '../errors';
import { hashPassword, needsRehash, verifyNothing, verifyPassword } from './passwords';
import { User, type UserDoc } from './user-model';
import { hashToken, normalizeEmail, toStaffUser } from './users';
import type { StaffUser } from './types';

export interface SignedIn {
  user: StaffUser;
  authVersion: number;
}

/** The account for these credentials, or null (unknown, wrong password, disabled, no password yet). */
export async function authenticate(email: string, password: string, now = new Date()): Promise<SignedIn | null> {
  const doc = await User.findOne({ email: normalizeEmail(email) }).lean<UserDoc>();
  if (!doc?.passwordHash) return verifyNothing(password).then(() => null);
  const ok = await verifyPassword(password, doc.passwordHash);
  if (!ok || doc.disabled) return null;
  const update: Record<string, unknown> = { lastLoginAt: now };
  if (needsRehash(doc.passwordHash)) update.passwordHash = await hashPassword(password);
  await User.updateOne({ _id: doc._id }, { $set: update });
  return { user: toStaffUser(doc), authVersion: doc.authVersion };
}

/** The user of a session, or null when the account is gone, disabled or its sessions were ended. */
export async function loadSessionUser(id: string, authVersion: number | undefined): Promise<StaffUser | null> {
  const doc = await User.findById(id).lean<UserDoc>().catch(() => null);
  if (!doc || doc.disabled || doc.authVersion !== (authVersion ?? 0)) return null;
  return toStaffUser(doc);
}

function wrongCurrent(): Invalid {
  const message = 'The current password is not correct.';
  return new Invalid(message, { code: 'WRONG_PASSWORD', details: [{ field: 'current', key: 'auth.errors.wrongPassword', message }] });
}

/**
 * Changes the user's own password after checking the current one (throws Invalid
 * WRONG_PASSWORD). Ends the user's other sessions: returns the new authVersion for this one.
 */
export async function changePassword(userId: string, current: string, next: string): Promise<number> {
  const doc = await User.findById(userId).lean<UserDoc>();
  if (!doc?.passwordHash || !(await verifyPassword(current, doc.passwordHash))) throw wrongCurrent();
  const updated = await User.findOneAndUpdate(
    { _id: doc._id },
    { $set: { passwordHash: await hashPassword(next), setPassword: null }, $inc: { authVersion: 1 } },
    { returnDocument: 'after' },
  ).lean<UserDoc>();
  await recordAudit({ actor: { type: 'user', id: userId, email: doc.email }, action: 'user.password', target: { type: 'user', id: userId } });
  return updated?.authVersion ?? doc.authVersion + 1;
}

/** The account a set-password link is for, or null when the link is unknown or expired. */
export async function findBySetPasswordToken(token: string, now = new Date()): Promise<UserDoc | null> {
  return User.findOne({ 'setPassword.tokenHash': hashToken(token), 'setPassword.expiresAt': { $gt: now } }).lean<UserDoc>();
}

/** Sets the password from a one-time link and spends the link; false when it is unknown or expired. */
export async function setPasswordWithToken(token: string, password: string, now = new Date()): Promise<boolean> {
  const doc = await findBySetPasswordToken(token, now);
  if (!doc) return false;
  const passwordHash = await hashPassword(password);
  // The filter on the token makes a second use of the same link fail even when both race.
  const result = await User.updateOne(
    { _id: doc._id, 'setPassword.tokenHash': hashToken(token) },
    { $set: { passwordHash, setPassword: null }, $inc: { authVersion: 1 } },
  );
  if (result.modifiedCount === 0) return false;
  await recordAudit({ actor: { type: 'user', id: String(doc._id), email: doc.email }, action: 'user.password', target: { type: 'user', id: String(doc._id) } });
  return true;
}

/** ADMIN_EMAIL + ADMIN_PASSWORD: creates that admin when no account has the email; never overwrites one. */
export async function ensureFirstAdmin(admin: { email: string; password: string }): Promise<boolean> {
  const email = normalizeEmail(admin.email);
  if (await User.exists({ email })) return false;
  const passwordHash = await hashPassword(admin.password);
  const result = await User.updateOne(
    { email },
    { $setOnInsert: { email, name: '', role: 'admin', sites: [], locale: 'fr', passwordHash, disabled: false, authVersion: 0 } },
    { upsert: true },
  );
  if (result.upsertedCount === 0) return false;
  const id = String(result.upsertedId);
  await recordAudit({ actor: { type: 'system' }, action: 'user.create', target: { type: 'user', id }, after: { email, role: 'admin' } });
  return true;
}
