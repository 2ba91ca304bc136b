/**
 * Server-rendered forms: check a body with Joi, or read the field errors a service
 * threw (details [{ field, type }]), as one translated message per field, so a 422
 * re-renders the form with each message beside its field and the submitted values kept.
 */
import type Joi from 'joi';
import { AppError } from '../errors';
import { lookup, type Locale, type Translate } from '../i18n';

/** Field name → the message shown beside it. */
export type FieldErrors = Record<string, string>;

/** Picks a field's message: `<ns>.errors.<TYPE>` for a rule with a code, else `<ns>.errors.<field>`. */
export function fieldMessages(t: Translate, locale: Locale, namespace: string) {
  return (field: string, type: string): string => {
    const specific = `${namespace}.errors.${type}`;
    return lookup(locale, specific) ? t(specific) : t(`${namespace}.errors.${field}`);
  };
}

type Describe = (field: string, type: string) => string;

export function checkForm<T>(schema: Joi.Schema, body: unknown, describe: Describe): { value: T; errors: null } | { value: undefined; errors: FieldErrors } {
  const { value, error } = schema.validate(body ?? {}, { abortEarly: false, stripUnknown: true, convert: true });
  if (!error) return { value: value as T, errors: null };
  const errors: FieldErrors = {};
  for (const detail of error.details) {
    const field = String(detail.path[0] ?? '');
    errors[field] ??= describe(field, detail.type);
  }
  return { value: undefined, errors };
}

/**
 * The field errors an AppError carries (details: [{ field, type }]), with service field
 * names mapped to form field names by `rename`; null when `err` carries none (rethrow it).
 */
export function serviceFieldErrors(err: unknown, describe: Describe, rename: (field: string) => string = (f) => f): FieldErrors | null {
  if (!(err instanceof AppError) || err.status >= 500) return null;
  const details = Array.isArray(err.details) ? (err.details as { field?: unknown; type?: unknown }[]) : [];
  const errors: FieldErrors = {};
  for (const d of details) {
    if (typeof d?.field !== 'string') continue;
    const field = rename(d.field);
    errors[field] ??= describe(field, typeof d.type === 'string' ? d.type : err.code);
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

/** The errors as a list for the summary at the top of a form, each linking to its field. */
export function errorSummary(errors: FieldErrors | null): { href: string; message: string }[] {
  return Object.entries(errors ?? {}).map(([field, message]) => ({ href: `#f-${field}`, message }));
}
