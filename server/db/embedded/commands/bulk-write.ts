/**
 * MongoDB 8's `bulkWrite` command (run on admin): inserts, updates and deletes across
 * collections in one command, with the write commands' batch semantics (ordered stops
 * at the first error) and one journal commit before the reply. The reply is a cursor of
 * per-operation results (errors only when `errorsOnly`) and the command's counts. A long
 * one lets reads in between its operations (engine/write-turns.ts).
 */
import { Long } from 'bson';
import { fail } from '../errors';
import { readDocs } from '../engine/read';
import { takeRawDocument } from '../raw-documents';
import { isNumeric, isPlainObject, numberValue, type Doc } from '../query/values';
import type { JournalOp } from '../storage/types';
import { optionalArray, optionalBool, optionalDoc, rejectCollation } from './args';
import { checkHint } from './find';
import { registerCommands, type CommandContext } from './registry';
import { runUpdate, statements, toWriteError } from './write';

interface Namespace {
  db: string;
  name: string;
}

interface Counts {
  nInserted: number;
  nMatched: number;
  nModified: number;
  nUpserted: number;
  nDeleted: number;
}

function namespaceOf(info: Doc): Namespace {
  const ns = info.ns;
  const dot = typeof ns === 'string' ? ns.indexOf('.') : -1;
  if (typeof ns !== 'string' || dot <= 0 || dot === ns.length - 1) throw fail('InvalidNamespace', `Invalid namespace specified '${String(ns)}'`);
  return { db: ns.slice(0, dot), name: ns.slice(dot + 1) };
}

/** The operation's kind and its namespace, from its first field (`insert`, `update` or `delete`: an index into nsInfo). */
function kindOf(op: Doc, namespaces: Namespace[]): { kind: 'insert' | 'update' | 'delete'; ns: Namespace } {
  const kind = Object.keys(op)[0];
  if (kind !== 'insert' && kind !== 'update' && kind !== 'delete') throw fail('FailedToParse', `Unrecognized bulkWrite operation '${String(kind)}'`);
  const at = op[kind];
  const index = isNumeric(at) ? numberValue(at) : NaN;
  const ns = Number.isInteger(index) ? namespaces[index] : undefined;
  if (!ns) throw fail('BadValue', `BulkWrite ops entry ${kind} field has an invalid nsInfo index: ${String(at)}`);
  return { kind, ns };
}

/** Runs one operation against memory, appending its journal ops; its result fields and counts. */
function runOperation(op: Doc, namespaces: Namespace[], ctx: CommandContext, variables: Doc | undefined, journal: JournalOp[], counts: Counts): Doc {
  const { kind, ns } = kindOf(op, namespaces);
  if (kind === 'insert') {
    const document = op.document;
    if (!isPlainObject(document)) throw fail('FailedToParse', "BSON field 'bulkWrite.insert.document' is missing or is not an object");
    const coll = ctx.engine.ensureCollection(ns.db, ns.name, journal);
    journal.push(coll.insert(document, takeRawDocument(document)).op);
    counts.nInserted += 1;
    return { n: 1 };
  }
  const filter = optionalDoc(op, 'filter') ?? {};
  rejectCollation(op.collation);
  // The hint names an index of the operation's own namespace; most operations have none.
  if (op.hint !== undefined && op.hint !== null) checkHint({ ...ctx, db: ns.db }, ns.name, op.hint);
  const multi = optionalBool(op, 'multi') ?? false;
  if (kind === 'delete') {
    const coll = ctx.engine.collection(ns.db, ns.name);
    let n = 0;
    if (coll) {
      for (const { key, doc } of [...readDocs(coll, { filter, limit: multi ? undefined : 1 })]) {
        journal.push(coll.remove(key, doc));
        n += 1;
      }
    }
    counts.nDeleted += n;
    return { n };
  }
  const update = op.updateMods;
  if (!isPlainObject(update) && !Array.isArray(update)) throw fail('FailedToParse', "BSON field 'bulkWrite.update.updateMods' is missing or is not an object or array");
  const upsert = optionalBool(op, 'upsert') ?? false;
  const arrayFilters = optionalArray(op, 'arrayFilters') as Doc[] | undefined;
  const result = runUpdate(ctx.engine, ns.db, ns.name, { filter, update: update as Doc | Doc[], upsert, multi, arrayFilters, sort: optionalDoc(op, 'sort'), variables }, journal);
  counts.nMatched += result.matched;
  counts.nModified += result.modified;
  if (result.upsertedId === undefined) return { n: result.matched, nModified: result.modified };
  counts.nUpserted += 1;
  return { n: 1, nModified: 0, upserted: { _id: result.upsertedId } };
}

async function bulkWrite(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  if (ctx.db !== 'admin') throw fail('Unauthorized', 'bulkWrite may only be run against the admin database.');
  const ops = statements(cmd, 'ops');
  const namespaces = statements(cmd, 'nsInfo').map(namespaceOf);
  const ordered = optionalBool(cmd, 'ordered') ?? true;
  const errorsOnly = optionalBool(cmd, 'errorsOnly') ?? false;
  const variables = optionalDoc(cmd, 'let');
  const journal: JournalOp[] = [];
  const counts: Counts = { nInserted: 0, nMatched: 0, nModified: 0, nUpserted: 0, nDeleted: 0 };
  const results: Doc[] = [];
  let nErrors = 0;
  await ctx.engine.applyInSlices(journal, async (slices) => {
    for (let idx = 0; idx < ops.length; idx++) {
      if (slices.due()) await slices.pause();
      try {
        const result = runOperation(ops[idx] as Doc, namespaces, ctx, variables, journal, counts);
        if (!errorsOnly) results.push({ ok: 1, idx, ...result });
      } catch (err) {
        const { index: _index, ...error } = toWriteError(idx, err);
        results.push({ ok: 0, idx, ...error, n: 0 });
        nErrors += 1;
        if (ordered) break;
      }
    }
  });
  return { cursor: { id: Long.ZERO, firstBatch: results, ns: 'admin.$cmd.bulkWrite' }, nErrors, ...counts };
}

registerCommands({ bulkWrite });
