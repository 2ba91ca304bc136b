/**
 * Read commands: find, getMore, killCursors, count and distinct.
 */
import { Long } from 'bson';
import { fail, unsupported } from '../errors';
import { mapIter, readDocs } from '../engine/read';
import { compileFilter } from '../query/match';
import { compileProjection } from '../query/projection';
import { getPathValues } from '../query/paths';
import { compareValues, isNumeric, numberValue, type Doc } from '../query/values';
import { optionalBool, optionalCount, optionalDoc, optionalNumber, rejectCollation, targetCollection } from './args';
import { registerCommands, type CommandContext } from './registry';

/** True when a projection uses the positional `.$` form and so needs the match position. */
function isPositional(projection: Doc | undefined): boolean {
  return !!projection && Object.keys(projection).some((k) => k.endsWith('.$'));
}

/** Checks that a hint names an existing index (MongoDB answers 2 BadValue otherwise). */
export function checkHint(ctx: CommandContext, collName: string, hint: unknown): void {
  if (hint === undefined || hint === null) return;
  const coll = ctx.engine.collection(ctx.db, collName);
  const specs = [{ name: '_id_', key: { _id: 1 } as Doc }, ...(coll?.indexSpecs() ?? [])];
  const wanted = typeof hint === 'string' ? (s: { name: string; key: Doc }) => s.name === hint
    : (s: { name: string; key: Doc }) => compareValues(s.key, hint) === 0 || JSON.stringify(s.key) === JSON.stringify(hint);
  if (typeof hint === 'object' && hint !== null && Object.keys(hint).length === 0) return;
  if (typeof hint === 'object' && hint !== null && '$natural' in (hint as Doc)) return;
  if (!coll || !specs.some(wanted)) throw fail('BadValue', 'error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index');
}

async function find(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const collName = targetCollection(cmd);
  const filter = optionalDoc(cmd, 'filter') ?? {};
  const sort = optionalDoc(cmd, 'sort');
  const projection = optionalDoc(cmd, 'projection');
  const skip = optionalCount(cmd, 'skip');
  const limit = optionalNumber(cmd, 'limit');
  if (limit !== undefined && limit < 0) throw fail('BadValue', `Limit value must be non-negative, but received: ${limit}`);
  const batchSize = optionalCount(cmd, 'batchSize');
  const singleBatch = optionalBool(cmd, 'singleBatch') ?? false;
  rejectCollation(cmd.collation);
  if (optionalBool(cmd, 'tailable')) throw unsupported('tailable cursors (capped collections)');
  if (cmd.min !== undefined || cmd.max !== undefined) throw unsupported('min/max index bounds');
  checkHint(ctx, collName, cmd.hint);
  const coll = ctx.engine.collection(ctx.db, collName);
  const project = projection && Object.keys(projection).length ? compileProjection(projection) : null;
  const matcher = isPositional(projection) ? compileFilter(filter) : null;
  const hits = readDocs(coll, { filter, sort, skip, limit: limit || undefined });
  const docs = mapIter(hits, ({ doc }) => (project ? project(doc, matcher?.matchPosition(doc).position) : doc));
  const ns = `${ctx.db}.${collName}`;
  const { batch, id } = ctx.engine.cursors.open(ns, docs, batchSize, limit || Infinity, singleBatch);
  return { cursor: { firstBatch: batch, id, ns } };
}

async function getMore(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const id = cmd.getMore;
  if (!(id instanceof Long) && !isNumeric(id)) throw fail('TypeMismatch', "BSON field 'getMore.getMore' is the wrong type, expected type 'long'");
  const collName = cmd.collection;
  if (typeof collName !== 'string') throw fail('TypeMismatch', "BSON field 'getMore.collection' is missing or not a string");
  const cursorId = id instanceof Long ? id : Long.fromNumber(numberValue(id));
  const ns = `${ctx.db}.${collName}`;
  const { batch, id: next } = ctx.engine.cursors.next(cursorId, ns, optionalCount(cmd, 'batchSize'));
  return { cursor: { nextBatch: batch, id: next, ns } };
}

async function killCursors(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  targetCollection(cmd);
  const ids = cmd.cursors;
  if (!Array.isArray(ids)) throw fail('TypeMismatch', "BSON field 'killCursors.cursors' is missing or not an array");
  return ctx.engine.cursors.kill(ids.map((v) => (v instanceof Long ? v : Long.fromNumber(numberValue(v)))));
}

async function count(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const collName = targetCollection(cmd);
  rejectCollation(cmd.collation);
  checkHint(ctx, collName, cmd.hint);
  const limit = optionalNumber(cmd, 'limit');
  const coll = ctx.engine.collection(ctx.db, collName);
  const query = optionalDoc(cmd, 'query') ?? {};
  const skip = optionalCount(cmd, 'skip');
  // A negative limit counts like its absolute value, as MongoDB does.
  const most = limit ? Math.abs(limit) : Infinity;
  // Without a filter (estimatedDocumentCount), the collection's size: no document is read.
  if (Object.keys(query).length === 0) return { n: Math.min(Math.max((coll?.docs.size ?? 0) - (skip ?? 0), 0), most) };
  let n = 0;
  for (const _ of readDocs(coll, { filter: query, skip, limit: limit ? most : undefined })) n += 1;
  return { n };
}

async function distinct(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const collName = targetCollection(cmd);
  const key = cmd.key;
  if (typeof key !== 'string') throw fail('TypeMismatch', "BSON field 'distinct.key' is missing or is not a string");
  if (key.length === 0) throw fail('BadValue', 'FieldPath cannot be constructed with empty string');
  rejectCollation(cmd.collation);
  const coll = ctx.engine.collection(ctx.db, collName);
  const values: unknown[] = [];
  for (const { doc } of readDocs(coll, { filter: optionalDoc(cmd, 'query') ?? {} })) {
    for (const v of getPathValues(doc, key)) {
      // Arrays are flattened one level: distinct reports their elements.
      for (const x of Array.isArray(v) ? v : [v]) {
        if (x !== undefined) values.push(x);
      }
    }
  }
  values.sort(compareValues);
  const unique = values.filter((v, i) => i === 0 || compareValues(values[i - 1], v) !== 0);
  return { values: unique };
}

registerCommands({ find, getMore, killCursors, count, distinct });
