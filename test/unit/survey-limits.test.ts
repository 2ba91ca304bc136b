/**
 * The survey's rate-limit counters: fixed windows from a key's first hit, a fresh window
 * once one has passed, and keys nobody hit for a whole window forgotten.
 */
import { WindowCounts } from '../../server/survey/limits';

const WINDOW = 60_000;

describe('WindowCounts', () => {
  it('counts the hits of each key in a window that starts at its first hit', () => {
    const counts = new WindowCounts(WINDOW);
    expect(counts.hit('a', 1_000)).toEqual({ hits: 1, resetAt: 61_000 });
    expect(counts.hit('a', 30_000)).toEqual({ hits: 2, resetAt: 61_000 });
    expect(counts.hit('b', 30_000)).toEqual({ hits: 1, resetAt: 90_000 });
    expect(counts.hit('a', 60_999)).toEqual({ hits: 3, resetAt: 61_000 });
  });

  it('starts a key over once its window has passed', () => {
    const counts = new WindowCounts(WINDOW);
    for (let i = 0; i < 5; i++) counts.hit('a', 1_000 + i);
    expect(counts.hit('a', 61_000)).toEqual({ hits: 1, resetAt: 121_000 });
  });

  it('keeps a key hit in the last window and forgets one not hit for a whole window', () => {
    const counts = new WindowCounts(WINDOW);
    counts.hit('kept', 0);
    counts.hit('kept', 50_000);
    counts.hit('gone', 10_000);
    // Just before the counts rotate at 60,000, and just after: each key keeps its own window.
    expect(counts.hit('kept', 59_999)).toEqual({ hits: 3, resetAt: 60_000 });
    expect(counts.hit('other', 60_000)).toEqual({ hits: 1, resetAt: 120_000 });
    expect(counts.hit('kept', 60_001)).toEqual({ hits: 1, resetAt: 120_001 });
    // Two windows later 'gone' is no longer kept: counting it again starts from nothing.
    counts.hit('other', 120_000);
    counts.hit('other', 180_000);
    expect(counts.size()).toBe(1);
    expect(counts.hit('gone', 180_001)).toEqual({ hits: 1, resetAt: 240_001 });
  });
});
