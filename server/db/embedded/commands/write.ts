/**
 * Write commands: insert, update and delete, with MongoDB's batch semantics (ordered
 * batches stop at the first error, unordered ones carry on; each failure is a
 * `writeErrors` entry) and one journal commit per command before the reply. A long
 * batch lets reads in between its statements (engine/write-turns.ts).
 */
import { fail, MongoServerError } from '../errors';
import { readDocs } from '../engine/read';
import type { Collection } from '../engine/collection';
import type { Engine } from '../engine/engine';
import { metrics } from '../engine/metrics';
import type { Slices } from '../engine/write-turns';
import { compileFilter } from '../query/match';
import { incrementBytes, plainIncrements } from '../query/increment-bytes';
import { plainSets, setBytes } from '../query/set-bytes';
import { identical } from '../query/update-format';
import { decodeFields } from '../bson-decode';
import { topFieldsOf } from '../indexes/index';
import { compileUpdate, upsertSeed } from '../query/update';
import { isPlainObject, type Doc } from '../query/values';
import { rawBytesOf } from '../raw-documents';
import type { JournalOp } from '../storage/types';
import { optionalArray, optionalBool, optionalDoc, optionalNumber, rejectCollation, targetCollection } from './args';
import { checkHint } from './find';
import { registerCommands, type CommandContext } from './registry';

export interface WriteError {
  index: number;
  code: number;
  errmsg: string;
  [extra: string]: unknown;
}

export function toWriteError(index: number, err: unknown): WriteError {
  if (!(err instanceof MongoServerError)) throw err;
  return { index, code: err.code, ...(err.codeName ? { codeName: err.codeName } : {}), errmsg: err.message, ...err.extra };
}

/** Runs each statement, collecting write errors; stops at the first when ordered. Reads may run between slices. */
async function eachStatement<T>(items: T[], ordered: boolean, slices: Slices, run: (item: T, index: number) => void): Promise<WriteError[]> {
  const errors: WriteError[] = [];
  for (let i = 0; i < items.length; i++) {
    if (slices.due()) await slices.pause();
    try {
      run(items[i], i);
    } catch (err) {
      errors.push(toWriteError(i, err));
      if (ordered) break;
    }
  }
  return errors;
}

export function statements(cmd: Doc, field: string): Doc[] {
  const list = optionalArray(cmd, field);
  if (!list) throw fail('FailedToParse', `BSON field '${Object.keys(cmd)[0]}.${field}' is missing but a required field`);
  if (list.length > 100000) throw fail('InvalidLength', `Write batch sizes must be between 1 and 100000. Got ${list.length} operations.`);
  for (const item of list) {
    if (!isPlainObject(item)) throw fail('TypeMismatch', `BSON field '${field}' items must be documents`);
  }
  return list as Doc[];
}

function reply(n: number, errors: WriteError[], extra: Doc = {}): Doc {
  return errors.length ? { n, ...extra, writeErrors: errors } : { n, ...extra };
}

async function insert(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = targetCollection(cmd);
  const docs = statements(cmd, 'documents');
  const ordered = optionalBool(cmd, 'ordered') ?? true;
  const ops: JournalOp[] = [];
  const coll = ctx.engine.ensureCollection(ctx.db, name, ops);
  const raw = rawBytesOf(docs);
  let n = 0;
  const errors = await ctx.engine.applyInSlices(ops, (slices) =>
    eachStatement(docs, ordered, slices, (doc, i) => {
      ops.push(coll.insert(doc, raw?.[i]).op);
      n += 1;
    }),
  );
  return reply(n, errors);
}

/** Whether an update names the positional `$` operator and so needs the match position. */
function usesPositional(update: Doc | Doc[]): boolean {
  if (Array.isArray(update)) return false;
  return Object.values(update).some((fields) => isPlainObject(fields) && Object.keys(fields).some((p) => /(^|\.)\$(\.|$)/.test(p)));
}

interface UpdateStatement {
  filter: Doc;
  update: Doc | Doc[];
  upsert: boolean;
  multi: boolean;
  arrayFilters?: Doc[];
  sort?: Doc;
  /** The command's `let` constants, for pipeline updates. */
  variables?: Doc;
  /** findAndModify answers with the document: it is decoded and updated the general way. */
  returnsDocument?: boolean;
}

export interface UpdateOutcome {
  matched: number;
  modified: number;
  upsertedId?: unknown;
  /** The last document written (after the update), for findAndModify. */
  after?: Doc;
  before?: Doc;
}

/** Applies one update statement; changes memory and appends journal ops. */
export function runUpdate(engine: Engine, db: string, name: string, st: UpdateStatement, ops: JournalOp[]): UpdateOutcome {
  const onBytes = st.returnsDocument || st.multi || st.sort || st.arrayFilters ? null : onStoredBytes(engine.collection(db, name), st, ops);
  if (onBytes) return onBytes;
  // Compiling first rejects a malformed update even when no document matches, as MongoDB does.
  const compiled = compileUpdate(st.update, { arrayFilters: st.arrayFilters, multi: st.multi });
  const existing = engine.collection(db, name);
  // Only the positional operator needs the match position; readDocs matches on its own.
  const matcher = usesPositional(st.update) ? compileFilter(st.filter) : null;
  const applyOpts = { now: new Date(), variables: st.variables };
  // Collect targets first so a document moved by its own update is not visited twice.
  const targets = [...readDocs(existing, { filter: st.filter, sort: st.sort, limit: st.multi ? undefined : 1 })];
  const out: UpdateOutcome = { matched: 0, modified: 0 };
  for (const { key, doc } of targets) {
    const position = matcher ? matcher.matchPosition(doc).position : undefined;
    const result = compiled.apply(doc, { ...applyOpts, position });
    out.matched += 1;
    out.before = doc;
    out.after = result.doc;
    if (result.modified && existing) {
      ops.push(existing.replace(key, doc, result.doc));
      out.modified += 1;
    }
  }
  if (targets.length === 0 && st.upsert) {
    const coll: Collection = engine.ensureCollection(db, name, ops);
    const { doc } = compiled.apply(upsertSeed(st.filter, st.update), { ...applyOpts, isInsert: true });
    const inserted = coll.insert(doc);
    ops.push(inserted.op);
    out.upsertedId = inserted.doc._id;
    out.after = inserted.doc;
  }
  return out;
}

/** An update of one document done on its stored bytes (counters added, scalars set); null for the general way. */
function onStoredBytes(coll: Collection | undefined, st: UpdateStatement, ops: JournalOp[]): UpdateOutcome | null {
  return incrementStored(coll, st, ops) ?? setStored(coll, st, ops);
}

/**
 * An update that only sets top-level scalars of the one document its filter names by
 * `_id` (and perhaps more conditions), done on the stored bytes (query/set-bytes.ts):
 * decoded are only the fields the filter reads, the fields set and those of the indexes
 * they change. null when it does not apply (no such document, a filter it does not match
 * or whose fields cannot be told, a field the document lacks), and the general way runs.
 */
function setStored(coll: Collection | undefined, st: UpdateStatement, ops: JournalOp[]): UpdateOutcome | null {
  const sets = coll && plainSets(st.update);
  if (!coll || !sets) return null;
  const target = coll.storedById(st.filter);
  const filterReads = target && topFieldsOf([], st.filter);
  const indexReads = filterReads && coll.fieldsIndexedWith([...sets.keys()]);
  if (!target || !filterReads || !indexReads) return null;
  const before = decodeFields(target.buf, new Set([...filterReads, ...indexReads, ...sets.keys()]));
  if (!target.exact && !compileFilter(st.filter).test(before)) return null;
  const changes = new Map<string, unknown>();
  for (const [field, value] of sets) {
    if (!Object.prototype.hasOwnProperty.call(before, field)) return null;
    if (!identical(before[field], value)) changes.set(field, value);
  }
  const bytes = changes.size > 0 ? setBytes(target.buf, changes) : null;
  if (changes.size > 0 && !bytes) return null;
  metrics.queryExecutor.scannedObjects += 1;
  if (!bytes) return { matched: 1, modified: 0 };
  const after: Doc = { ...before };
  for (const [field, value] of changes) after[field] = value;
  ops.push(coll.replaceStored(target.key, before, after, bytes));
  return { matched: 1, modified: 1 };
}

/**
 * An update that only adds to counters of the one document its filter names exactly, done
 * on the stored bytes (query/increment-bytes.ts); null when it does not apply (no such
 * document, an indexed counter, a counter of another type), and the general way runs.
 */
function incrementStored(coll: Collection | undefined, st: UpdateStatement, ops: JournalOp[]): UpdateOutcome | null {
  const increments = coll && plainIncrements(st.update);
  if (!coll || !increments || coll.indexedAmong([...increments.keys()])) return null;
  const found = coll.exactStored(st.filter);
  if (found?.length !== 1) return null;
  const { key, buf } = found[0]!;
  const bytes = incrementBytes(buf, increments);
  if (!bytes) return null;
  metrics.queryExecutor.scannedObjects += 1;
  ops.push(coll.rewrite(key, bytes));
  return { matched: 1, modified: 1 };
}

function parseUpdateStatement(raw: Doc, variables?: Doc): UpdateStatement {
  const filter = optionalDoc(raw, 'q') ?? {};
  const update = raw.u;
  if (!isPlainObject(update) && !Array.isArray(update)) {
    throw fail('FailedToParse', "BSON field 'update.updates.u' is missing or is not an object or array");
  }
  rejectCollation(raw.collation);
  return {
    filter,
    update: update as Doc | Doc[],
    upsert: optionalBool(raw, 'upsert') ?? false,
    multi: optionalBool(raw, 'multi') ?? false,
    arrayFilters: optionalArray(raw, 'arrayFilters') as Doc[] | undefined,
    sort: optionalDoc(raw, 'sort'),
    variables,
  };
}

async function update(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = targetCollection(cmd);
  const items = statements(cmd, 'updates');
  const ordered = optionalBool(cmd, 'ordered') ?? true;
  const ops: JournalOp[] = [];
  let n = 0;
  let nModified = 0;
  const upserted: Doc[] = [];
  const errors = await ctx.engine.applyInSlices(ops, (slices) =>
    eachStatement(items, ordered, slices, (raw, index) => {
      checkHint(ctx, name, raw.hint);
      const result = runUpdate(ctx.engine, ctx.db, name, parseUpdateStatement(raw, optionalDoc(cmd, 'let')), ops);
      n += result.matched;
      nModified += result.modified;
      if (result.upsertedId !== undefined) {
        n += 1;
        upserted.push({ index, _id: result.upsertedId });
      }
    }),
  );
  return reply(n, errors, upserted.length ? { nModified, upserted } : { nModified });
}

async function deleteCommand(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = targetCollection(cmd);
  const items = statements(cmd, 'deletes');
  const ordered = optionalBool(cmd, 'ordered') ?? true;
  const ops: JournalOp[] = [];
  let n = 0;
  const errors = await ctx.engine.applyInSlices(ops, (slices) =>
    eachStatement(items, ordered, slices, (raw) => {
      const filter = optionalDoc(raw, 'q');
      if (!filter) throw fail('FailedToParse', "BSON field 'delete.deletes.q' is missing but a required field");
      const limit = optionalNumber(raw, 'limit');
      if (limit === undefined) throw fail('FailedToParse', "BSON field 'delete.deletes.limit' is missing but a required field");
      if (limit !== 0 && limit !== 1) throw fail('FailedToParse', `The limit field in delete objects must be 0 or 1. Got ${limit}`);
      rejectCollation(raw.collation);
      checkHint(ctx, name, raw.hint);
      const coll = ctx.engine.collection(ctx.db, name);
      if (!coll) return;
      const targets = [...readDocs(coll, { filter, limit: limit === 1 ? 1 : undefined })];
      for (const { key, doc } of targets) {
        ops.push(coll.remove(key, doc));
        n += 1;
      }
    }),
  );
  return reply(n, errors);
}

registerCommands({ insert, update, delete: deleteCommand });
