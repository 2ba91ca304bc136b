/**
 * Group commit for a hot write: calls that arrive while a write of their kind is in flight
 * wait and go out together in the next one, so under load many requests share one round
 * trip (which costs the process far more CPU than the operations in it). Nothing waits for
 * a timer: when no write is in flight, the next one starts at once (or, with gatherTurn,
 * after one turn of the event loop). What is written is the caller's; this module only
 * groups and answers.
 */
import { databaseFault } from './faults';

export interface CoalescerOptions {
  /** The most items one write takes; the rest wait for the next (default 256). */
  maxBatch?: number;
  /**
   * Before each write, let one turn of the event loop pass (setImmediate: after the I/O
   * that is ready), so that requests already received join it: under load its batches
   * grow, and the process spends less per item; idle, it costs a fraction of a millisecond.
   */
  gatherTurn?: boolean;
}

/**
 * Returns add(item): it resolves with the result `write` gives for that item (results in
 * the order of the items, or nothing for a write without results) once the write that
 * carried it is done, and rejects with the write's error for every item of a failed one.
 * One write is in flight at a time, unless it calls `release()`: the next write may then
 * start while it finishes (a write in stages lets the next group take the first stage
 * while it is in its last). Items are written in the order they were added, and those
 * added in the same tick (with gatherTurn, also those of the next turn) start out together.
 */
export function createCoalescer<T, R = void>(write: (items: T[], release: () => void) => Promise<R[] | void>, options: CoalescerOptions = {}): (item: T) => Promise<R> {
  const maxBatch = Math.max(1, options.maxBatch ?? 256);
  let queued: Waiter<T, R>[] = [];
  let draining = false;

  async function drain(): Promise<void> {
    while (queued.length > 0) {
      if (options.gatherTurn) await nextTurn();
      const batch = queued.length <= maxBatch ? queued : queued.slice(0, maxBatch);
      queued = batch === queued ? [] : queued.slice(maxBatch);
      let release = (): void => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      let writing: Promise<R[] | void>;
      try {
        writing = write(batch.map((w) => w.item), release);
      } catch (error) {
        writing = Promise.reject(error);
      }
      const written = writing.then(
        (results) => batch.forEach((w, i) => w.resolve(results ? (results[i] as R) : (undefined as R))),
        (error: unknown) => {
          // An unreachable database fails the waiting calls too, rather than after a second timeout.
          const failed = databaseFault(error) === 'unreachable' ? batch.concat(queued.splice(0)) : batch;
          for (const w of failed) w.reject(error);
        },
      );
      await Promise.race([written, released]);
    }
    draining = false;
  }

  return (item: T) =>
    new Promise<R>((resolve, reject) => {
      queued.push({ item, resolve, reject });
      if (draining) return;
      draining = true;
      // A microtask, not a timer: the calls of this tick join in, nothing waits longer.
      queueMicrotask(() => void drain());
    });
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Waiter<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}
