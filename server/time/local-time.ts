/**
 * Wall-clock arithmetic in a site's time zone, shared by the features that need it:
 * wall clock ↔ instant (sites and queues' forms), quiet hours (the next instant an email
 * may go), "N days later at the same local time", the ISO week of a date (eligibility).
 * Pure: no I/O. Offsets and DST come from the runtime's tz database (Intl); formatters
 * and offsets are cached per zone because ingest decides thousands of calls per request.
 */
import type { QuietHours } from '../queues';

export type { QuietHours };

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Year, month (0-based), day, hour, minute of the wall clock in `timeZone` at `instant`. */
function wallParts(instant: number, timeZone: string): [number, number, number, number, number] {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) parts[p.type] = Number(p.value);
  return [parts.year as number, (parts.month as number) - 1, parts.day as number, parts.hour as number, parts.minute as number];
}

/** Minutes to add to UTC to read the wall clock in `timeZone` at `instant`, asked of Intl. */
function exactOffset(instant: number, timeZone: string): number {
  const wall = Date.UTC(...wallParts(instant, timeZone));
  return Math.round((wall - Math.floor(instant / MINUTE_MS) * MINUTE_MS) / MINUTE_MS);
}

const HOUR_MS = 3_600_000;
/** Per zone, the offset of each UTC hour when it is the same at both ends of the hour (no change inside). */
const hourOffsets = new Map<string, Map<number, number | null>>();

/** Minutes to add to UTC to read the wall clock in `timeZone` at `instant`. */
function offsetMinutes(instant: number, timeZone: string): number {
  const hour = Math.floor(instant / HOUR_MS);
  let zone = hourOffsets.get(timeZone);
  if (!zone) {
    zone = new Map();
    hourOffsets.set(timeZone, zone);
  }
  let cached = zone.get(hour);
  if (cached === undefined) {
    const start = exactOffset(hour * HOUR_MS, timeZone);
    cached = start === exactOffset((hour + 1) * HOUR_MS - 1, timeZone) ? start : null;
    if (zone.size > 50_000) zone.clear();
    zone.set(hour, cached);
  }
  return cached ?? exactOffset(instant, timeZone);
}

/** The wall clock in `timeZone` at `instant`, to the minute, as a UTC timestamp. */
function wallClock(instant: number, timeZone: string): number {
  return Math.floor(instant / MINUTE_MS) * MINUTE_MS + offsetMinutes(instant, timeZone) * MINUTE_MS;
}

/** The local date (YYYY-MM-DD) and time (HH:MM) of `instant` in `timeZone`. */
export function zonedParts(instant: Date, timeZone: string): { date: string; time: string } {
  const iso = new Date(wallClock(instant.getTime(), timeZone)).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

/**
 * The instant the wall clock in `timeZone` reads `date` `time`. A time that happens twice
 * (clocks going back) gives the first; a skipped time (clocks going forward) moves forward
 * by the gap, as a clock set before the change would show.
 */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = time.split(':').map(Number);
  return new Date(instantOfWall(Date.UTC(y as number, (mo as number) - 1, d, h, mi), timeZone));
}

/** zonedInstant for a wall clock given as a UTC timestamp (to the minute). */
function instantOfWall(wall: number, timeZone: string): number {
  const before = wall - offsetMinutes(wall - DAY_MS, timeZone) * MINUTE_MS;
  const after = wall - offsetMinutes(wall + DAY_MS, timeZone) * MINUTE_MS;
  const beforeValid = wallClock(before, timeZone) === wall;
  const afterValid = wallClock(after, timeZone) === wall;
  if (beforeValid && afterValid) return Math.min(before, after);
  if (beforeValid) return before;
  if (afterValid) return after;
  return before;
}

/** YYYY-MM-DD shifted by `days` calendar days. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y as number, (m as number) - 1, (d as number) + days)).toISOString().slice(0, 10);
}

/**
 * The first instant at or after `instant` outside the quiet hours in `timeZone`:
 * `instant` itself when allowed, else the local `end` time that closes the period
 * (the next day's when the period wraps midnight and has not yet passed it). An end
 * time skipped by a spring-forward change moves forward by the gap, like the clocks.
 */
export function nextAllowedTime(instant: Date, quiet: QuietHours | null, timeZone: string): Date {
  if (!quiet || quiet.start === quiet.end) return instant;
  // In minutes of the local day (the start is quiet, the end is not), without formatting:
  // ingest asks this twice per surveyed call.
  const wall = wallClock(instant.getTime(), timeZone);
  const minute = ((wall % DAY_MS) + DAY_MS) % DAY_MS / MINUTE_MS;
  const start = minuteOfDay(quiet.start);
  const end = minuteOfDay(quiet.end);
  const wraps = start > end;
  const inQuiet = wraps ? minute >= start || minute < end : minute >= start && minute < end;
  if (!inQuiet) return instant;
  const dayStart = wall - minute * MINUTE_MS;
  const endWall = dayStart + (wraps && minute >= start ? DAY_MS : 0) + end * MINUTE_MS;
  const endAt = instantOfWall(endWall, timeZone);
  // Guard against a zone rule that would give back an earlier instant (never observed).
  return endAt > instant.getTime() ? new Date(endAt) : new Date(instant.getTime() + 60_000);
}

/** Minutes since midnight of "HH:MM". */
function minuteOfDay(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** The same local time `days` calendar days later in `timeZone` (23 or 25 hours across a DST change). */
export function addLocalDays(instant: Date, days: number, timeZone: string): Date {
  const at = instant.getTime();
  const seconds = ((at % MINUTE_MS) + MINUTE_MS) % MINUTE_MS;
  return new Date(instantOfWall(wallClock(at, timeZone) + days * DAY_MS, timeZone) + seconds);
}

/** The ISO 8601 week of `instant` in `timeZone`, e.g. "2026-W47" (weeks start on Monday). */
export function isoWeek(instant: Date, timeZone: string): string {
  return isoWeekOfDate(zonedParts(instant, timeZone).date);
}

/** ISO 8601 week of a calendar date "YYYY-MM-DD", as "2026-W47". */
export function isoWeekOfDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const day = new Date(Date.UTC(y as number, (m as number) - 1, d));
  const weekday = (day.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  // The Thursday of this week decides the week-numbering year.
  const thursday = new Date(day.getTime() + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** "2026-11-21 09:00" in `timeZone`. */
export function localDateTime(instant: Date, timeZone: string): string {
  const { date, time } = zonedParts(instant, timeZone);
  return `${date} ${time}`;
}

/** "2026-11-21" in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  return zonedParts(instant, timeZone).date;
}
