/**
 * Joi schemas of calls: one call as the API and the CSV import receive it (checked
 * item by item so a batch keeps its valid calls), the API body, and the decision
 * log's filters. Messages name the field ("customer.email must be a valid email").
 */
import Joi from 'joi';
import { LOCALES, type Locale } from '../i18n';
import { siteCode } from '../sites';
import { STORED_OUTCOMES, type StoredOutcome } from './model';

export const MAX_BATCH = 1000;
/** Clocks drift: a call may say it ended a little after our "now". */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

export interface CallInput {
  externalId: string;
  endedAt: Date;
  site?: string;
  queue: string;
  agent?: string;
  reason?: string;
  durationSec?: number;
  customer: { email: string; name?: string; locale?: Locale };
}

// A date and time must carry its zone: "2026-11-20T14:03:00" alone would be read in the server's zone.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** The instant an `endedAt` as sent names; null when it is not an ISO 8601 date and time with a zone. */
function readEndedAt(value: unknown): Date | null {
  const date = value instanceof Date ? value : typeof value === 'string' && ISO_WITH_ZONE.test(value.trim()) ? new Date(value.trim()) : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

const endedAt = Joi.any()
  .custom((value: unknown, helpers) => {
    const date = readEndedAt(value);
    if (!date) return helpers.error('date.isoZoned');
    const latest = (helpers.prefs.context as { latest?: Date } | undefined)?.latest;
    if (latest && date.getTime() > latest.getTime()) return helpers.error('date.future');
    return date;
  })
  .messages({
    'date.isoZoned': '{#label} must be an ISO 8601 date and time with a time zone, such as 2026-11-20T14:03:00Z',
    'date.future': '{#label} must not be in the future',
  });

const optionalText = (max: number) => Joi.string().trim().max(max).empty(['', null]);

export const callSchema = Joi.object<CallInput>({
  externalId: Joi.string().trim().min(1).max(200).required(),
  endedAt: endedAt.required(),
  site: siteCode.empty(['', null]),
  queue: Joi.string().trim().lowercase().min(1).max(60).required(),
  agent: optionalText(100),
  reason: optionalText(100),
  durationSec: Joi.number().integer().min(0).max(7 * 86_400).empty(['', null]),
  customer: Joi.object({
    email: Joi.string().trim().max(254).email({ tlds: { allow: false } }).required(),
    name: optionalText(200),
    locale: Joi.string().trim().lowercase().valid(...LOCALES).empty(['', null]),
  }).required(),
});

/** Checks one call; `reason` joins every problem ("queue is required; customer.email must be a valid email"). */
export function checkCall(raw: unknown, now: Date): { value: CallInput; reason?: undefined } | { value?: undefined; reason: string } {
  const { value, error } = callSchema.validate(raw, {
    abortEarly: false,
    stripUnknown: true,
    convert: true,
    errors: { wrap: { label: false } },
    context: { latest: new Date(now.getTime() + FUTURE_TOLERANCE_MS) },
  });
  if (error) return { reason: error.details.map((d) => d.message).join('; ') };
  return { value: value as CallInput };
}

/** A text field as the schema keeps it: trimmed, absent when empty; null when it cannot be valid text. */
function readText(value: unknown): string | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return null;
  return value.trim() || undefined;
}

/**
 * The fields of an item that its lookups need, read as checkCall reads them when the item
 * is valid (trimmed, lowercased codes, the same date parsing), without the cost of the
 * whole check: a batch's lookups are sent before its calls are checked. Null when the
 * item cannot be valid. The checked call decides; this only says what to look up.
 */
export function expectedCall(raw: unknown): CallInput | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const item = raw as Record<string, unknown>;
  const customer = item.customer as Record<string, unknown> | null | undefined;
  const ended = readEndedAt(item.endedAt);
  const site = readText(item.site);
  const agent = readText(item.agent);
  const email = typeof customer === 'object' && customer !== null && typeof customer.email === 'string' ? customer.email.trim() : '';
  const queue = queueCodeOf(item);
  if (!ended || !email || !queue || site === null || agent === null) return null;
  return { externalId: externalIdOf(item), endedAt: ended, site: site?.toUpperCase(), queue, agent, customer: { email } };
}

/** The identifier to report for an item, even an invalid one. */
export function externalIdOf(raw: unknown): string {
  const id = (raw as { externalId?: unknown } | null)?.externalId;
  return typeof id === 'string' ? id.trim() : typeof id === 'number' ? String(id) : '';
}

/** The queue code an item names, normalised as the schema does ('' when it names none). */
export function queueCodeOf(raw: unknown): string {
  const queue = (raw as { queue?: unknown } | null)?.queue;
  return typeof queue === 'string' ? queue.trim().toLowerCase() : '';
}

export const importParams = Joi.object({ id: Joi.string().hex().length(24).required() });

export const callParams = Joi.object({ externalId: Joi.string().trim().min(1).max(200).required() });

/** The decision log's filters (GET /admin/calls). Unknown or malformed values are dropped. */
export interface LogFilter {
  queue?: string;
  agent?: string;
  site?: string;
  outcome?: StoredOutcome;
  /** YYYY-MM-DD, inclusive, UTC days. */
  from?: string;
  to?: string;
  /** Paging: "<endedAt ISO>_<call id>" of the last call of the previous page. */
  before?: string;
}

/** A day of the calendar: 2026-13-45 has the shape, but would reach the query as an Invalid Date. */
function isCalendarDay(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

const day = Joi.string()
  .trim()
  .pattern(/^\d{4}-\d{2}-\d{2}$/)
  .custom((value: string, helpers) => (isCalendarDay(value) ? value : helpers.error('any.invalid')))
  .empty('');

export const logQuery = Joi.object({
  queue: Joi.string().trim().lowercase().max(60).empty(''),
  agent: Joi.string().trim().max(100).empty(''),
  site: Joi.string().trim().uppercase().max(10).empty(''),
  outcome: Joi.string().valid(...STORED_OUTCOMES).empty(''),
  from: day,
  to: day,
  before: Joi.string().trim().max(60).pattern(/^[\dT:.Z-]+_[a-f\d]{24}$/).empty(''),
  lang: Joi.any().strip(),
});

