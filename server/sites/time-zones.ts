/**
 * IANA time zones: checking a site's zone (the runtime's own tz database through Intl)
 * and turning a wall-clock date and time at a site into an instant, so "moved on
 * 1 March" means midnight where the site is, not in UTC or on the server.
 */

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

/** Minutes to add to UTC to get the wall clock in `timeZone` at `instant`. */
function offsetMinutes(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((wall - Math.floor(instant / 1000) * 1000) / 60_000);
}

const DAY_MS = 86_400_000;

/**
 * The instant when the wall clock in `timeZone` shows `date` (YYYY-MM-DD) at `time`
 * (HH:MM, default 00:00). A time repeated when summer time ends resolves to its first
 * occurrence; a time skipped when it starts moves forward by the gap (02:30 → 03:30).
 */
export function zonedTimeToUtc(date: string, time: string, timeZone: string): Date {
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = (time || '00:00').split(':').map(Number);
  const wall = Date.UTC(y as number, (mo as number) - 1, d, h, mi);
  // Offsets in force around that day; an instant is right when its own offset gives back the wall clock.
  const offsets = new Set([-1, 0, 1].map((k) => offsetMinutes(wall + k * DAY_MS, timeZone)));
  const valid = [...offsets].map((o) => wall - o * 60_000).filter((t) => wall - t === offsetMinutes(t, timeZone) * 60_000);
  if (valid.length > 0) return new Date(Math.min(...valid));
  return new Date(wall - offsetMinutes(wall - DAY_MS, timeZone) * 60_000);
}

/** The wall-clock date (YYYY-MM-DD) and time (HH:MM) of `instant` in `timeZone`, for form values. */
export function utcToZonedParts(instant: Date, timeZone: string): { date: string; time: string } {
  const local = new Date(instant.getTime() + offsetMinutes(instant.getTime(), timeZone) * 60_000);
  const iso = local.toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}
