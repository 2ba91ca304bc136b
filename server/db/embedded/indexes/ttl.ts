/**
 * The TTL monitor: every interval (60 s by default, as in mongod) it asks the engine for its
 * TTL indexes and deletes the documents whose indexed date (the earliest one, for an array)
 * is at or before now - expireAfterSeconds. Values that are not dates never expire.
 */
import type { Doc } from '../query/values';
import type { Index } from './index';
import { encodeKey, rankPrefix } from './key-encoding';

const DATE_RANK = 10;

export interface TtlTarget {
  ns: string;
  index: Index;
}

export interface TtlSweeperOptions {
  /** The TTL indexes to sweep; asked at every pass, since indexes come and go. */
  targets(): Iterable<TtlTarget>;
  /**
   * Deletes these documents (id keys) of `ns`, skipping any for which `isExpired` no longer
   * holds (a write after the scan may have moved its date); returns how many it deleted.
   */
  remove(ns: string, ids: string[], isExpired: (doc: Doc) => boolean): number | Promise<number>;
  /** Time between passes; 60 000 ms unless a test wants it shorter. */
  intervalMs?: number;
  /** Told about a failed pass; the sweeper carries on at the next interval. */
  onError?(err: unknown): void;
}

/** Ids of the documents a sweep at `now` deletes through this index (none if not TTL). */
export function expiredIds(index: Index, now: Date): string[] {
  const cutoff = ttlCutoff(index, now);
  if (cutoff === undefined) return [];
  // Dates are one type bracket of the index: from the earliest date up to the cutoff.
  return [...index.lookupRange({ low: rankPrefix(DATE_RANK), high: encodeKey(cutoff) })];
}

/** Whether `doc` is expired at `now` under this TTL index. */
export function isExpired(index: Index, doc: Doc, now: Date): boolean {
  const cutoff = ttlCutoff(index, now);
  if (cutoff === undefined) return false;
  return index.entries(doc).some(({ values }) => values[0] instanceof Date && values[0].getTime() <= cutoff.getTime());
}

function ttlCutoff(index: Index, now: Date): Date | undefined {
  const seconds = index.expireAfterSeconds;
  return seconds === undefined ? undefined : new Date(now.getTime() - seconds * 1000);
}

export class TtlSweeper {
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<number> | undefined;

  constructor(private readonly options: TtlSweeperOptions) {}

  /** Sweeps every interval until stop(); the timer does not keep the process alive. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.tick(), this.options.intervalMs ?? 60_000);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.pass;
  }

  /** One pass over every TTL index; resolves to the number of documents deleted. */
  async sweepOnce(now: Date = new Date()): Promise<number> {
    let deleted = 0;
    for (const { ns, index } of [...this.options.targets()]) {
      // The ids are read before any await, so the scan sees one state of the index.
      const ids = expiredIds(index, now);
      if (ids.length === 0) continue;
      deleted += await this.options.remove(ns, ids, (doc) => isExpired(index, doc, now));
    }
    return deleted;
  }

  private tick(): void {
    // A slow pass is not overlapped by the next one; the next tick picks up what is left.
    if (this.pass !== undefined) return;
    this.pass = this.sweepOnce()
      .catch((err: unknown) => {
        this.options.onError?.(err);
        return 0;
      })
      .finally(() => {
        this.pass = undefined;
      });
  }
}
