/**
 * A queue's site history as pure rules: assignments are contiguous intervals
 * [from, to) in time order, the last one open (no `to`). A relocation closes the open
 * assignment and opens the next; nothing here touches the database.
 */
import { Conflict, Invalid } from '../errors';

export interface Assignment {
  site: string;
  from: Date;
  /** Null for the open (last) assignment. */
  to: Date | null;
  /** Why the queue moved, as told by whoever recorded the relocation. */
  note?: string | null;
}

export interface Move {
  fromSite: string;
  toSite: string;
  at: Date;
  note: string | null;
}

function fieldError(Kind: typeof Invalid | typeof Conflict, code: string, field: string, message: string) {
  return new Kind(message, { code, details: [{ field, type: code, message }] });
}

/** The site the queue was (or will be) at on `at`; null before its first assignment. */
export function siteAt(assignments: readonly Assignment[], at: Date): string | null {
  const t = at.getTime();
  const hit = assignments.find((a) => a.from.getTime() <= t && (a.to === null || t < a.to.getTime()));
  return hit?.site ?? null;
}

/** Assignments starting after `now`: moves already decided but not yet effective. */
export function scheduledAssignments(assignments: readonly Assignment[], now: Date): Assignment[] {
  return assignments.filter((a) => a.from.getTime() > now.getTime());
}

/** Every change of site, in time order (a first assignment is not a move). */
export function movesOf(assignments: readonly Assignment[]): Move[] {
  return assignments.slice(1).map((next, i) => ({
    fromSite: (assignments[i] as Assignment).site,
    toSite: next.site,
    at: next.from,
    note: next.note ?? null,
  }));
}

/**
 * The history after moving to `toSite` from `at`: the open assignment closes at `at`.
 * `at` may be in the past, but only after the open assignment began (history is never
 * rewritten into overlaps), or in the future (a scheduled move). Throws Invalid
 * (RELOCATION_SAME_SITE, RELOCATION_TOO_EARLY) or Conflict (RELOCATION_PENDING when a
 * scheduled move is due after `at`).
 */
export function planRelocation(
  assignments: readonly Assignment[],
  toSite: string,
  at: Date,
  now: Date,
  note: string | null = null,
): Assignment[] {
  const opened: Assignment = { site: toSite, from: at, to: null, note };
  const open = assignments[assignments.length - 1];
  if (!open) return [opened];
  if (at.getTime() <= open.from.getTime()) {
    if (open.from.getTime() > now.getTime()) {
      throw fieldError(
        Conflict,
        'RELOCATION_PENDING',
        'date',
        `A move to ${open.site} is scheduled on ${open.from.toISOString()}; cancel it or choose a later date.`,
      );
    }
    throw fieldError(
      Invalid,
      'RELOCATION_TOO_EARLY',
      'date',
      `The move must come after ${open.from.toISOString()}, when the queue's current assignment to ${open.site} began.`,
    );
  }
  if (open.site === toSite) {
    throw fieldError(Invalid, 'RELOCATION_SAME_SITE', 'site', `The queue is already assigned to ${toSite} from ${open.from.toISOString()}.`);
  }
  return [...assignments.slice(0, -1), { ...open, to: at }, opened];
}

/**
 * The history without its last move, which must not have taken effect yet: the
 * previous assignment is open again. Throws Invalid (NO_SCHEDULED_RELOCATION) otherwise.
 */
export function cancelScheduledMove(assignments: readonly Assignment[], now: Date): Assignment[] {
  const open = assignments[assignments.length - 1];
  const previous = assignments[assignments.length - 2];
  if (!open || !previous || open.from.getTime() <= now.getTime()) {
    throw fieldError(Invalid, 'NO_SCHEDULED_RELOCATION', 'site', 'This queue has no scheduled move to cancel.');
  }
  return [...assignments.slice(0, -2), { ...previous, to: null }];
}

/** What is wrong with a history (empty when it is sound): order, gaps, overlaps, open ends. */
export function timelineProblems(assignments: readonly Assignment[]): string[] {
  const problems: string[] = [];
  assignments.forEach((a, i) => {
    const last = i === assignments.length - 1;
    if (last && a.to !== null) problems.push(`assignment ${i} is last but closed`);
    if (!last && a.to === null) problems.push(`assignment ${i} is open but not last`);
    if (a.to !== null && a.to.getTime() <= a.from.getTime()) problems.push(`assignment ${i} ends before it starts`);
    const next = assignments[i + 1];
    if (next && a.to !== null && a.to.getTime() !== next.from.getTime()) {
      problems.push(`assignment ${i} ends at ${a.to.toISOString()} but ${i + 1} starts at ${next.from.toISOString()}`);
    }
  });
  return problems;
}
