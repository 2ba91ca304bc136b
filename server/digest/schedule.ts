/**
 * When a weekly digest is due: on Monday at 08:00 in the sites' time zone, reporting the
 * Monday-to-Sunday week before (call days, as the rollups count them). A lead whose sites
 * span several zones gets it once Monday 08:00 has come in every one of them, so each
 * site's week is over. A digest missed (the app was down) goes out late, within a day; a
 * lead added mid-week waits for the next Monday.
 */
import { addDays, isoWeekOfDate, localDate, zonedInstant } from '../time/local-time';

export const DIGEST_TIME = '08:00';
/** How late a missed digest may still go out; later, it waits for the next Monday. */
export const CATCH_UP_MS = 24 * 3_600_000;

export interface DigestWeek {
  /** The reported ISO week, e.g. "2026-W47". */
  week: string;
  /** Its Monday and Sunday (YYYY-MM-DD). */
  from: string;
  to: string;
  /** When its digest became due. */
  dueAt: Date;
}

/** The Monday (YYYY-MM-DD) of the week holding `date`. */
export function mondayOf(date: string): string {
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(date, -weekday);
}

/** The week whose digest is due at `now` for sites in `timeZones`; null outside the day after Monday 08:00, or without sites. */
export function dueWeek(now: Date, timeZones: string[]): DigestWeek | null {
  if (timeZones.length === 0) return null;
  const dueOf = (monday: string) => new Date(Math.max(...timeZones.map((zone) => zonedInstant(monday, DIGEST_TIME, zone).getTime())));
  // The latest Monday every zone has reached; before its 08:00 everywhere, the Monday before.
  let monday = timeZones.map((zone) => mondayOf(localDate(now, zone))).sort()[0] as string;
  let dueAt = dueOf(monday);
  if (now.getTime() < dueAt.getTime()) {
    monday = addDays(monday, -7);
    dueAt = dueOf(monday);
  }
  if (now.getTime() - dueAt.getTime() > CATCH_UP_MS) return null;
  const from = addDays(monday, -7);
  return { week: isoWeekOfDate(from), from, to: addDays(monday, -1), dueAt };
}
