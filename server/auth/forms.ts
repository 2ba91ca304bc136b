/**
 * Server-rendered forms of staff access: check a body with Joi and get one message key per
 * field (so a 422 re-renders the form with messages beside the fields and the values
 * kept), turn a service's field error into the same shape, and translate it for the view.
 */
import type Joi from 'joi';
import { AppError } from '../errors';
import type { Translate } from '../i18n';

/** Field name → i18n key of its message. */
export type FieldErrors = Record<string, string>;

export function checkForm<T>(schema: Joi.Schema, body: unknown, keys: Record<string, string>): { value: T; errors: FieldErrors | null } {
  const { value, error } = schema.validate(body ?? {}, { abortEarly: false, stripUnknown: true });
  if (!error) return { value: value as T, errors: null };
  const errors: FieldErrors = {};
  for (const detail of error.details) {
    const field = String(detail.path[0] ?? '');
    errors[field] ??= keys[field] ?? 'auth.errors.invalid';
  }
  return { value: value as T, errors };
}

/** The field errors a service attached (details: [{ field, key }]), or null for any other error. */
export function fieldErrorsOf(err: unknown): FieldErrors | null {
  if (!(err instanceof AppError) || !Array.isArray(err.details)) return null;
  const pairs = (err.details as { field?: unknown; key?: unknown }[]).filter(
    (d) => typeof d?.field === 'string' && typeof d?.key === 'string',
  );
  return pairs.length > 0 ? Object.fromEntries(pairs.map((d) => [d.field as string, d.key as string])) : null;
}

export function translateErrors(t: Translate, errors: FieldErrors | null): Record<string, string> {
  return Object.fromEntries(Object.entries(errors ?? {}).map(([field, key]) => [field, t(key)]));
}

/** Only a same-site path may follow a sign-in: no scheme, no host, no `//` or backslash tricks. */
export function safeNext(next: unknown, fallback: string): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return fallback;
  if ([...next].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return fallback;
  const url = new URL(next, 'http://retour.invalid');
  if (url.origin !== 'http://retour.invalid' || url.pathname === '/login') return fallback;
  return url.pathname + url.search + url.hash;
}
