/**
 * Index commands: createIndexes, listIndexes and dropIndexes.
 */
import { fail } from '../errors';
import { ID_INDEX_SPEC } from '../engine/collection';
import type { IndexSpec } from '../indexes/index';
import { validateIndexSpec } from '../indexes/spec';
import { isPlainObject, valuesEqual, type Doc } from '../query/values';
import type { JournalOp } from '../storage/types';
import { optionalArray, optionalCount, optionalDoc, targetCollection } from './args';
import { registerCommands, type CommandContext } from './registry';

async function createIndexes(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = targetCollection(cmd);
  const specs = optionalArray(cmd, 'indexes');
  if (!specs) throw fail('FailedToParse', "BSON field 'createIndexes.indexes' is missing but a required field");
  if (specs.length === 0) throw fail('BadValue', 'Must specify at least one index to create');
  const ops: JournalOp[] = [];
  const createdCollectionAutomatically = !ctx.engine.collection(ctx.db, name);
  const coll = ctx.engine.ensureCollection(ctx.db, name, ops);
  const numIndexesBefore = coll.indexes.size + 1;
  // Validate every spec before building any, so a bad one leaves the collection untouched.
  const toBuild: IndexSpec[] = [];
  for (const raw of specs) {
    if (!isPlainObject(raw)) throw fail('TypeMismatch', "Each element of the 'indexes' array must be an object");
    const existing = [ID_INDEX_SPEC, ...coll.indexSpecs(), ...toBuild];
    const { spec, exists } = validateIndexSpec(raw, existing);
    if (!exists) toBuild.push(spec);
  }
  try {
    // In one pass over the documents, as MongoDB builds the indexes of one command.
    coll.buildIndexes(toBuild);
  } catch (err) {
    await ctx.engine.commit(ops);
    throw err;
  }
  for (const spec of toBuild) ops.push({ op: 'createIndex', ns: coll.ns, spec: spec as Doc });
  await ctx.engine.commit(ops);
  const reply: Doc = { numIndexesBefore, numIndexesAfter: coll.indexes.size + 1, createdCollectionAutomatically };
  if (toBuild.length === 0) reply.note = 'all indexes already exist';
  return reply;
}

async function listIndexes(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = targetCollection(cmd);
  const coll = ctx.engine.collection(ctx.db, name);
  if (!coll) throw fail('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  const specs = [ID_INDEX_SPEC, ...coll.indexSpecs()] as Doc[];
  const ns = `${ctx.db}.${name}`;
  const batchSize = optionalCount(optionalDoc(cmd, 'cursor') ?? {}, 'batchSize');
  const { batch, id } = ctx.engine.cursors.open(ns, specs[Symbol.iterator](), batchSize);
  return { cursor: { id, ns, firstBatch: batch } };
}

async function dropIndexes(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = targetCollection(cmd);
  const coll = ctx.engine.collection(ctx.db, name);
  if (!coll) throw fail('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = coll.indexes.size + 1;
  const which = cmd.index;
  let names: string[];
  if (which === '*') {
    names = [...coll.indexes.keys()];
  } else if (typeof which === 'string') {
    names = [which];
  } else if (Array.isArray(which)) {
    names = which.map(String);
  } else if (isPlainObject(which)) {
    if (valuesEqual(which, ID_INDEX_SPEC.key)) throw fail('InvalidOptions', 'cannot drop _id index');
    const found = coll.indexSpecs().find((s) => valuesEqual(s.key, which));
    if (!found) throw fail('IndexNotFound', `can't find index with key: ${JSON.stringify(which)}`);
    names = [found.name];
  } else {
    throw fail('TypeMismatch', "BSON field 'dropIndexes.index' is the wrong type");
  }
  for (const indexName of names) {
    if (indexName === '_id_') throw fail('InvalidOptions', 'cannot drop _id index');
    if (!coll.indexes.has(indexName)) throw fail('IndexNotFound', `index not found with name [${indexName}]`);
  }
  const ops: JournalOp[] = names.map((indexName) => {
    const index = coll.indexes.get(indexName)!;
    coll.dropIndex(indexName);
    return { op: 'dropIndex', ns: coll.ns, name: indexName, undo: () => coll.indexes.set(indexName, index) };
  });
  await ctx.engine.commit(ops);
  return { nIndexesWas };
}

registerCommands({ createIndexes, listIndexes, dropIndexes });
