/**
 * Writes to several collections in one command: MongoDB 8's bulkWrite (the embedded engine
 * has it too), for hot paths where each extra round trip costs both processes more than
 * the writes in it. Older servers lack the command; callers then write collection by
 * collection (writeEach), as they would without it.
 */
import mongoose, { mongo } from 'mongoose';

/** One write of a cross-collection command, its collection named by namespace ("db.collection"). */
export type ClientWrite = mongo.AnyClientBulkWriteModel<mongo.Document>;

/** MongoDB 8.0's wire version: the first with the bulkWrite command. */
const BULK_WRITE_WIRE_VERSION = 25;

const support = new WeakMap<object, Promise<boolean>>();
let forced: boolean | null = null;
/** Each client's admin database, made once: client.db() copies every client option (26 µs a call, measured alone). */
const adminDbs = new WeakMap<mongo.MongoClient, mongo.Db>();

function adminDb(): mongo.Db {
  const client = mongoose.connection.getClient();
  let db = adminDbs.get(client);
  if (!db) adminDbs.set(client, (db = client.db('admin')));
  return db;
}

/** A model's namespace, for ClientWrite models. */
export function namespaceOf(model: { db: { name: string }; collection: { collectionName: string } }): string {
  return `${model.db.name}.${model.collection.collectionName}`;
}

/** Whether the connected server takes writes across collections in one command (asked once per client). */
export async function canWriteAcross(): Promise<boolean> {
  if (forced !== null) return forced;
  const client = mongoose.connection.getClient();
  let known = support.get(client);
  if (!known) {
    known = mongoose.connection
      .db!.admin()
      .command({ hello: 1 })
      .then((hello) => Number(hello.maxWireVersion) >= BULK_WRITE_WIRE_VERSION);
    // A failed probe is asked again next time rather than remembered.
    known.catch(() => support.delete(client));
    support.set(client, known);
  }
  return known;
}

/** Overrides what the server offers (tests of the other way): `false` writes collection by collection, `null` asks the server again. */
export function forceWriteAcross(value: boolean | null): void {
  forced = value;
}

/** Where an ordered cross-collection command stopped: the writes before `at` are applied, those after it did not run. */
export interface StoppedAt {
  at: number;
  /** The failed write's error (code 11000: a unique index refused it). */
  error: mongo.MongoServerError;
}

/**
 * The writes in order, in one command; null when all applied, or where the first one
 * failed. An error of the command as a whole is thrown. Sent as the bulkWrite command
 * itself rather than through MongoClient.bulkWrite, whose cursor of results costs the
 * process about a twentieth of a survey answer's CPU: with errors only and in order, the
 * reply holds at most the one error. The driver retries a MongoClient.bulkWrite across a
 * failover and not a command: the writes of that instant fail as any request then, and
 * their callers' retries are answered. Meant for groups of a few thousand writes at most:
 * the command is one document (16 MB).
 */
export async function writeAcross(writes: ClientWrite[]): Promise<StoppedAt | null> {
  if (writes.length === 0) return null;
  const namespaces = new Map<string, number>();
  const indexOf = (namespace: string): number => {
    let index = namespaces.get(namespace);
    if (index === undefined) namespaces.set(namespace, (index = namespaces.size));
    return index;
  };
  const ops = writes.map((write) => commandOp(write, indexOf(write.namespace)));
  const nsInfo = [...namespaces.keys()].map((ns) => ({ ns }));
  const reply = await adminDb().command({ bulkWrite: 1, ops, nsInfo, ordered: true, errorsOnly: true });
  if (reply.writeConcernError) throw new mongo.MongoServerError(reply.writeConcernError as mongo.ErrorDescription);
  const failed = (reply.cursor as { firstBatch?: { idx: number; code: number; errmsg: string }[] } | undefined)?.firstBatch?.[0];
  return failed ? { at: failed.idx, error: writeError(failed.code, failed.errmsg) } : null;
}

/** A model as an operation of the bulkWrite command (an insert without `_id` gets one, as the driver gives it). */
function commandOp(write: ClientWrite, ns: number): mongo.Document {
  switch (write.name) {
    case 'insertOne':
      write.document._id ??= new mongo.ObjectId();
      return { insert: ns, document: write.document };
    case 'updateOne':
    case 'updateMany':
      return defined({ update: ns, filter: write.filter, updateMods: write.update, multi: write.name === 'updateMany', upsert: write.upsert, arrayFilters: write.arrayFilters, hint: write.hint, collation: write.collation });
    case 'replaceOne':
      return defined({ update: ns, filter: write.filter, updateMods: write.replacement, multi: false, upsert: write.upsert, hint: write.hint, collation: write.collation });
    case 'deleteOne':
    case 'deleteMany':
      return defined({ delete: ns, filter: write.filter, multi: write.name === 'deleteMany', hint: write.hint, collation: write.collation });
  }
}

/** The fields that have a value: an option left out is not sent as null. */
function defined(op: mongo.Document): mongo.Document {
  const out: mongo.Document = {};
  for (const key in op) if (op[key] !== undefined) out[key] = op[key];
  return out;
}

/** A failed write as the error its caller throws: a server error with the write's code and message. */
function writeError(code: number, message: string): mongo.MongoServerError {
  return new mongo.MongoServerError({ message, errmsg: message, code });
}

/**
 * The same writes without the cross-collection command: one unordered bulkWrite per
 * collection, in parallel. Per write: null, or the error that stopped it (the
 * collection's whole bulkWrite's, when it failed as a whole).
 */
export async function writeEach(writes: ClientWrite[]): Promise<(unknown | null)[]> {
  const outcomes: (unknown | null)[] = writes.map(() => null);
  const byNamespace = new Map<string, number[]>();
  writes.forEach((w, i) => {
    const list = byNamespace.get(w.namespace);
    if (list) list.push(i);
    else byNamespace.set(w.namespace, [i]);
  });
  await Promise.all(
    [...byNamespace].map(async ([namespace, indexes]) => {
      const dot = namespace.indexOf('.');
      const collection = mongoose.connection.getClient().db(namespace.slice(0, dot)).collection(namespace.slice(dot + 1));
      try {
        await collection.bulkWrite(indexes.map((i) => asCollectionWrite(writes[i] as ClientWrite)), { ordered: false });
      } catch (err) {
        const failed = err instanceof mongo.MongoBulkWriteError ? [err.writeErrors].flat() : [];
        if (failed.length > 0) {
          for (const e of failed) outcomes[indexes[e.index] as number] = writeError(e.code, e.errmsg ?? String(e.code));
        } else {
          for (const i of indexes) outcomes[i] = err;
        }
      }
    }),
  );
  return outcomes;
}

/** A cross-collection model as a collection's bulkWrite spells it. */
export function asCollectionWrite<T extends mongo.Document = mongo.Document>(write: ClientWrite): mongo.AnyBulkWriteOperation<T> {
  // The models carry documents of any collection; the caller names the collection's type.
  return collectionWrite(write) as mongo.AnyBulkWriteOperation<T>;
}

function collectionWrite(write: ClientWrite): mongo.AnyBulkWriteOperation {
  switch (write.name) {
    case 'insertOne':
      return { insertOne: { document: write.document } };
    case 'updateOne':
      return { updateOne: { filter: write.filter, update: write.update, upsert: write.upsert, arrayFilters: write.arrayFilters, hint: write.hint } };
    case 'updateMany':
      return { updateMany: { filter: write.filter, update: write.update, upsert: write.upsert, arrayFilters: write.arrayFilters, hint: write.hint } };
    case 'replaceOne':
      return { replaceOne: { filter: write.filter, replacement: write.replacement, upsert: write.upsert, hint: write.hint } };
    case 'deleteOne':
      return { deleteOne: { filter: write.filter, hint: write.hint } };
    case 'deleteMany':
      return { deleteMany: { filter: write.filter, hint: write.hint } };
  }
}
