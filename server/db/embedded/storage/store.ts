/**
 * The Store: owns the data directory while open — the lock, the journal being appended to
 * with group-committed fsync, and compaction into snapshots. It does not own the live
 * catalog: the engine keeps that in memory and hands a consistent copy to compact(), and
 * gives each commit an undo that the store runs when the disk refuses that commit.
 */
import { writeSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { CatalogState, JournalOp } from './types';
import { encodeFrame, fsyncDir, journalName, listDir, removeFiles, snapshotName, writeAll } from './files';
import { encodeCommit } from './journal';
import { acquireLock, type DirLock } from './lock';
import { recover } from './recovery';
import { SnapshotAbandoned, writeSnapshot } from './snapshot';

export interface StoreOptions {
  logger?: Logger;
  /** Same as `logger` (the name the engine README uses). */
  log?: Logger;
  /** Journal bytes since the last snapshot that make compaction worth it: max(this, snapshot size × ratio). Default 64 MiB. */
  compactionMinBytes?: number;
  /** Default 1. */
  compactionRatio?: number;
  /** Makes a journal write durable (default: the file's datasync). Tests inject failures or count calls. */
  sync?: (handle: fs.FileHandle) => Promise<void>;
  /** Payload bytes per snapshot frame, the work done between two awaits. Default 256 KiB. */
  snapshotChunkBytes?: number;
}

export interface StoreStats {
  commits: number;
  /** Group flushes: one write and one sync each. */
  flushes: number;
  /** Of them, those whose frame was written in the thread pool (large frames) rather than in place. */
  pooledWrites: number;
  journalGeneration: number;
  /** Journal bytes since the last snapshot. */
  journalBytes: number;
  snapshotBytes: number;
  compacting: boolean;
}

type CommitEntry = { kind: 'commit'; record: Uint8Array; undo?: () => void; resolve: () => void; reject: (err: Error) => void };
type Pending = CommitEntry | { kind: 'rotate'; resolve: (rotation: Rotation) => void; reject: (err: Error) => void };

/** A write refused for lack of space (or quota): it may succeed once space is freed. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** Frames larger than this are written in the thread pool. */
const IN_PLACE_MAX_BYTES = 128 * 1024;

/** A journal switch: the new generation, and the journal bytes that the snapshot will cover. */
interface Rotation {
  gen: number;
  coveredBytes: number;
}

export class Store {
  private readonly queue: Pending[] = [];
  private draining = false;
  private flushing: Promise<void> = Promise.resolve();
  private compacting: Promise<void> | null = null;
  private failure: Error | null = null;
  /** The last flush was refused for lack of space (logged once per episode). */
  private diskFull = false;
  private closing = false;
  private closed: Promise<void> | null = null;
  private commits = 0;
  private flushes = 0;
  private pooledWrites = 0;

  private constructor(
    private readonly dir: string,
    private readonly lock: DirLock,
    private readonly log: Logger,
    private readonly opts: StoreOptions,
    private journal: fs.FileHandle,
    private journalGen: number,
    /** Length of the current journal file: a refused flush is cut back to it. */
    private journalSize: number,
    private journalBytes: number,
    private snapshotBytes: number,
  ) {}

  /**
   * Opens (creating it if missing) and recovers `dbPath`. Throws `data directory ${dbPath} is
   * locked by pid ${pid}` when another live process or store holds it, and a descriptive Error
   * when the files are damaged in a way that recovery cannot repair without hiding data loss.
   */
  static async open(dbPath: string, opts: StoreOptions = {}): Promise<{ store: Store; state: CatalogState }> {
    const log = opts.logger ?? opts.log ?? pino({ level: 'silent' });
    const dir = path.resolve(dbPath);
    await fs.mkdir(dir, { recursive: true });
    const lock = await acquireLock(dbPath);
    try {
      const found = await recover(dir, log);
      const journal = await fs.open(path.join(dir, journalName(found.journalGen)), 'a');
      const store = new Store(dir, lock, log, opts, journal, found.journalGen, found.journalSize, found.journalBytes, found.snapshotBytes);
      return { store, state: found.state };
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  /**
   * Appends `ops` as one record (recovered all or nothing) and resolves once it is fsynced.
   * Commits made while a flush is in flight share the next write and sync, in call order.
   * When the disk refuses it, `undo` runs first (synchronously, newest commit first), then it
   * rejects: with the ENOSPC/EDQUOT error for a full disk, after which later commits go
   * through once space is freed; with any other I/O error for good, since what reached the
   * disk is then no longer known.
   */
  commit(ops: JournalOp[], undo?: () => void): Promise<void> {
    let record: Uint8Array;
    try {
      if (this.failure) throw this.failure;
      if (this.closing) throw new Error('the store is closed');
      record = encodeCommit(ops);
    } catch (err) {
      undo?.();
      return Promise.reject(err as Error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'commit', record, undo, resolve, reject });
      this.startFlushing();
    });
  }

  /** True when the journal has grown past max(compactionMinBytes, last snapshot × ratio) and no compaction runs. */
  needsCompaction(): boolean {
    const min = this.opts.compactionMinBytes ?? 64 * 1024 * 1024;
    const threshold = Math.max(min, this.snapshotBytes * (this.opts.compactionRatio ?? 1));
    return !this.compacting && !this.closing && !this.failure && this.journalBytes > threshold;
  }

  /**
   * Writes `state` as a snapshot and deletes the journals and snapshots it covers. `state` must
   * reflect exactly the commits made before this call (later commits go to a new journal); it
   * is only read, never changed. A call while a compaction runs joins that one. A crash at
   * any point leaves a recoverable directory; an I/O error rejects and leaves the files as they were.
   */
  compact(state: CatalogState): Promise<void> {
    if (this.compacting) return this.compacting;
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error('the store is closed'));
    // Queued now, in commit order: everything committed before this call lands in the old journal.
    const rotated = new Promise<Rotation>((resolve, reject) => this.queue.push({ kind: 'rotate', resolve, reject }));
    this.startFlushing();
    this.compacting = this.runCompaction(state, rotated).finally(() => {
      this.compacting = null;
    });
    return this.compacting;
  }

  /** Flushes pending commits, lets a running compaction stop, closes the journal and releases the lock. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      while (this.draining) await this.flushing;
      await this.compacting?.catch(() => undefined);
      await this.journal.close();
      await this.lock.release();
    })();
    return this.closed;
  }

  stats(): StoreStats {
    return {
      commits: this.commits,
      flushes: this.flushes,
      pooledWrites: this.pooledWrites,
      journalGeneration: this.journalGen,
      journalBytes: this.journalBytes,
      snapshotBytes: this.snapshotBytes,
      compacting: this.compacting !== null,
    };
  }

  private startFlushing(): void {
    if (this.draining) return;
    this.draining = true;
    // Started on the next microtask so that commits made in the same tick share the first flush.
    this.flushing = Promise.resolve().then(() => this.drain());
  }

  /** Never throws: every failure is handed to the waiting commits or compaction. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (head.kind === 'rotate') {
        this.queue.shift();
        await this.rotate().then(head.resolve, head.reject);
        continue;
      }
      let n = 1;
      while (n < this.queue.length && this.queue[n].kind === 'commit') n++;
      const batch = this.queue.splice(0, n) as CommitEntry[];
      let written = false;
      try {
        if (this.failure) throw this.failure;
        const frame = encodeFrame(batch.map((entry) => entry.record));
        written = true;
        await this.flush(frame);
        this.flushes += 1;
        this.commits += batch.length;
        this.journalBytes += frame.length;
        this.journalSize += frame.length;
      } catch (err) {
        await this.refuse(batch, err as Error, written);
        continue;
      }
      if (this.diskFull) this.log.info({ dir: this.dir }, 'space is available again: writes are accepted');
      this.diskFull = false;
      for (const entry of batch) entry.resolve();
    }
    // Cleared in the same microtask that saw the queue empty, so a commit made after it starts a new drain.
    this.draining = false;
  }

  /**
   * Writes a frame and makes it durable. A frame of up to 128 KiB is written in place: into
   * the page cache, in microseconds, where a thread-pool hop costs more under load; a larger
   * one (a batch of calls, a bulk load) goes to the thread pool while the engine works on.
   * The sync always goes to the thread pool: in place it would hold up every reader for
   * its whole length (over a millisecond per group of survey answers, measured under load
   * on 1,000,000 invitations), while only the writers of this flush need to wait for it.
   */
  private async flush(frame: Buffer): Promise<void> {
    if (frame.length > IN_PLACE_MAX_BYTES) {
      this.pooledWrites += 1;
      await writeAll(this.journal, frame);
    } else {
      const fd = this.journal.fd;
      for (let done = 0; done < frame.length; ) done += writeSync(fd, frame, done, frame.length - done);
    }
    await this.sync();
  }

  private sync(): Promise<void> {
    return this.opts.sync ? this.opts.sync(this.journal) : this.journal.datasync();
  }

  /**
   * A flush failed. Its commits and everything queued behind them (changes made on top of
   * theirs) are undone at once, newest first, so readers never see them again; then the
   * flush's bytes are cut off the journal and they are all rejected.
   */
  private async refuse(batch: CommitEntry[], err: Error, written: boolean): Promise<void> {
    const refused: Pending[] = [...batch, ...this.queue.splice(0)];
    for (let i = refused.length - 1; i >= 0; i--) {
      const entry = refused[i];
      if (entry.kind === 'commit') entry.undo?.();
    }
    const reason = this.failure ?? (written ? await this.cutRefusedFlush(err) : err);
    for (const entry of refused) entry.reject(reason);
  }

  /**
   * A full disk: the journal is cut back to its last flush, and the store stays usable.
   * Anything else, or a cut that fails, fails the store for good. Returns the rejection.
   */
  private async cutRefusedFlush(err: Error): Promise<Error> {
    if (isDiskFull(err)) {
      try {
        await this.journal.truncate(this.journalSize);
        await this.sync();
        if (!this.diskFull) {
          this.log.error({ dir: this.dir, code: (err as NodeJS.ErrnoException).code },
            'no space left on the disk of the data directory (ENOSPC): writes are refused until space is freed; everything acknowledged is intact');
        }
        this.diskFull = true;
        return err;
      } catch (cutErr) {
        this.log.error({ err: cutErr }, 'a write refused for lack of space could not be cut off the journal');
      }
    }
    this.failure = new Error(`journal write failed: ${err.message}`, { cause: err });
    this.log.error({ err }, 'journal write failed; the store refuses every further write');
    return this.failure;
  }

  /** Starts the next journal; the old one is complete and synced, since flushes run one at a time. */
  private async rotate(): Promise<Rotation> {
    if (this.failure) throw this.failure;
    const gen = this.journalGen + 1;
    const next = await fs.open(path.join(this.dir, journalName(gen)), 'wx');
    try {
      await fsyncDir(this.dir); // the new file must survive a crash before commits to it are acknowledged
    } catch (err) {
      await next.close();
      throw err;
    }
    await this.journal.close().catch((err: unknown) => this.log.warn({ err }, 'closing a finished journal failed'));
    this.journal = next;
    this.journalGen = gen;
    this.journalSize = 0;
    return { gen, coveredBytes: this.journalBytes };
  }

  private async runCompaction(state: CatalogState, rotated: Promise<Rotation>): Promise<void> {
    const { gen, coveredBytes } = await rotated;
    const started = Date.now();
    let size: number;
    try {
      size = await writeSnapshot(this.dir, gen, state, {
        chunkBytes: this.opts.snapshotChunkBytes,
        shouldStop: () => this.closing,
      });
    } catch (err) {
      if (err instanceof SnapshotAbandoned) {
        this.log.info({ generation: gen }, 'compaction abandoned at shutdown; the journals still hold its data');
        return;
      }
      this.log.error({ err, generation: gen }, 'compaction failed; the journals still hold its data');
      throw err;
    }
    this.snapshotBytes = size;
    this.journalBytes -= coveredBytes;
    const { journals, snapshots } = await listDir(this.dir);
    await removeFiles(this.dir, [
      ...journals.filter((old) => old < gen).map(journalName),
      ...snapshots.filter((old) => old < gen).map(snapshotName),
    ]);
    this.log.info({ generation: gen, bytes: size, ms: Date.now() - started }, 'compaction done');
  }
}
