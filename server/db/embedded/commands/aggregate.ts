/**
 * aggregate: runs a pipeline over a collection (a leading `$match` is served by the
 * collection's indexes), returns a cursor, and carries out a final `$out` or `$merge`
 * through the engine so their writes are journaled like any other.
 */
import { Long } from 'bson';
import { fail, unsupported } from '../errors';
import { Collection } from '../engine/collection';
import type { Engine } from '../engine/engine';
import { runPipeline, splitOutputStage } from '../query/aggregate';
import { compileFilter } from '../query/match';
import { isPlainObject, valuesEqual, type Doc } from '../query/values';
import { getPathValues } from '../query/paths';
import type { JournalOp } from '../storage/types';
import { optionalArray, optionalDoc, optionalCount, rejectCollation } from './args';
import { checkHint } from './find';
import { registerCommands, type CommandContext } from './registry';

function documentsOf(engine: Engine, db: string, name: string): Doc[] {
  const coll = engine.collection(db, name);
  if (!coll) return [];
  return [...coll.scan({})].map((h) => h.doc);
}

/** The documents of a scan, lazily: aggregation streams them instead of copying the collection. */
function* docsOf(hits: Iterable<{ doc: Doc }>): Generator<Doc> {
  for (const hit of hits) yield hit.doc;
}

async function aggregate(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const target = cmd.aggregate;
  const pipeline = optionalArray(cmd, 'pipeline');
  if (!pipeline) throw fail('FailedToParse', "BSON field 'aggregate.pipeline' is missing but a required field");
  if (!pipeline.every(isPlainObject)) throw fail('TypeMismatch', "Each element of the 'pipeline' array must be an object");
  if (cmd.explain) throw unsupported('explain');
  const cursorOpts = optionalDoc(cmd, 'cursor');
  if (!cursorOpts) throw fail('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  rejectCollation(cmd.collation);
  const { stages, output } = splitOutputStage(pipeline as Doc[]);

  let input: Iterable<Doc> = [];
  let rest = stages;
  let collName = '$cmd.aggregate';
  if (typeof target === 'string') {
    collName = target;
    checkHint(ctx, target, cmd.hint);
    const coll = ctx.engine.collection(ctx.db, target);
    const first = stages[0];
    if (coll && first && isPlainObject(first.$match)) {
      // The leading $match runs on typed documents through the indexes.
      const filter = first.$match as Doc;
      input = docsOf(coll.scan(filter, compileFilter(filter)));
      rest = stages.slice(1);
    } else if (coll) {
      input = docsOf(coll.scan({}));
    }
  } else if (!(typeof target === 'number' || (typeof target === 'object' && target !== null && 'value' in target))) {
    throw fail('TypeMismatch', "collection name has invalid type");
  }

  const results = runPipeline(input, rest, {
    resolveCollection: (name: string) => documentsOf(ctx.engine, ctx.db, name),
    variables: optionalDoc(cmd, 'let'),
    now: new Date(),
  });

  const ns = `${ctx.db}.${collName}`;
  if (output) {
    const ops: JournalOp[] = [];
    if (output.kind === 'out') writeOut(ctx, output.spec, results, ops);
    else writeMerge(ctx, output.spec, results, ops);
    await ctx.engine.commit(ops);
    return { cursor: { firstBatch: [], id: Long.ZERO, ns } };
  }
  const { batch, id } = ctx.engine.cursors.open(ns, results[Symbol.iterator](), optionalCount(cursorOpts, 'batchSize'));
  return { cursor: { firstBatch: batch, id, ns } };
}

function outTarget(ctx: CommandContext, spec: unknown): { db: string; coll: string } {
  if (typeof spec === 'string') return { db: ctx.db, coll: spec };
  if (isPlainObject(spec) && typeof spec.coll === 'string') {
    return { db: typeof spec.db === 'string' ? spec.db : ctx.db, coll: spec.coll };
  }
  if (isPlainObject(spec) && typeof spec.into === 'string') {
    return { db: ctx.db, coll: spec.into };
  }
  if (isPlainObject(spec) && isPlainObject(spec.into)) {
    const into = spec.into as Doc;
    return { db: typeof into.db === 'string' ? into.db : ctx.db, coll: String(into.coll) };
  }
  throw fail('FailedToParse', 'invalid $out/$merge target');
}

/** $out: replaces the target collection's documents (its indexes stay) with the results. */
function writeOut(ctx: CommandContext, spec: unknown, results: Doc[], ops: JournalOp[]): void {
  const { db, coll: name } = outTarget(ctx, spec);
  const coll = ctx.engine.ensureCollection(db, name, ops);
  // Stage the results under the target's indexes first: a duplicate key fails the
  // $out before the target changes, as in MongoDB.
  const staging = new Collection(db, name);
  staging.buildIndexes(coll.indexSpecs());
  for (const doc of results) staging.insert(doc);
  for (const { key, doc } of [...coll.scan({})]) ops.push(coll.remove(key, doc));
  for (const doc of results) ops.push(coll.insert(doc).op);
}

/** $merge: matches results to target documents on `on` fields and applies whenMatched / whenNotMatched. */
function writeMerge(ctx: CommandContext, spec: unknown, results: Doc[], ops: JournalOp[]): void {
  const { db, coll: name } = outTarget(ctx, spec);
  const opts = isPlainObject(spec) ? spec : {};
  const on = opts.on === undefined ? ['_id'] : Array.isArray(opts.on) ? (opts.on as string[]) : [String(opts.on)];
  const whenMatched = opts.whenMatched ?? 'merge';
  const whenNotMatched = opts.whenNotMatched ?? 'insert';
  if (Array.isArray(whenMatched)) throw unsupported('$merge with a whenMatched pipeline');
  const coll = ctx.engine.ensureCollection(db, name, ops);
  for (const doc of results) {
    const filter: Doc = {};
    for (const field of on) {
      const [value] = getPathValues(doc, field);
      if (value === undefined || Array.isArray(value)) {
        throw fail('Location51132', `$merge write error: 'on' field '${field}' cannot be missing, null, undefined or an array`);
      }
      filter[field] = value;
    }
    const [hit] = coll.scan(filter);
    if (hit) {
      if (whenMatched === 'fail') throw fail('DuplicateKey', `$merge found a matching document in ${db}.${name}`);
      if (whenMatched === 'keepExisting') continue;
      const next = whenMatched === 'replace' ? { ...doc, _id: hit.doc._id } : { ...hit.doc, ...doc, _id: hit.doc._id };
      if (!valuesEqual(next, hit.doc)) ops.push(coll.replace(hit.key, hit.doc, next));
    } else {
      if (whenNotMatched === 'discard') continue;
      if (whenNotMatched === 'fail') throw fail('MergeStageNoMatchingDocument', `$merge could not find a matching document in the target collection for at least one document in the source collection`);
      ops.push(coll.insert(doc).op);
    }
  }
}

registerCommands({ aggregate });
