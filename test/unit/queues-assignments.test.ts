/**
 * The rules of a queue's site history: where a queue was on a date, relocations (past,
 * scheduled, refused), cancelling a scheduled move, and the no-overlap invariant.
 */
import {
  cancelScheduledMove,
  movesOf,
  planRelocation,
  scheduledAssignments,
  siteAt,
  timelineProblems,
  type Assignment,
} from '../../server/queues/assignments';
import { Conflict, Invalid } from '../../server/errors';

const d = (iso: string) => new Date(iso);
const NOW = d('2026-06-15T12:00:00Z');

/** CAS since 2025-01-01, ABV since 2026-03-01 (open). */
function history(): Assignment[] {
  return [
    { site: 'CAS', from: d('2025-01-01T00:00:00Z'), to: d('2026-03-01T00:00:00Z'), note: null },
    { site: 'ABV', from: d('2026-03-01T00:00:00Z'), to: null, note: 'back to France' },
  ];
}

function thrown(fn: () => unknown): { error: unknown } {
  try {
    fn();
  } catch (error) {
    return { error };
  }
  throw new Error('expected an error');
}

describe('siteAt', () => {
  it('answers the site whose interval holds the date, start included and end excluded', () => {
    expect(siteAt(history(), d('2025-06-01T00:00:00Z'))).toBe('CAS');
    expect(siteAt(history(), d('2026-02-28T23:59:59Z'))).toBe('CAS');
    expect(siteAt(history(), d('2026-03-01T00:00:00Z'))).toBe('ABV');
    expect(siteAt(history(), d('2030-01-01T00:00:00Z'))).toBe('ABV');
  });

  it('answers null before the first assignment and for an empty history', () => {
    expect(siteAt(history(), d('2024-12-31T23:59:59Z'))).toBeNull();
    expect(siteAt([], NOW)).toBeNull();
  });
});

describe('planRelocation', () => {
  it('opens the first assignment of a new queue', () => {
    expect(planRelocation([], 'CAS', d('2025-01-01T00:00:00Z'), NOW)).toEqual([
      { site: 'CAS', from: d('2025-01-01T00:00:00Z'), to: null, note: null },
    ]);
  });

  it('closes the open assignment at the move and opens one at the new site', () => {
    const next = planRelocation(history(), 'DRX', d('2026-06-01T00:00:00Z'), NOW, 'new centre');
    expect(next).toHaveLength(3);
    expect(next[1]).toMatchObject({ site: 'ABV', to: d('2026-06-01T00:00:00Z') });
    expect(next[2]).toEqual({ site: 'DRX', from: d('2026-06-01T00:00:00Z'), to: null, note: 'new centre' });
    expect(timelineProblems(next)).toEqual([]);
  });

  it('leaves the history it was given untouched', () => {
    const before = history();
    planRelocation(before, 'DRX', d('2026-06-01T00:00:00Z'), NOW);
    expect(before).toEqual(history());
  });

  it('accepts a move dated in the past, after the current assignment began', () => {
    const next = planRelocation(history(), 'CAS', d('2026-04-01T00:00:00Z'), NOW);
    expect(siteAt(next, d('2026-03-15T00:00:00Z'))).toBe('ABV');
    expect(siteAt(next, d('2026-04-01T00:00:00Z'))).toBe('CAS');
  });

  it('refuses a move dated at or before the start of the current assignment (it would overlap)', () => {
    for (const at of ['2026-03-01T00:00:00Z', '2026-02-01T00:00:00Z']) {
      const { error } = thrown(() => planRelocation(history(), 'DRX', d(at), NOW));
      expect(error).toBeInstanceOf(Invalid);
      expect(error).toMatchObject({ code: 'RELOCATION_TOO_EARLY', details: [{ field: 'date', type: 'RELOCATION_TOO_EARLY' }] });
    }
  });

  it('refuses a move to the site the queue is already at', () => {
    const { error } = thrown(() => planRelocation(history(), 'ABV', d('2026-06-01T00:00:00Z'), NOW));
    expect(error).toBeInstanceOf(Invalid);
    expect(error).toMatchObject({ code: 'RELOCATION_SAME_SITE', details: [{ field: 'site' }] });
  });

  it('schedules a move dated in the future: the queue stays put until then', () => {
    const next = planRelocation(history(), 'DRX', d('2026-09-01T00:00:00Z'), NOW);
    expect(siteAt(next, NOW)).toBe('ABV');
    expect(siteAt(next, d('2026-09-01T00:00:00Z'))).toBe('DRX');
    expect(scheduledAssignments(next, NOW)).toEqual([{ site: 'DRX', from: d('2026-09-01T00:00:00Z'), to: null, note: null }]);
  });

  it('allows a further move after a scheduled one', () => {
    const scheduled = planRelocation(history(), 'DRX', d('2026-09-01T00:00:00Z'), NOW);
    const next = planRelocation(scheduled, 'CAS', d('2027-01-01T00:00:00Z'), NOW);
    expect(next.map((a) => a.site)).toEqual(['CAS', 'ABV', 'DRX', 'CAS']);
    expect(timelineProblems(next)).toEqual([]);
  });

  it('refuses a move before a scheduled one with a conflict that says to cancel it first', () => {
    const scheduled = planRelocation(history(), 'DRX', d('2026-09-01T00:00:00Z'), NOW);
    const { error } = thrown(() => planRelocation(scheduled, 'CAS', d('2026-08-01T00:00:00Z'), NOW));
    expect(error).toBeInstanceOf(Conflict);
    expect(error).toMatchObject({ code: 'RELOCATION_PENDING' });
    expect((error as Error).message).toMatch(/scheduled.*cancel it/);
  });
});

describe('cancelScheduledMove', () => {
  it('removes a move that has not taken effect and reopens the previous assignment', () => {
    const scheduled = planRelocation(history(), 'DRX', d('2026-09-01T00:00:00Z'), NOW);
    expect(cancelScheduledMove(scheduled, NOW)).toEqual(history().map((a, i) => (i === 1 ? { ...a, to: null } : a)));
  });

  it('refuses to cancel a move that has already taken effect, or the first assignment', () => {
    expect(thrown(() => cancelScheduledMove(history(), NOW)).error).toMatchObject({ code: 'NO_SCHEDULED_RELOCATION' });
    expect(thrown(() => cancelScheduledMove(history().slice(0, 1), d('2020-01-01T00:00:00Z'))).error).toBeInstanceOf(Invalid);
  });
});

describe('movesOf', () => {
  it('lists each change of site with its date and note, not the first assignment', () => {
    expect(movesOf(history())).toEqual([{ fromSite: 'CAS', toSite: 'ABV', at: d('2026-03-01T00:00:00Z'), note: 'back to France' }]);
    expect(movesOf(history().slice(0, 1))).toEqual([]);
  });
});

describe('timelineProblems', () => {
  it('finds no problem in a sound history', () => {
    expect(timelineProblems(history())).toEqual([]);
    expect(timelineProblems([])).toEqual([]);
  });

  it('reports overlaps, gaps, a closed last assignment and an open one in the middle', () => {
    const overlap = history();
    overlap[0] = { ...overlap[0]!, to: d('2026-04-01T00:00:00Z') };
    expect(timelineProblems(overlap)).toEqual([expect.stringMatching(/ends at .* but 1 starts at/)]);
    const closedLast = history();
    closedLast[1] = { ...closedLast[1]!, to: d('2026-05-01T00:00:00Z') };
    expect(timelineProblems(closedLast)).toEqual(['assignment 1 is last but closed']);
    const openMiddle = history();
    openMiddle[0] = { ...openMiddle[0]!, to: null };
    expect(timelineProblems(openMiddle)).toEqual(['assignment 0 is open but not last']);
  });
});
