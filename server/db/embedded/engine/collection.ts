/**
 * One collection in memory: documents as immutable BSON buffers keyed by their `_id`
 * key (Map order is natural order), and the secondary indexes kept in step with them.
 * Every change is applied synchronously and returned as journal ops for the caller
 * to commit, so a reader never sees half of a write.
 */
import { ObjectId } from 'bson';
import { fail } from '../errors';
import { Index, duplicateKeyError, type DocumentKeys, type IndexSpec } from '../indexes/index';
import { idKey } from '../indexes/key-encoding';
import { plainConditions, planPrefixSort, planQuery, planSort, type Plan } from '../indexes/planner';
import { compileFilter, type Matcher } from '../query/match';
import { bsonType, copyFields, deserializeDoc, numberValue, serializeDoc, type Doc } from '../query/values';
import { decodeFields } from '../bson-decode';
import type { JournalOp } from '../storage/types';
import { countCurrent, isSparse, relocated, releaseBytes, retainBytes } from './arena';
import { metrics } from './metrics';

export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;

/** The `_id` index as listIndexes shows it; its lookups are the documents map itself. */
export const ID_INDEX_SPEC: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

export interface StoredDoc {
  key: string;
  doc: Doc;
}

export class Collection {
  readonly docs = new Map<string, Buffer>();
  readonly indexes = new Map<string, Index>();

  constructor(
    public db: string,
    public name: string,
    public options: Doc = {},
  ) {}

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  /** Secondary index specs, in creation order. */
  indexSpecs(): IndexSpec[] {
    return [...this.indexes.values()].map((i) => i.spec);
  }

  /** Loads a recovered document without journaling (start-up). */
  load(key: string, buf: Buffer): void {
    this.docs.set(key, buf);
    countCurrent(buf);
  }

  /** Builds an index over the current documents; throws on a unique violation (nothing changes then). */
  buildIndex(spec: IndexSpec): Index {
    return this.buildIndexes([spec])[0] as Index;
  }

  /** Builds indexes over the current documents in one pass (indexBuild at once). */
  buildIndexes(specs: readonly IndexSpec[]): Index[] {
    const build = this.indexBuild(specs, Infinity);
    let step = build.next();
    while (!step.done) step = build.next();
    return step.value;
  }

  /**
   * Builds indexes over the current documents in one pass, yielding how many documents are
   * done after each `slice` of them: each document is decoded once, and only its fields the
   * indexes read where they can tell (Index.dependsOn). At start-up that is most of opening
   * a data directory: 1,000,000 invitations and their five indexes opened in 41–46 s when
   * each document was decoded whole once per index, in 16–22 s so. Throws on a unique
   * violation in any of them; the indexes join the collection once all documents are in
   * (nothing changes before).
   */
  *indexBuild(specs: readonly IndexSpec[], slice: number): Generator<number, Index[]> {
    const indexes = specs.map((spec) => new Index(spec, this.partialFilterOf(spec)));
    if (indexes.length === 0) return indexes;
    const fields = fieldsRead(indexes);
    let done = 0;
    for (const [key, buf] of this.docs) {
      const doc = fields ? decodeFields(buf, fields) : deserializeDoc(buf);
      for (const index of indexes) {
        const keys = index.keysFor(doc);
        if (index.conflictIn(keys) !== undefined) throw index.duplicateKeyError(this.ns, doc);
        index.insertKeys(key, keys);
      }
      if (++done % slice === 0) yield done;
    }
    for (const index of indexes) this.indexes.set(index.name, index);
    return indexes;
  }

  private partialFilterOf(spec: IndexSpec): { partialFilter?: (doc: Doc) => boolean } {
    const expr = spec.partialFilterExpression as Doc | undefined;
    if (!expr) return {};
    const matcher = compileFilter(expr);
    return { partialFilter: (doc: Doc) => matcher.test(doc) };
  }

  dropIndex(name: string): void {
    this.indexes.delete(name);
  }

  /**
   * Inserts one document (an `_id` is added first when missing). Throws 11000 on a duplicate key.
   * `raw`, the bytes `input` was decoded from, is stored as is when the document needs no `_id` change.
   */
  insert(input: Doc, raw?: Buffer): { doc: Doc; op: JournalOp } {
    const doc = withId(input);
    const bytes = encodeChecked(doc, doc === input ? raw : undefined);
    const key = keyOf(doc._id);
    if (this.docs.has(key)) throw idDuplicateError(this.ns, doc._id);
    const keys = this.checkedKeys(doc);
    let i = 0;
    for (const index of this.indexes.values()) index.insertKeys(key, keys[i++]);
    const buf = retainBytes(bytes);
    this.docs.set(key, buf);
    metrics.document.inserted += 1;
    return { doc, op: { op: 'put', ns: this.ns, key, doc: buf } };
  }

  /**
   * Replaces a stored document in place (same `_id`). Throws 11000 when a unique index objects.
   * Most updates leave most indexed fields alone: an index whose entries did not change is
   * neither checked nor touched.
   */
  replace(key: string, before: Doc, after: Doc): JournalOp {
    return this.replaceStored(key, before, after, encodeChecked(after));
  }

  /**
   * replace() with the new document's bytes made already (an update on the stored bytes).
   * `before` and `after` may hold only some fields: those of every index the change
   * touches (`fieldsIndexedWith`), the others left out of both.
   */
  replaceStored(key: string, before: Doc, after: Doc, newBytes: Buffer): JournalOp {
    const bytes = encodeChecked(after, newBytes);
    const changes: { index: Index; old: DocumentKeys; now: DocumentKeys }[] = [];
    for (const index of this.indexes.values()) {
      if (index.dependsOn && index.dependsOn.every((field) => before[field] === after[field])) continue;
      const old = index.keysFor(before);
      const now = index.keysFor(after);
      if (sameEntries(old, now)) continue;
      if (index.conflictIn(now, key) !== undefined) throw index.duplicateKeyError(this.ns, after, key);
      changes.push({ index, old, now });
    }
    for (const { index, old, now } of changes) {
      index.removeKeys(key, old);
      index.insertKeys(key, now);
    }
    return this.rewrite(key, bytes);
  }

  /**
   * Stores new bytes for a document, its index entries already as they must be: replace()
   * has changed them, or the update leaves every indexed field as it was (it only adds to
   * counters no index reads: `indexedAmong`) and neither version needs decoding.
   */
  rewrite(key: string, bytes: Buffer): JournalOp {
    const previous = this.docs.get(key);
    const buf = retainBytes(bytes);
    this.docs.set(key, buf);
    if (previous) releaseBytes(previous);
    metrics.document.updated += 1;
    return { op: 'put', ns: this.ns, key, doc: buf, before: previous };
  }

  /** Whether one of `fields` (top-level) is read by an index, or an index cannot tell which it reads. */
  indexedAmong(fields: readonly string[]): boolean {
    for (const index of this.indexes.values()) {
      if (!index.dependsOn) return true;
      for (const field of fields) if (index.dependsOn.includes(field)) return true;
    }
    return false;
  }

  /**
   * The top-level fields of every index that reads one of `fields` (those an update on the
   * stored bytes must decode to move their entries); null when an index cannot tell what it reads.
   */
  fieldsIndexedWith(fields: readonly string[]): Set<string> | null {
    const read = new Set<string>();
    for (const index of this.indexes.values()) {
      if (!index.dependsOn) return null;
      if (fields.some((field) => index.dependsOn!.includes(field))) for (const field of index.dependsOn) read.add(field);
    }
    return read;
  }

  /**
   * The stored bytes of the one document a filter names by `_id`, undecoded, and whether
   * the filter says no more than that (`exact`: no matcher needed); null when the filter
   * names no single `_id` or no document has it. Not counted as read, as exactStored.
   */
  storedById(filter: Doc): { key: string; buf: Buffer; exact: boolean } | null {
    const ids = idEqualities(filter);
    if (ids?.length !== 1) return null;
    const key = keyOf(ids[0]);
    const buf = this.docs.get(key);
    return buf ? { key, buf, exact: plainConditions(filter)?.length === 1 } : null;
  }

  /**
   * The stored bytes of the documents a filter names exactly (an exact lookup: see
   * `candidates`), undecoded; null when the filter needs its matcher. Not counted as
   * read (scannedObjects): a caller that falls back to scan() would count them twice.
   */
  exactStored(filter: Doc): { key: string; buf: Buffer }[] | null {
    const { keys, exact } = this.candidates(filter);
    if (!exact) return null;
    const found: { key: string; buf: Buffer }[] = [];
    for (const key of keys) {
      const buf = this.docs.get(key);
      if (buf) found.push({ key, buf });
    }
    return found;
  }

  remove(key: string, before: Doc): JournalOp {
    for (const index of this.indexes.values()) index.remove(key, before);
    const previous = this.docs.get(key);
    this.docs.delete(key);
    if (previous) releaseBytes(previous);
    metrics.document.deleted += 1;
    return { op: 'delete', ns: this.ns, key, before: previous };
  }

  /**
   * Puts back what `key` held before a change the disk refused (`previous` absent: nothing),
   * indexes included. Changes are undone newest first, so `previous` is what that change saw.
   * A document put back after a delete comes last in natural order until the next restart.
   */
  restore(key: string, previous: Buffer | undefined): void {
    const current = this.docs.get(key);
    const now = current && deserializeDoc(current);
    const then = previous && deserializeDoc(previous);
    for (const index of this.indexes.values()) {
      if (now) index.remove(key, now);
      if (then) index.add(key, then);
    }
    if (current) releaseBytes(current);
    if (previous) {
      this.docs.set(key, previous);
      countCurrent(previous);
    } else {
      this.docs.delete(key);
    }
  }

  /** The collection is dropped: none of its documents is current any more (arena.ts). */
  releaseAll(): void {
    for (const buf of this.docs.values()) releaseBytes(buf);
  }

  /** Its drop is undone: every document is current again. */
  recountAll(): void {
    for (const buf of this.docs.values()) countCurrent(buf);
  }

  /**
   * Copies the documents that sit in mostly dead memory (arena.ts) into the current slab,
   * so that the garbage collector can free what they kept alive; yields after each `slice`
   * documents looked at (writes may come between), returns how many moved. Documents keep
   * their content and place in natural order: only the bytes behind them change.
   */
  *relocateSparse(slice: number): Generator<void, number> {
    let moved = 0;
    let seen = 0;
    for (const [key, buf] of this.docs) {
      if (isSparse(buf)) {
        const copy = relocated(buf);
        this.docs.set(key, copy);
        moved += 1;
      }
      if (++seen % slice === 0) yield;
    }
    return moved;
  }

  /**
   * Checks a document against every index before anything changes: unique keys, and
   * keys that cannot be built (parallel arrays), so a failed write leaves no trace.
   * Returns its keys per index (in `indexes` order) so they are not computed twice.
   */
  private checkedKeys(doc: Doc, exceptKey?: string): DocumentKeys[] {
    const keys: DocumentKeys[] = [];
    for (const index of this.indexes.values()) {
      const own = index.keysFor(doc);
      if (index.conflictIn(own, exceptKey) !== undefined) throw index.duplicateKeyError(this.ns, doc, exceptKey);
      keys.push(own);
    }
    return keys;
  }

  /**
   * Every read decodes the stored bytes afresh. A cache of the 256 documents each collection
   * wrote or looked up last saved decoding a document updated soon after, but kept them past
   * young-generation collections: on 1,000,000 invitations under survey answers, 16,000
   * answers promoted 156 MB into the old generation (18 MB without it), which then needed a
   * full marking of its ~500 MB (~0.8 s of the engine's thread) every ~16,000 answers.
   */
  get(key: string): Doc | undefined {
    const buf = this.docs.get(key);
    return buf && deserializeDoc(buf);
  }

  /**
   * Documents matching a filter, in natural order, lazily. Uses `_id` or a secondary
   * index when the filter allows; every candidate is re-checked with the full matcher
   * (compiled here when none is given), unless the lookup was exact.
   */
  scan(filter: Doc, matcher?: Matcher): Generator<StoredDoc> {
    const { keys, exact } = this.candidates(filter);
    return this.fetch(keys, exact ? null : matcher ?? compileFilter(filter));
  }

  /**
   * Matching documents in the order of an index that serves `sort` (after equalities on its
   * leading fields, or when the filter itself cannot use an index); null otherwise (the
   * caller sorts in memory). This lets `find().sort({ at: -1 }).limit(20)` stop after twenty.
   */
  sortedScan(filter: Doc, matcher: Matcher, sort: Doc): Iterable<StoredDoc> | null {
    if (this.indexes.size === 0 || idEqualities(filter)) return null;
    const indexes = [...this.indexes.values()];
    // Equality on an index's leading fields and a sort on the ones after: walked lazily (it
    // re-seeks the tree between chunks, so a cursor still open at the next write is safe).
    // Taken when the filter bounds the sort field (a keyset page says where to start and
    // stop) or no other index serves the filter; else a selective index on another field
    // (a week's days) could beat walking a site's whole history for rare matches.
    const walk = planPrefixSort(filter, sort, indexes);
    if (walk?.bounded) return this.fetch(walk.ids(), matcher);
    const query = planQuery(filter, indexes);
    if (walk && (!query || query.index === walk.index)) return this.fetch(walk.ids(), matcher);
    if (query) return this.rangeInSortOrder(query, sort, matcher);
    const plan = planSort(sort, indexes);
    if (!plan) return null;
    // Taken eagerly: the index's own iterator must not outlive a write.
    const ids = [...plan.ids()];
    return this.fetch(ids, matcher);
  }

  /**
   * A range plan on the sort field already yields documents in key order: walk it (reversed
   * for the other direction) so `findOneAndUpdate({ due: { $lte: now } }, …, { sort: { due: 1 } })`
   * stops at the first match instead of sorting every candidate. Null when it does not apply.
   */
  private rangeInSortOrder(plan: Plan, sort: Doc, matcher: Matcher): Iterable<StoredDoc> | null {
    const fields = Object.keys(sort);
    const index = plan.index;
    if (plan.kind !== 'range' || !index || index.multikey || fields.length !== 1 || index.fields[0] !== fields[0]) return null;
    const direction = numberValue(sort[fields[0]]) < 0 ? -1 : 1;
    const ids = [...plan.candidates()];
    if (direction * index.directions[0] < 0) ids.reverse();
    return this.fetch(ids, matcher);
  }

  /**
   * The stored documents of `keys` that `matcher` accepts (all of them with null: an exact
   * lookup).
   */
  private *fetch(keys: Iterable<string>, matcher: Matcher | null): Generator<StoredDoc> {
    for (const key of keys) {
      const buf = this.docs.get(key);
      if (!buf) continue;
      metrics.queryExecutor.scannedObjects += 1;
      const doc = deserializeDoc(buf);
      if (matcher === null || matcher.test(doc)) yield { key, doc };
    }
  }

  /**
   * The keys to look at for a filter, and whether they are exact: the documents under them
   * are the matches (plan.exact; or the filter is a plain `_id` equality alone, whose key
   * names the document holding it).
   */
  private candidates(filter: Doc): { keys: Iterable<string>; exact: boolean } {
    const ids = idEqualities(filter);
    if (ids) return { keys: ids.map(keyOf), exact: plainConditions(filter)?.length === 1 };
    const plan = this.indexes.size > 0 ? planQuery(filter, [...this.indexes.values()]) : null;
    if (!plan) return { keys: this.docs.keys(), exact: false };
    // Like MongoDB, an indexed query returns documents in index order; a multikey index
    // may name a document more than once.
    return { keys: new Set(plan.candidates()), exact: plan.exact === true };
  }

  /** Approximate data size for collStats/dbStats. */
  dataSize(): number {
    let n = 0;
    for (const buf of this.docs.values()) n += buf.length;
    return n;
  }
}

/** The same entries in the same order (what keysFor gives for documents alike on the indexed paths). */
function sameEntries(a: DocumentKeys, b: DocumentKeys): boolean {
  if (a.entries.length !== b.entries.length || a.multikey !== b.multikey) return false;
  for (let i = 0; i < a.entries.length; i++) if (a.entries[i].key !== b.entries[i].key) return false;
  return true;
}

function keyOf(id: unknown): string {
  return idKey(id);
}

/** The `_id` values a filter pins down by equality, or null when it does not. */
function idEqualities(filter: Doc): unknown[] | null {
  if (!Object.prototype.hasOwnProperty.call(filter, '_id')) return null;
  const cond = filter._id;
  const t = bsonType(cond);
  if (t === 'object') {
    const keys = Object.keys(cond as Doc);
    if (keys.length === 1 && keys[0] === '$eq') return plainId((cond as Doc).$eq);
    if (keys.length === 1 && keys[0] === '$in' && Array.isArray((cond as Doc).$in)) {
      const values = (cond as Doc).$in as unknown[];
      if (values.every((v) => plainId([v]) !== null)) return values;
    }
    if (keys.some((k) => k.startsWith('$'))) return null;
  }
  return plainId(cond);
}

function plainId(v: unknown): unknown[] | null {
  const t = bsonType(v);
  // Regexes, arrays and null do not pin a single `_id`; leave those to the matcher.
  if (t === 'regex' || t === 'array' || t === 'null' || t === 'missing' || t === 'undefined') return null;
  if (t === 'object') return null;
  return [v];
}

function withId(input: Doc): Doc {
  if (input._id !== undefined) {
    const t = bsonType(input._id);
    if (t === 'array') throw fail('InvalidIdField', "The '_id' value cannot be of type array");
    if (t === 'regex') throw fail('InvalidIdField', "The '_id' value cannot be of type regex");
    if (t === 'object' && Object.keys(input._id as Doc).some((k) => k.startsWith('$'))) {
      throw fail('DollarPrefixedFieldName', "_id fields may not contain '$'-prefixed fields");
    }
    if (Object.keys(input)[0] === '_id') return input;
    return copyFields(input, { _id: input._id });
  }
  return copyFields(input, { _id: new ObjectId() });
}

/** The document's bytes, to keep in the arena (retainBytes) once the write passes its checks: `raw` (its bytes as sent) when given, else serialised. */
function encodeChecked(doc: Doc, raw?: Buffer): Buffer {
  const buf = raw ?? serializeDoc(doc);
  if (buf.length > MAX_BSON_OBJECT_SIZE) {
    throw fail('BSONObjectTooLarge', `object to insert too large. size in bytes: ${buf.length}, max size: ${MAX_BSON_OBJECT_SIZE}`);
  }
  return buf;
}

function idDuplicateError(ns: string, id: unknown) {
  return duplicateKeyError(ns, '_id_', { _id: 1 }, { _id: id });
}

/** The top-level fields these indexes read, or null when one of them cannot tell. */
function fieldsRead(indexes: readonly Index[]): Set<string> | null {
  const fields = new Set<string>();
  for (const index of indexes) {
    if (!index.dependsOn) return null;
    for (const field of index.dependsOn) fields.add(field);
  }
  return fields;
}
