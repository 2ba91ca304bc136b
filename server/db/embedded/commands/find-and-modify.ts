/**
 * findAndModify: update, replace, upsert or remove one document and return it (before
 * or after the change), with MongoDB's `lastErrorObject` reply.
 */
import { fail } from '../errors';
import { readDocs } from '../engine/read';
import { compileFilter } from '../query/match';
import { compileProjection } from '../query/projection';
import { isPlainObject, type Doc } from '../query/values';
import type { JournalOp } from '../storage/types';
import { optionalArray, optionalBool, optionalDoc, rejectCollation, targetCollection } from './args';
import { checkHint } from './find';
import { registerCommands, type CommandContext } from './registry';
import { runUpdate } from './write';

async function findAndModify(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = targetCollection(cmd);
  const query = optionalDoc(cmd, 'query') ?? {};
  const sort = optionalDoc(cmd, 'sort');
  const fields = optionalDoc(cmd, 'fields');
  const remove = optionalBool(cmd, 'remove') ?? false;
  const returnNew = optionalBool(cmd, 'new') ?? false;
  const upsert = optionalBool(cmd, 'upsert') ?? false;
  const update = cmd.update;
  rejectCollation(cmd.collation);
  checkHint(ctx, name, cmd.hint);
  if (remove && update !== undefined) throw fail('FailedToParse', 'Cannot specify both an update and remove=true');
  if (!remove && update === undefined) throw fail('FailedToParse', 'Either an update or remove=true must be specified');
  if (remove && upsert) throw fail('FailedToParse', 'Cannot specify both upsert=true and remove=true');
  if (remove && returnNew) throw fail('FailedToParse', 'Cannot specify both new=true and remove=true; \'remove\' always returns the deleted document');
  if (update !== undefined && !isPlainObject(update) && !Array.isArray(update)) {
    throw fail('FailedToParse', "BSON field 'findAndModify.update' is the wrong type, expected object or array");
  }
  const projection = fields && Object.keys(fields).length ? compileProjection(fields) : null;
  // A positional `.$` projection needs the array position the query matched.
  const matcher = projection && Object.keys(fields!).some((k) => k.endsWith('.$')) ? compileFilter(query) : null;
  const project = (d: Doc) => (projection ? projection(d, matcher?.matchPosition(d).position) : d);
  const ops: JournalOp[] = [];

  if (remove) {
    const coll = ctx.engine.collection(ctx.db, name);
    const [hit] = readDocs(coll, { filter: query, sort, limit: 1 });
    if (!hit || !coll) return { lastErrorObject: { n: 0 }, value: null };
    ops.push(coll.remove(hit.key, hit.doc));
    await ctx.engine.commit(ops);
    return { lastErrorObject: { n: 1 }, value: project(hit.doc) };
  }

  const result = runUpdate(ctx.engine, ctx.db, name, {
    filter: query,
    update: update as Doc | Doc[],
    upsert,
    multi: false,
    arrayFilters: optionalArray(cmd, 'arrayFilters') as Doc[] | undefined,
    sort,
    variables: optionalDoc(cmd, 'let'),
    returnsDocument: true,
  }, ops);
  await ctx.engine.commit(ops);
  const lastErrorObject: Doc = { n: result.matched + (result.upsertedId !== undefined ? 1 : 0), updatedExisting: result.matched > 0 };
  if (result.upsertedId !== undefined) lastErrorObject.upserted = result.upsertedId;
  const chosen = returnNew ? result.after : result.before;
  return { lastErrorObject, value: chosen ? project(chosen) : null };
}

registerCommands({ findAndModify });
