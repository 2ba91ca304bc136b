/**
 * Long writes share the engine with reads: a bulkWrite or an insert of many documents
 * applies them in slices and the reads sent meanwhile (on other connections) are answered
 * in between, seeing the operations applied so far. Writes sent meanwhile wait for its
 * last operation, so their order, in memory and in the journal, is the order they ran in.
 */
import { MongoServerError, type AnyClientBulkWriteModel, type Collection, type Document } from 'mongodb';
import { startTestEngine, type TestEngine } from '../helpers/engine';

let t: TestEngine;
let name: string;

beforeEach(async () => {
  t = await startTestEngine();
  name = `c${Math.random().toString(36).slice(2)}`;
  await t.db.collection(name).createIndex({ k: 1 }, { unique: true });
});
afterEach(async () => {
  await t.destroy();
});

const DOCS = 20_000;
const doc = (k: number | string) => ({ k, pad: 'x'.repeat(200) });

/** Counts the collection (a read) until a count lies strictly between 0 and `total`, while `write` is still running; that count. */
async function countWhileWriting(coll: Collection, total: number, write: Promise<unknown>): Promise<number> {
  let done = false;
  void write.finally(() => (done = true)).catch(() => undefined);
  while (!done) {
    const n = await coll.estimatedDocumentCount();
    if (n > 0 && n < total) {
      expect(done).toBe(false);
      return n;
    }
  }
  throw new Error('the write finished before any read saw part of it');
}

describe('reads between the slices of a long write', () => {
  it('answers reads during a long bulkWrite, each seeing the operations applied so far', async () => {
    const coll = t.db.collection(name);
    const writes: AnyClientBulkWriteModel<Document>[] = Array.from({ length: DOCS }, (_, i) => ({ namespace: `test.${name}`, name: 'insertOne', document: doc(i) }));
    const bulk = t.client.bulkWrite(writes);

    await countWhileWriting(coll, DOCS, bulk);

    expect((await bulk).insertedCount).toBe(DOCS);
    expect(await coll.estimatedDocumentCount()).toBe(DOCS);
  });

  it('answers reads during a long insert of many documents', async () => {
    const coll = t.db.collection(name);
    const insert = coll.insertMany(Array.from({ length: DOCS }, (_, i) => doc(i)));

    await countWhileWriting(coll, DOCS, insert);

    expect((await insert).insertedCount).toBe(DOCS);
  });
});

describe('writes during a long write', () => {
  it('waits for its last operation: the write sent meanwhile comes after it, in memory and after a restart', async () => {
    const coll = t.db.collection(name);
    const writes: AnyClientBulkWriteModel<Document>[] = Array.from({ length: DOCS }, (_, i) => ({ namespace: `test.${name}`, name: 'insertOne', document: doc(i) }));
    // The bulkWrite's last operation and the write sent while it runs want the same unique key.
    writes.push({ namespace: `test.${name}`, name: 'insertOne', document: { k: 'last', by: 'bulkWrite' } });
    const bulk = t.client.bulkWrite(writes);

    await countWhileWriting(coll, DOCS + 1, bulk);
    const meanwhile = coll.insertOne({ k: 'last', by: 'insertOne' });
    const update = coll.updateOne({ k: 0 }, { $set: { touched: true } });

    expect((await bulk).insertedCount).toBe(DOCS + 1);
    const refused = await meanwhile.then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(MongoServerError);
    expect((refused as MongoServerError).code).toBe(11000);
    expect((await update).modifiedCount).toBe(1);

    const expected = { last: { k: 'last', by: 'bulkWrite' }, first: { k: 0, pad: 'x'.repeat(200), touched: true }, count: DOCS + 1 };
    const state = async (c: Collection) => ({
      last: await c.findOne({ k: 'last' }, { projection: { _id: 0 } }),
      first: await c.findOne({ k: 0 }, { projection: { _id: 0 } }),
      count: await c.estimatedDocumentCount(),
    });
    expect(await state(coll)).toEqual(expected);

    // The journal holds the changes in the order they were made: replaying it gives the same.
    await t.stop();
    t = await startTestEngine(t.dbPath);
    expect(await state(t.db.collection(name))).toEqual(expected);
  });
});
