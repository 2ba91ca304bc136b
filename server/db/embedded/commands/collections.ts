/**
 * Catalog commands: create, drop, listCollections, renameCollection, collStats,
 * dbStats, listDatabases and dropDatabase.
 */
import { Long, UUID } from 'bson';
import { fail, unsupported } from '../errors';
import { splitNs } from '../engine/engine';
import { ID_INDEX_SPEC, type Collection } from '../engine/collection';
import { compileFilter } from '../query/match';
import type { Doc } from '../query/values';
import { optionalBool, optionalCount, optionalDoc, rejectCollation, targetCollection } from './args';
import { registerCommands, type CommandContext } from './registry';

/** Options MongoDB accepts on create that change behaviour the engine does not have. */
const UNSUPPORTED_CREATE_OPTIONS: Record<string, string> = {
  capped: 'capped collections',
  timeseries: 'time-series collections',
  viewOn: 'views',
  clusteredIndex: 'clustered collections',
  validator: 'schema validation (validator)',
  changeStreamPreAndPostImages: 'change streams',
  encryptedFields: 'queryable encryption',
};

/** Stable per-collection UUIDs for listCollections, kept for the life of the process. */
const uuids = new WeakMap<Collection, UUID>();
function uuidOf(coll: Collection): UUID {
  let id = uuids.get(coll);
  if (!id) uuids.set(coll, (id = new UUID()));
  return id;
}

async function create(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = targetCollection(cmd);
  for (const [option, feature] of Object.entries(UNSUPPORTED_CREATE_OPTIONS)) {
    if (cmd[option] !== undefined && cmd[option] !== false) throw unsupported(feature);
  }
  rejectCollation(cmd.collation);
  const options: Doc = {};
  for (const key of ['validationLevel', 'validationAction', 'storageEngine', 'indexOptionDefaults', 'comment']) {
    if (cmd[key] !== undefined) options[key] = cmd[key];
  }
  await ctx.engine.commit([ctx.engine.createCollection(ctx.db, name, options)]);
  return {};
}

async function drop(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = targetCollection(cmd);
  const coll = ctx.engine.collection(ctx.db, name);
  if (!coll) throw fail('NamespaceNotFound', 'ns not found');
  const nIndexesWas = coll.indexes.size + 1;
  const op = ctx.engine.dropCollection(ctx.db, name);
  await ctx.engine.commit(op ? [op] : []);
  return { nIndexesWas, ns: coll.ns };
}

function collectionInfo(coll: Collection, nameOnly: boolean): Doc {
  if (nameOnly) return { name: coll.name, type: 'collection' };
  return {
    name: coll.name,
    type: 'collection',
    options: coll.options,
    info: { readOnly: false, uuid: uuidOf(coll) },
    idIndex: ID_INDEX_SPEC,
  };
}

async function listCollections(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const filter = optionalDoc(cmd, 'filter') ?? {};
  const nameOnly = optionalBool(cmd, 'nameOnly') ?? false;
  const matcher = compileFilter(filter);
  const infos = ctx.engine
    .collectionsOf(ctx.db)
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((c) => collectionInfo(c, false))
    .filter((info) => matcher.test(info))
    .map((info) => (nameOnly ? { name: info.name, type: info.type } : info));
  const ns = `${ctx.db}.$cmd.listCollections`;
  const batchSize = optionalCount(optionalDoc(cmd, 'cursor') ?? {}, 'batchSize');
  const { batch, id } = ctx.engine.cursors.open(ns, infos[Symbol.iterator](), batchSize);
  return { cursor: { id, ns, firstBatch: batch } };
}

async function renameCollection(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  if (ctx.db !== 'admin') throw fail('Unauthorized', 'renameCollection may only be run against the admin database.');
  const from = cmd.renameCollection;
  const to = cmd.to;
  if (typeof from !== 'string' || typeof to !== 'string') throw fail('TypeMismatch', "'renameCollection' and 'to' must be strings");
  splitNs(from);
  splitNs(to);
  if (from === to) throw fail('IllegalOperation', "Can't rename a collection to itself");
  const ops = ctx.engine.renameCollection(from, to, optionalBool(cmd, 'dropTarget') ?? false);
  await ctx.engine.commit(ops);
  return {};
}

function scaleOf(cmd: Doc): number {
  const scale = optionalCount(cmd, 'scale') ?? 1;
  if (scale < 1) throw fail('BadValue', 'scale has to be >= 1');
  return scale;
}

async function collStats(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = targetCollection(cmd);
  const coll = ctx.engine.collection(ctx.db, name);
  if (!coll) throw fail('NamespaceNotFound', `Collection [${ctx.db}.${name}] not found.`);
  const scale = scaleOf(cmd);
  const size = coll.dataSize();
  const count = coll.docs.size;
  const indexSizes: Doc = { _id_: 0 };
  for (const name of coll.indexes.keys()) indexSizes[name] = 0;
  return {
    ns: coll.ns, size: Math.floor(size / scale), count, avgObjSize: count ? Math.floor(size / count) : 0,
    storageSize: Math.floor(size / scale), nindexes: coll.indexes.size + 1, totalIndexSize: 0, indexSizes,
    capped: false, scaleFactor: scale,
  };
}

async function dbStats(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const scale = scaleOf(cmd);
  const colls = ctx.engine.collectionsOf(ctx.db);
  const objects = colls.reduce((n, c) => n + c.docs.size, 0);
  const dataSize = colls.reduce((n, c) => n + c.dataSize(), 0);
  return {
    db: ctx.db, collections: colls.length, views: 0, objects,
    avgObjSize: objects ? dataSize / objects : 0, dataSize: dataSize / scale, storageSize: dataSize / scale,
    indexes: colls.reduce((n, c) => n + c.indexes.size + 1, 0), indexSize: 0, totalSize: dataSize / scale,
    scaleFactor: scale, fsUsedSize: 0, fsTotalSize: 0,
  };
}

async function listDatabases(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const nameOnly = optionalBool(cmd, 'nameOnly') ?? false;
  const matcher = compileFilter(optionalDoc(cmd, 'filter') ?? {});
  const databases = ctx.engine
    .databases()
    .map((name) => {
      const sizeOnDisk = ctx.engine.collectionsOf(name).reduce((n, c) => n + c.dataSize(), 0);
      return { name, sizeOnDisk: Long.fromNumber(sizeOnDisk), empty: sizeOnDisk === 0 };
    })
    .filter((d) => matcher.test(d))
    .map((d) => (nameOnly ? { name: d.name } : d));
  if (nameOnly) return { databases };
  const totalSize = databases.reduce((n, d) => n + Number((d as { sizeOnDisk: Long }).sizeOnDisk), 0);
  return { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1024 / 1024) };
}

async function dropDatabase(_cmd: Doc, ctx: CommandContext): Promise<Doc> {
  await ctx.engine.commit(ctx.engine.dropDatabase(ctx.db));
  return {};
}

async function collMod(cmd: Doc, ctx: CommandContext): Promise<Doc> {
  const name = targetCollection(cmd);
  const coll = ctx.engine.collection(ctx.db, name);
  if (!coll) throw fail('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  for (const key of Object.keys(cmd).slice(1)) {
    if (key.startsWith('$') || ['lsid', 'writeConcern', 'comment'].includes(key)) continue;
    if (key === 'validationLevel' || key === 'validationAction') continue;
    throw unsupported(`collMod option '${key}'`);
  }
  return {};
}

registerCommands({ create, drop, listCollections, renameCollection, collStats, dbStats, listDatabases, dropDatabase, collMod });
