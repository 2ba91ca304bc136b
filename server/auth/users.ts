/**
 * Staff accounts, the admin rules: list, invite (a one-time set-password link, valid 7
 * days, only its hash stored), change name, role, site scope and language, disable and
 * enable — never leaving Retour without an active admin. Each change is audited.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import { recordAudit, type AuditActor } from '../audit';
import { Conflict, NotFound } from '../errors';
import type { Locale } from '../i18n';
import { User, type UserDoc } from './user-model';
import type { Role, StaffUser } from './types';

export const SET_PASSWORD_DAYS = 7;

export interface UserFields {
  name: string;
  role: Role;
  sites: string[];
  locale: Locale;
}

export function toStaffUser(doc: UserDoc): StaffUser {
  return {
    id: String(doc._id),
    email: doc.email,
    name: doc.name ?? '',
    role: doc.role as Role,
    sites: [...(doc.sites ?? [])],
    locale: doc.locale as Locale,
  };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** What the audit log keeps of an account (no hashes, no tokens). */
function auditView(doc: UserDoc) {
  return { email: doc.email, name: doc.name, role: doc.role, sites: doc.sites, locale: doc.locale, disabled: doc.disabled };
}

/** A conflict a form shows beside `field` (with the i18n `key`); the message is for logs and the CLI. */
function fieldConflict(code: string, field: string, key: string, message: string): Conflict {
  return new Conflict(message, { code, details: [{ field, key, message }] });
}

export function listUsers(): Promise<UserDoc[]> {
  return User.find().sort({ disabled: 1, email: 1 }).lean<UserDoc[]>().exec();
}

/** Throws NotFound for an unknown or malformed id. */
export async function getUser(id: string): Promise<UserDoc> {
  const doc = await User.findById(id).lean<UserDoc>();
  if (!doc) throw new NotFound();
  return doc;
}

async function newSetPasswordToken(userId: Types.ObjectId, now: Date): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SET_PASSWORD_DAYS * 24 * 3600 * 1000);
  await User.updateOne({ _id: userId }, { $set: { setPassword: { tokenHash: hashToken(token), expiresAt } } });
  return token;
}

/**
 * Creates an account. With a password hash it can sign in at once; without one it gets a
 * set-password token (returned in plain text, once). Throws Conflict EMAIL_TAKEN.
 */
export async function createUser(
  fields: UserFields & { email: string; passwordHash?: string },
  actor: AuditActor,
  now = new Date(),
): Promise<{ user: UserDoc; setPasswordToken: string | null }> {
  const email = normalizeEmail(fields.email);
  if (await User.exists({ email })) throw fieldConflict('EMAIL_TAKEN', 'email', 'auth.errors.emailTaken', `An account already uses ${email}.`);
  let created: UserDoc;
  try {
    const { passwordHash = null, ...rest } = fields;
    created = (await User.create({ ...rest, email, passwordHash })).toObject() as UserDoc;
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw fieldConflict('EMAIL_TAKEN', 'email', 'auth.errors.emailTaken', `An account already uses ${email}.`);
    throw err;
  }
  const setPasswordToken = created.passwordHash ? null : await newSetPasswordToken(created._id, now);
  await recordAudit({ actor, action: 'user.create', target: { type: 'user', id: String(created._id) }, after: auditView(created) });
  return { user: created, setPasswordToken };
}

/** A fresh set-password link for an account (forgotten password, lost invitation); audited. */
export async function issueSetPasswordLink(id: string, actor: AuditActor, now = new Date()): Promise<string> {
  const doc = await getUser(id);
  const token = await newSetPasswordToken(doc._id, now);
  await recordAudit({ actor, action: 'user.setPasswordLink', target: { type: 'user', id } });
  return token;
}

/** Throws Conflict LAST_ADMIN when the change would leave no active admin. */
async function keepAnAdmin(doc: UserDoc, stillAdmin: boolean): Promise<void> {
  if (doc.role !== 'admin' || doc.disabled || stillAdmin) return;
  const others = await User.countDocuments({ _id: { $ne: doc._id }, role: 'admin', disabled: false });
  if (others === 0) throw fieldConflict('LAST_ADMIN', 'role', 'auth.errors.lastAdmin', 'Retour needs at least one active admin.');
}

/** Changes name, role, site scope and language. Throws NotFound, Conflict LAST_ADMIN. */
export async function updateUser(id: string, fields: UserFields, actor: AuditActor): Promise<UserDoc> {
  const before = await getUser(id);
  await keepAnAdmin(before, fields.role === 'admin');
  const sites = fields.role === 'admin' ? [] : fields.sites;
  const after = await User.findOneAndUpdate(
    { _id: before._id },
    { $set: { name: fields.name, role: fields.role, sites, locale: fields.locale } },
    { returnDocument: 'after' },
  ).lean<UserDoc>();
  if (!after) throw new NotFound();
  await recordAudit({ actor, action: 'user.update', target: { type: 'user', id }, before: auditView(before), after: auditView(after) });
  return after;
}

/**
 * Disables (every session of the account ends at its next request) or enables an account.
 * Throws NotFound, Conflict LAST_ADMIN when disabling the last active admin.
 */
export async function setUserDisabled(id: string, disabled: boolean, actor: AuditActor): Promise<UserDoc> {
  const before = await getUser(id);
  if (disabled) await keepAnAdmin(before, false);
  const after = await User.findOneAndUpdate(
    { _id: before._id },
    { $set: { disabled }, ...(disabled ? { $inc: { authVersion: 1 } } : {}) },
    { returnDocument: 'after' },
  ).lean<UserDoc>();
  if (!after) throw new NotFound();
  await recordAudit({
    actor,
    action: disabled ? 'user.disable' : 'user.enable',
    target: { type: 'user', id },
    before: auditView(before),
    after: auditView(after),
  });
  return after;
}

/** The language the account's pages are shown in (not audited: a preference, not a setting). */
export async function setUserLocale(id: string, locale: Locale): Promise<void> {
  await User.updateOne({ _id: id }, { $set: { locale } });
}
