/**
 * IANA time zones: checking a site's zone (the runtime's own tz database through Intl)
 * and turning a wall-clock date and time at a site into an instant, so "moved on
 * 1 March" means midnight where the site is, not in UTC or on the server.
 */
import { zonedInstant, zonedParts } from '../time/local-time';

/** The canonical spelling of an IANA zone ("europe/paris" → "Europe/Paris"), or null if unknown. */
export function canonicalTimeZone(value: unknown): string | null {
  // Offsets such as "+01:00" are not zones: they ignore summer time.
  if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value)) return null;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Every zone the runtime knows, for the form's suggestions. */
export function timeZoneNames(): string[] {
  return Intl.supportedValuesOf('timeZone');
}

/**
 * The instant when the wall clock in `timeZone` shows `date` (YYYY-MM-DD) at `time`
 * (HH:MM, default 00:00). A time repeated when summer time ends resolves to its first
 * occurrence; a time skipped when it starts moves forward by the gap (02:30 → 03:30).
 */
export function zonedTimeToUtc(date: string, time: string, timeZone: string): Date {
  return zonedInstant(date, time || '00:00', timeZone);
}

/** The wall-clock date (YYYY-MM-DD) and time (HH:MM) of `instant` in `timeZone`, for form values. */
export function utcToZonedParts(instant: Date, timeZone: string): { date: string; time: string } {
  return zonedParts(instant, timeZone);
}
