/**
 * BSON fidelity through the wire: every type comes back as it was stored, numbers
 * compare by value across types, and sorts follow MongoDB's cross-type order.
 */
import {
  Binary, BSONRegExp, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, UUID,
  type Collection, type Document,
} from 'mongodb';
import { startTestEngine, type TestEngine } from '../helpers/engine';

let t: TestEngine;
let coll: Collection<Document>;

beforeAll(async () => {
  t = await startTestEngine();
  coll = t.db.collection('bson');
});
afterAll(async () => {
  await t.destroy();
});

const raw = { promoteValues: false, promoteLongs: false, promoteBuffers: false, bsonRegExp: true } as const;

/** A document holding one value of each BSON type the engine keeps. */
function everyType(oid: ObjectId) {
  return {
    _id: oid,
    int: new Int32(42),
    long: Long.fromString('9007199254740993'),
    double: new Double(1),
    decimal: Decimal128.fromString('1234.5600'),
    date: new Date('2026-11-20T14:03:00.123Z'),
    binary: new Binary(Buffer.from([1, 2, 3]), 0),
    uuid: new UUID('0f8fad5b-d9cb-469f-a165-70867728950e'),
    ts: new Timestamp({ t: 1700000000, i: 7 }),
    regex: new BSONRegExp('^abv', 'i'),
    nul: null,
    min: new MinKey(),
    max: new MaxKey(),
    nested: { arr: [new Int32(1), 'two', { three: new Double(3.5) }] },
    bool: false,
    str: 'Abbeville — été',
  };
}

describe('BSON round trips', () => {
  it('returns every stored type unchanged', async () => {
    const oid = new ObjectId();
    const doc = everyType(oid);
    await coll.insertOne(doc);
    const back = await coll.findOne({ _id: oid }, raw);
    expect(back).toEqual(doc);
    expect(back!.double).toBeInstanceOf(Double);
    expect(back!.int).toBeInstanceOf(Int32);
    expect(back!.long).toBeInstanceOf(Long);
    expect((back!.decimal as Decimal128).toString()).toBe('1234.5600');
    expect(back!.uuid.sub_type).toBe(4);
    expect('missing' in back!).toBe(false);
  });

  it('returns every type unchanged when the document came in a cross-collection bulkWrite (operations in a sequence or in the body)', async () => {
    const namespace = `${t.db.databaseName}.bson`;
    const [inSequence, inBody] = [new ObjectId(), new ObjectId()];
    await t.client.bulkWrite([{ namespace, name: 'insertOne', document: everyType(inSequence) }, { namespace, name: 'updateOne', filter: { _id: inSequence }, update: { $set: { seen: 1 } } }]);
    await t.client.db('admin').command({ bulkWrite: 1, ops: [{ update: 0, filter: { _id: inBody }, updateMods: { $set: { x: 1 } } }, { insert: 0, document: everyType(inBody) }], nsInfo: [{ ns: namespace }] });
    expect(await coll.findOne({ _id: inSequence }, raw)).toEqual({ ...everyType(inSequence), seen: new Int32(1) });
    expect(await coll.findOne({ _id: inBody }, raw)).toEqual(everyType(inBody));
  });

  it('keeps null distinct from a missing field', async () => {
    await coll.insertMany([{ k: 'nulls', v: null }, { k: 'nulls' }]);
    expect(await coll.countDocuments({ k: 'nulls', v: null })).toBe(2);
    expect(await coll.countDocuments({ k: 'nulls', v: { $exists: true } })).toBe(1);
    expect(await coll.countDocuments({ k: 'nulls', v: { $type: 'null' } })).toBe(1);
  });

  it('keeps an untouched Double a Double after an update of another field', async () => {
    const { insertedId } = await coll.insertOne({ d: new Double(2), n: 1 });
    await coll.updateOne({ _id: insertedId }, { $inc: { n: 1 } });
    const back = await coll.findOne({ _id: insertedId }, raw);
    expect(back!.d).toBeInstanceOf(Double);
  });
});

describe('numbers compare by value across types', () => {
  beforeAll(async () => {
    await coll.insertMany([
      { k: 'num', v: new Int32(5) },
      { k: 'num', v: Long.fromNumber(5) },
      { k: 'num', v: new Double(5) },
      { k: 'num', v: Decimal128.fromString('5.0') },
      { k: 'num', v: new Double(5.5) },
    ]);
  });

  it('matches all four types of five by equality', async () => {
    expect(await coll.countDocuments({ k: 'num', v: 5 })).toBe(4);
    expect(await coll.countDocuments({ k: 'num', v: Long.fromNumber(5) })).toBe(4);
  });

  it('compares ranges across types', async () => {
    expect(await coll.countDocuments({ k: 'num', v: { $gt: Decimal128.fromString('5.25') } })).toBe(1);
    expect(await coll.countDocuments({ k: 'num', v: { $in: [new Double(5.5), 99] } })).toBe(1);
  });
});

describe('sort order across mixed types', () => {
  it('sorts MinKey, null, numbers, strings, objects, arrays, binary, ObjectId, booleans, dates, timestamps, regexes, MaxKey', async () => {
    const mixed = t.db.collection('mixed');
    const values = [
      new MaxKey(), new BSONRegExp('a', ''), new Timestamp({ t: 1, i: 1 }), new Date(0), true,
      new ObjectId('000000000000000000000001'), new Binary(Buffer.from([1])), [0], { a: 1 }, 'b', 3, null, new MinKey(),
    ];
    await mixed.insertMany(values.map((v, i) => ({ _id: i as never, v })));
    const ascending = await mixed.find({}).sort({ v: 1, _id: 1 }).toArray();
    // The array [0] sorts by its smallest element (0), among the numbers, before 3.
    expect(ascending.map((d) => d._id)).toEqual([12, 11, 7, 10, 9, 8, 6, 5, 4, 3, 2, 1, 0]);
  });
});
