/**
 * Writes across collections in one command (writeAcross), on the embedded engine: every
 * kind of write lands in its own collection, in order; where one fails, those before it
 * stand, none after it runs, and the caller learns which one and why.
 */
import mongoose from 'mongoose';
import { writeAcross, type ClientWrite } from '../../server/db';
import { useTestDatabase } from '../helpers/database';

useTestDatabase();

const db = () => mongoose.connection.db!;
const ns = (collection: string) => `${db().databaseName}.${collection}`;

it('applies inserts, updates, upserts, replacements and deletes across two collections, in order', async () => {
  await db().collection('cw_left').insertMany([
    { key: 'a', n: 1, kind: 'x' },
    { key: 'b', n: 2, kind: 'x' },
    { key: 'c', n: 3, kind: 'y' },
  ]);
  const inserted: Record<string, unknown> = { tag: 'new', n: 0 };
  const writes: ClientWrite[] = [
    { namespace: ns('cw_right'), name: 'insertOne', document: inserted },
    { namespace: ns('cw_left'), name: 'updateOne', filter: { key: 'a' }, update: { $inc: { n: 10 } } },
    { namespace: ns('cw_left'), name: 'updateMany', filter: { kind: 'x' }, update: { $set: { seen: true } } },
    { namespace: ns('cw_right'), name: 'updateOne', filter: { tag: 'upserted' }, update: { $inc: { n: 5 } }, upsert: true },
    { namespace: ns('cw_left'), name: 'replaceOne', filter: { key: 'c' }, replacement: { key: 'c', n: 30, kind: 'z' } },
    { namespace: ns('cw_left'), name: 'deleteOne', filter: { key: 'b' } },
    { namespace: ns('cw_right'), name: 'deleteMany', filter: { tag: 'none' } },
    // Runs after the insert of the same document: order is kept.
    { namespace: ns('cw_right'), name: 'updateOne', filter: { tag: 'new' }, update: { $set: { n: 7 } } },
  ];

  expect(await writeAcross(writes)).toBeNull();

  // The insert got an _id, as the driver gives one, and the stored document has it.
  expect(inserted._id).toBeInstanceOf(mongoose.mongo.ObjectId);
  expect(await db().collection('cw_left').find({}, { projection: { _id: 0 } }).sort({ key: 1 }).toArray()).toEqual([
    { key: 'a', n: 11, kind: 'x', seen: true },
    { key: 'c', n: 30, kind: 'z' },
  ]);
  const right = await db().collection('cw_right').find({}, { projection: { _id: 0 } }).sort({ tag: 1 }).toArray();
  expect(right).toEqual([
    { tag: 'new', n: 7 },
    { tag: 'upserted', n: 5 },
  ]);
  expect(await db().collection('cw_right').countDocuments({ _id: inserted._id as mongoose.mongo.ObjectId })).toBe(1);
});

it('stops at the first failed write: the ones before it stand, the ones after it do not run', async () => {
  await db().collection('cw_unique').createIndex({ key: 1 }, { unique: true });
  await db().collection('cw_unique').insertOne({ key: 'taken' });
  const writes: ClientWrite[] = [
    { namespace: ns('cw_other'), name: 'insertOne', document: { step: 1 } },
    { namespace: ns('cw_unique'), name: 'insertOne', document: { key: 'free' } },
    { namespace: ns('cw_unique'), name: 'insertOne', document: { key: 'taken' } },
    { namespace: ns('cw_other'), name: 'insertOne', document: { step: 4 } },
  ];

  const stopped = await writeAcross(writes);

  expect(stopped?.at).toBe(2);
  expect(stopped?.error).toBeInstanceOf(mongoose.mongo.MongoServerError);
  expect(stopped?.error.code).toBe(11000);
  expect(stopped?.error.message).toMatch(/duplicate key/);
  expect(await db().collection('cw_other').find({}, { projection: { _id: 0 } }).toArray()).toEqual([{ step: 1 }]);
  expect(await db().collection('cw_unique').countDocuments({ key: 'free' })).toBe(1);
});

it('throws an error of the command as a whole, and writes nothing for an empty list', async () => {
  expect(await writeAcross([])).toBeNull();
  const unknownDatabase: ClientWrite = { namespace: 'no-dot-here', name: 'insertOne', document: { x: 1 } };
  await expect(writeAcross([unknownDatabase])).rejects.toBeInstanceOf(mongoose.mongo.MongoServerError);
});
