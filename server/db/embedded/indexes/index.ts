/**
 * One index of a collection: its spec, its ordered entries (encoded key → id keys of the
 * documents holding that key, in a B+ tree), and what is built on them: unique conflicts and
 * MongoDB's E11000 error, equality/prefix and range lookups for the planner, TTL expiry.
 */
import BTree, { simpleComparator } from 'sorted-btree';
import { fail, type MongoServerError } from '../errors';
import { isNumeric, isPlainObject, numberValue, type Doc } from '../query/values';
import { formatBson } from './bson-format';
import { EMPTY_ARRAY_KEY, encodeKey, invertKey } from './key-encoding';
import { EMPTY_ARRAY, extractKeys, splitPaths } from './keys';
import { checkIndexPlugin, trueValue } from './spec';

import type { IndexSpec } from './spec';

export { validateIndexSpec } from './spec';
export type { IndexSpec, SpecCheck } from './spec';

export interface IndexOptions {
  /** The compiled partialFilterExpression; required when the spec has one. */
  partialFilter?: (doc: Doc) => boolean;
}

/**
 * A range of the first key field, as ascending component keys (`encodeKey` values or
 * `rankPrefix` type brackets). Both ends are inclusive, and an end covers every key it is a
 * prefix of, so `{ low: k, high: k }` is "first field equals the value of k".
 */
export interface KeyRange {
  low: string;
  high: string;
}

export interface IndexEntry {
  key: string;
  /** One value per key field: undefined when missing, EMPTY_ARRAY for an empty array. */
  values: unknown[];
}

/** A document's entries in one index, computed once for the checks and the insertion. */
export interface DocumentKeys {
  entries: IndexEntry[];
  /** The document put an array on an indexed path. */
  multikey: boolean;
}

type Ids = string | Set<string>;

export class Index {
  readonly name: string;
  readonly fields: readonly string[];
  readonly directions: readonly number[];
  readonly unique: boolean;
  readonly sparse: boolean;
  readonly partial: boolean;
  readonly hidden: boolean;
  readonly hashed: boolean;
  readonly isIdIndex: boolean;
  /** Seconds after the indexed date when a document expires; only on single-field indexes. */
  readonly expireAfterSeconds: number | undefined;
  /**
   * The top-level fields whose values make a document's entries (key paths and the partial
   * filter's fields), or null when that cannot be told: an update leaving them all as they
   * were (the same values, not copies) leaves the entries as they were.
   */
  readonly dependsOn: readonly string[] | null;
  /** Some document put an array on an indexed path. Sticky, as in MongoDB. */
  multikey = false;
  private readonly paths: string[][];
  private readonly hashedFields: boolean[];
  private readonly partialFilter: ((doc: Doc) => boolean) | undefined;
  private readonly tree = new BTree<string, Ids>(undefined, simpleComparator);
  private entryCount = 0;

  constructor(readonly spec: IndexSpec, options: IndexOptions = {}) {
    const plugin = checkIndexPlugin(spec.key);
    this.name = spec.name;
    this.fields = Object.keys(spec.key);
    this.paths = splitPaths(this.fields);
    this.hashedFields = this.fields.map((f) => spec.key[f] === 'hashed');
    this.hashed = plugin === 'hashed';
    this.directions = this.fields.map((f) => (typeof spec.key[f] !== 'string' && numberValue(spec.key[f]) < 0 ? -1 : 1));
    this.isIdIndex = this.fields.length === 1 && this.fields[0] === '_id' && !this.hashed;
    this.unique = this.isIdIndex || trueValue(spec.unique);
    this.sparse = trueValue(spec.sparse);
    this.hidden = spec.hidden === true;
    this.partial = spec.partialFilterExpression !== undefined;
    if (this.partial && options.partialFilter === undefined) {
      throw fail('InternalError', `index ${spec.name} has a partialFilterExpression but no compiled filter`);
    }
    this.partialFilter = this.partial ? options.partialFilter : undefined;
    this.dependsOn = topFieldsOf(this.fields, spec.partialFilterExpression);
    const ttl = spec.expireAfterSeconds;
    this.expireAfterSeconds = this.fields.length === 1 && isNumeric(ttl) && numberValue(ttl) >= 0 ? numberValue(ttl) : undefined;
  }

  /** Number of entries (a multikey document has one per distinct key). */
  get size(): number {
    return this.entryCount;
  }

  /** Number of distinct keys. */
  get keyCount(): number {
    return this.tree.size;
  }

  /** The encoded keys of a document (none when sparse/partial leave it out). */
  keysOf(doc: Doc): string[] {
    return this.entries(doc).map((e) => e.key);
  }

  add(id: string, doc: Doc): void {
    this.insertKeys(id, this.keysFor(doc));
  }

  /** The entries `doc` would add (see `conflictIn`, `insertKeys`); nothing changes yet. */
  keysFor(doc: Doc): DocumentKeys {
    return this.collect(doc);
  }

  /** Adds entries from `keysFor`, which must be of the document stored under `id`. */
  insertKeys(id: string, keys: DocumentKeys): void {
    if (keys.multikey) this.multikey = true;
    for (const { key } of keys.entries) {
      // Most keys of a new document are new keys: one descent of the tree inserts them.
      if (this.tree.setIfNotPresent(key, id)) {
        this.entryCount++;
        continue;
      }
      const held = this.tree.get(key);
      if (held === undefined) continue; // unreachable: the key is present
      if (typeof held === 'string') {
        if (held === id) continue;
        this.tree.set(key, new Set([held, id]));
      } else {
        if (held.has(id)) continue;
        held.add(id);
      }
      this.entryCount++;
    }
  }

  /** Removes the entries `add(id, doc)` made; pass the same document. */
  remove(id: string, doc: Doc): void {
    this.removeKeys(id, this.collect(doc));
  }

  /** Removes entries from `keysFor` of the document stored under `id`. */
  removeKeys(id: string, keys: DocumentKeys): void {
    for (const { key } of keys.entries) {
      const held = this.tree.get(key);
      if (held === id) this.tree.delete(key);
      else if (typeof held === 'object' && held.delete(id)) {
        if (held.size === 1) this.tree.set(key, held.values().next().value as string);
      } else continue;
      this.entryCount--;
    }
  }

  clear(): void {
    this.tree.clear();
    this.entryCount = 0;
    this.multikey = false;
  }

  /** For a unique index: the id of another document already holding one of `doc`'s keys. */
  conflicts(doc: Doc, exceptId?: string): string | undefined {
    return this.findConflict(this.entries(doc), exceptId)?.id;
  }

  /** `conflicts` over entries already computed by `keysFor`. */
  conflictIn(keys: DocumentKeys, exceptId?: string): string | undefined {
    return this.findConflict(keys.entries, exceptId)?.id;
  }

  /** MongoDB's E11000 error for `doc` colliding in this index (ns is "db.collection"). */
  duplicateKeyError(ns: string, doc: Doc, exceptId?: string): MongoServerError {
    const values = this.findConflict(this.entries(doc), exceptId)?.entry.values ?? this.entries(doc)[0]?.values ?? [];
    const keyValue: Doc = {};
    this.fields.forEach((f, i) => {
      const v = values[i];
      keyValue[f] = v === EMPTY_ARRAY ? undefined : v === undefined ? null : v;
    });
    return duplicateKeyError(ns, this.name, this.spec.key, keyValue);
  }

  /** The key of the first `components.length` fields: ascending component keys, directions applied. */
  prefixKey(components: readonly string[]): string {
    let out = '';
    for (let i = 0; i < components.length; i++) out += this.directions[i] < 0 ? invertKey(components[i]) : components[i];
    return out;
  }

  /** Ids of the documents whose first fields equal `values` (all fields: an exact key). */
  lookupEq(values: readonly unknown[]): Iterable<string> {
    return this.lookupPrefixes([this.prefixKey(values.map(componentKey))], values.length);
  }

  /**
   * Ids under any of these keys from `prefixKey` over the first `fieldCount` fields, each id
   * once. A key of every field is looked up exactly, a shorter one scanned as a prefix.
   */
  lookupPrefixes(prefixes: readonly string[], fieldCount: number): Iterable<string> {
    const full = fieldCount >= this.fields.length;
    if (prefixes.length === 1 && full) return idsOf(this.tree.get(prefixes[0]));
    const out = new Set<string>();
    for (const p of prefixes) {
      if (full) addIds(out, this.tree.get(p));
      else for (const ids of this.scan(p, p)) addIds(out, ids);
    }
    return out;
  }

  /** How many entries hold these keys (as in `lookupPrefixes`), counting no further than `cap`. */
  countPrefixes(prefixes: readonly string[], fieldCount: number, cap = Infinity): number {
    let n = 0;
    for (const p of prefixes) {
      const entries = fieldCount >= this.fields.length ? [this.tree.get(p)] : this.scan(p, p);
      for (const ids of entries) {
        n += ids === undefined ? 0 : typeof ids === 'string' ? 1 : ids.size;
        if (n >= cap) return n;
      }
    }
    return n;
  }

  /**
   * Ids of the entries in these spans of whole keys (from and to as `prefixKey` builds them,
   * both inclusive, `to` covering every key that extends it), each id once, in span order.
   */
  lookupSpans(spans: readonly (readonly [string, string])[]): Iterable<string> {
    const out = new Set<string>();
    for (const [from, to] of spans) for (const ids of this.scan(from, to)) addIds(out, ids);
    return out;
  }

  /** How many entries lie in these spans (as in `lookupSpans`), counting no further than `cap`. */
  countSpans(spans: readonly (readonly [string, string])[], cap = Infinity): number {
    let n = 0;
    for (const [from, to] of spans) {
      for (const ids of this.scan(from, to)) {
        n += typeof ids === 'string' ? 1 : ids.size;
        if (n >= cap) return n;
      }
    }
    return n;
  }

  /** Ids of documents whose first field lies in the range, each id once. */
  lookupRange(range: KeyRange): Iterable<string> {
    const out = new Set<string>();
    for (const ids of this.scan(...this.rangeEnds(range))) addIds(out, ids);
    return out;
  }

  /** How many entries lie in the range, counting no further than `cap`. */
  countRange(range: KeyRange, cap = Infinity): number {
    let n = 0;
    for (const ids of this.scan(...this.rangeEnds(range))) {
      n += typeof ids === 'string' ? 1 : ids.size;
      if (n >= cap) break;
    }
    return n;
  }

  /** All ids in index order (1) or reverse order (-1); lazy, so consume it before the next write. */
  *orderedIds(direction: 1 | -1 = 1): Generator<string> {
    const entries = direction > 0 ? this.tree.entries() : this.tree.entriesReversed();
    for (const [, ids] of entries) {
      if (typeof ids === 'string') yield ids;
      else yield* ids;
    }
  }

  /**
   * Ids of the entries from `from` to `to` (inclusive, with every key extending `to`), in key
   * order (1) or reversed (-1). Lazy, yet safe across writes: it reads the tree a few entries
   * at a time, each time seeking past the last key it read, so a sorted find with a limit
   * stops early and an open cursor survives later writes.
   */
  *walkRange(from: string, to: string, direction: 1 | -1): Generator<string> {
    const CHUNK = 64;
    let last: string | undefined;
    for (;;) {
      const chunk: string[][] = [];
      let lastKey = last;
      // Keys never hold U+FFFF (encoded characters are at most U+FFFE once inverted).
      const entries = direction > 0 ? this.tree.entries(last ?? from) : this.tree.entriesReversed(last ?? `${to}\uffff`);
      for (const [key, ids] of entries) {
        if (key === last) continue;
        if (direction > 0 ? key > to && !key.startsWith(to) : key < from) break;
        chunk.push(idsOf(ids));
        lastKey = key;
        if (chunk.length === CHUNK) break;
      }
      for (const ids of chunk) yield* ids;
      if (chunk.length < CHUNK) return;
      last = lastKey;
    }
  }

  private findConflict(entries: IndexEntry[], exceptId?: string): { id: string; entry: IndexEntry } | undefined {
    if (!this.unique) return undefined;
    for (const entry of entries) {
      const held = this.tree.get(entry.key);
      if (held === undefined) continue;
      if (typeof held === 'string') {
        if (held !== exceptId) return { id: held, entry };
      } else {
        for (const id of held) if (id !== exceptId) return { id, entry };
      }
    }
    return undefined;
  }

  /** A document's distinct entries: encoded key and the values it holds (undefined: missing). */
  entries(doc: Doc): IndexEntry[] {
    return this.collect(doc).entries;
  }

  /** The entries of `doc`, and whether it holds an array on an indexed path (recorded when added). */
  private collect(doc: Doc): DocumentKeys {
    if (this.partialFilter !== undefined && !this.partialFilter(doc)) return { entries: [], multikey: false };
    // The common case, a top-level scalar field, skips the general extraction.
    if (this.paths.length === 1 && this.paths[0].length === 1 && !this.hashed) {
      const v = doc[this.fields[0]];
      if (!Array.isArray(v)) {
        if (v === undefined && this.sparse) return { entries: [], multikey: false };
        const k = encodeKey(v);
        return { entries: [{ key: this.directions[0] < 0 ? invertKey(k) : k, values: [v] }], multikey: false };
      }
    }
    if (!this.hashed) {
      const values = plainTuple(doc, this.paths);
      if (values !== undefined) {
        if (this.sparse && values.every((v) => v === undefined)) return { entries: [], multikey: false };
        return { entries: [{ key: this.prefixKey(values.map(componentKey)), values }], multikey: false };
      }
    }
    const { tuples, multikey } = extractKeys(doc, this.paths, this.hashed ? this.hashedFields : undefined);
    const seen = new Map<string, IndexEntry>();
    for (const values of tuples) {
      if (this.sparse && values.every((v) => v === undefined)) continue;
      const key = this.prefixKey(values.map(componentKey));
      if (!seen.has(key)) seen.set(key, { key, values });
    }
    return { entries: [...seen.values()], multikey };
  }

  private rangeEnds(range: KeyRange): [string, string] {
    return this.directions[0] < 0 ? [invertKey(range.high), invertKey(range.low)] : [range.low, range.high];
  }

  /** Entries from `from` on while the key is at most `to` or extends it. */
  private *scan(from: string, to: string): Generator<Ids> {
    for (const [key, ids] of this.tree.entries(from)) {
      if (key > to && !key.startsWith(to)) return;
      yield ids;
    }
  }
}

/**
 * MongoDB's E11000 error: `E11000 duplicate key error collection: db.c index: email_1 dup key:
 * { email: "x" }`, with keyPattern and keyValue (which the driver surfaces on the error).
 */
export function duplicateKeyError(ns: string, indexName: string, keyPattern: Doc, keyValue: Doc): MongoServerError {
  const message = `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: ${formatBson(keyValue)}`;
  return fail('DuplicateKey', message, { keyPattern, keyValue });
}

/** The component key of one value: missing as null, the empty-array marker as itself. */
export function componentKey(value: unknown): string {
  return value === EMPTY_ARRAY ? EMPTY_ARRAY_KEY : encodeKey(value);
}

/**
 * The one key tuple of a document whose indexed paths meet no array (what `extractKeys` returns
 * then, without its per-path cursors), or undefined when one does and the general rules apply.
 */
function plainTuple(doc: Doc, paths: readonly string[][]): unknown[] | undefined {
  const values: unknown[] = [];
  for (const path of paths) {
    let v: unknown = doc;
    for (let i = 0; i < path.length; i++) {
      if (Array.isArray(v)) return undefined;
      if (!isPlainObject(v)) {
        v = undefined; // a scalar, null or nothing where the path goes on: missing
        break;
      }
      v = v[path[i]];
    }
    if (Array.isArray(v)) return undefined;
    values.push(v);
  }
  return values;
}

/** A copy: callers may write to the collection while they go through the ids. */
function idsOf(ids: Ids | undefined): string[] {
  return ids === undefined ? [] : typeof ids === 'string' ? [ids] : [...ids];
}

function addIds(out: Set<string>, ids: Ids | undefined): void {
  if (ids === undefined) return;
  if (typeof ids === 'string') out.add(ids);
  else for (const id of ids) out.add(id);
}

/** The first segments of the key paths and of the partial filter's fields; null for an operator other than $and/$or. */
export function topFieldsOf(fields: readonly string[], partialFilter: unknown): string[] | null {
  const out = new Set(fields.map((f) => f.split('.')[0] as string));
  const walk = (expr: unknown): boolean => {
    if (!isPlainObject(expr)) return false;
    for (const [key, value] of Object.entries(expr)) {
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(value) || !value.every(walk)) return false;
      } else if (key.startsWith('$')) {
        return false;
      } else {
        out.add(key.split('.')[0] as string);
      }
    }
    return true;
  };
  if (partialFilter !== undefined && !walk(partialFilter)) return null;
  return [...out];
}
