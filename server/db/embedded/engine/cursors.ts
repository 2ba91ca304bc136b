/**
 * Open cursors: the rest of a find or aggregate result, handed out batch by batch by
 * getMore. Idle cursors expire after ten minutes, as in MongoDB.
 */
import { BSON, Long } from 'bson';
import { randomInt } from 'node:crypto';
import { fail } from '../errors';
import type { Doc } from '../query/values';

const IDLE_TIMEOUT_MS = 10 * 60 * 1000;
/** Replies stay under MongoDB's 16 MiB document limit with room for the envelope. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;

export interface Cursor {
  id: Long;
  ns: string;
  source: Iterator<Doc>;
  /** Documents still allowed by `limit` (Infinity when unlimited). */
  remaining: number;
  /** Taken from `source` but left for the next batch, which it would have taken past the size limit. */
  held?: Doc;
  lastUsed: number;
}

export class CursorManager {
  private readonly cursors = new Map<string, Cursor>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly idleTimeoutMs = IDLE_TIMEOUT_MS) {
    this.sweeper = setInterval(() => this.expireIdle(Date.now()), Math.min(60_000, idleTimeoutMs));
    this.sweeper.unref();
  }

  /**
   * Takes the first batch from a result and keeps a cursor for the rest.
   * Returns the batch and the cursor id (0 when the result is exhausted).
   */
  open(ns: string, source: Iterator<Doc>, batchSize: number | undefined, limit = Infinity, singleBatch = false) {
    const cursor: Cursor = { id: Long.ZERO, ns, source, remaining: limit, lastUsed: Date.now() };
    const batch = this.take(cursor, batchSize ?? 101);
    if (singleBatch || cursor.remaining <= 0 || batch.exhausted) return { batch: batch.docs, id: Long.ZERO };
    cursor.id = this.newId();
    this.cursors.set(cursor.id.toString(), cursor);
    return { batch: batch.docs, id: cursor.id };
  }

  /** The next batch of a cursor; throws 43 CursorNotFound for an unknown or expired id. */
  next(id: Long, ns: string, batchSize: number | undefined) {
    const cursor = this.cursors.get(id.toString());
    if (!cursor) throw fail('CursorNotFound', `cursor id ${id.toString()} not found`);
    if (cursor.ns !== ns) {
      throw fail('Unauthorized', `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`);
    }
    cursor.lastUsed = Date.now();
    const batch = this.take(cursor, batchSize ?? Infinity);
    if (batch.exhausted || cursor.remaining <= 0) {
      this.cursors.delete(id.toString());
      return { batch: batch.docs, id: Long.ZERO };
    }
    return { batch: batch.docs, id };
  }

  /** Closes cursors; returns which ids were killed and which were unknown. */
  kill(ids: Long[]) {
    const cursorsKilled: Long[] = [];
    const cursorsNotFound: Long[] = [];
    for (const id of ids) {
      if (this.cursors.delete(id.toString())) cursorsKilled.push(id);
      else cursorsNotFound.push(id);
    }
    return { cursorsKilled, cursorsNotFound, cursorsAlive: [] as Long[], cursorsUnknown: [] as Long[] };
  }

  get openCount(): number {
    return this.cursors.size;
  }

  expireIdle(now: number): void {
    for (const [key, cursor] of this.cursors) {
      if (now - cursor.lastUsed > this.idleTimeoutMs) this.cursors.delete(key);
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    this.cursors.clear();
  }

  private take(cursor: Cursor, batchSize: number) {
    const docs: Doc[] = [];
    let bytes = 0;
    const wanted = Math.min(batchSize <= 0 ? Infinity : batchSize, cursor.remaining);
    while (docs.length < wanted) {
      let doc = cursor.held;
      cursor.held = undefined;
      if (!doc) {
        const step = cursor.source.next();
        if (step.done) return { docs, exhausted: true };
        doc = step.value;
      }
      // Sized without encoding it (the reply encodes it once). As in MongoDB, a batch stops
      // before the document that would take it past the limit, unless that is its first.
      const size = BSON.calculateObjectSize(doc, { ignoreUndefined: false });
      if (docs.length > 0 && bytes + size > MAX_BATCH_BYTES) {
        cursor.held = doc;
        break;
      }
      docs.push(doc);
      cursor.remaining -= 1;
      bytes += size;
    }
    return { docs, exhausted: cursor.remaining <= 0 };
  }

  private newId(): Long {
    // Positive 53-bit ids: unique enough, and safe for drivers that promote to numbers.
    let id: Long;
    do id = Long.fromNumber(randomInt(1, 2 ** 47) * 64 + randomInt(0, 64));
    while (this.cursors.has(id.toString()));
    return id;
  }
}
