/**
 * Finding the documents of a bulkWrite's inserts in its message: each insert's document
 * bytes exactly as serialised, nothing for other operations, whatever BSON types come
 * before or around them (every type's length is skipped correctly).
 */
import { BSON, Binary, BSONRegExp, BSONSymbol, Code, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import { insertDocumentOf, insertDocumentsInBody } from '../../server/db/embedded/wire/insert-documents';

const everything = {
  double: new Double(1.5),
  string: 'Abbeville — été',
  doc: { a: [1, { b: 2 }] },
  binary: new Binary(Buffer.from([1, 2, 3]), 0),
  undefinedValue: undefined,
  oid: new ObjectId(),
  bool: true,
  date: new Date('2026-11-30T10:00:00Z'),
  nul: null,
  regex: new BSONRegExp('^a.b', 'im'),
  code: new Code('return 1'),
  symbol: new BSONSymbol('sym'),
  codeWithScope: new Code('return x', { x: 1 }),
  int: new Int32(7),
  ts: new Timestamp({ t: 1, i: 2 }),
  long: Long.fromNumber(9),
  decimal: Decimal128.fromString('1.10'),
  min: new MinKey(),
  max: new MaxKey(),
};
const serialize = (doc: object) => Buffer.from(BSON.serialize(doc, { ignoreUndefined: false }));

describe('the documents of a bulkWrite’s inserts', () => {
  const inserted = [{ _id: new ObjectId(), ...everything }, { _id: 2, answers: { info: 'no' } }];
  const ops = [
    { insert: 0, document: inserted[0] },
    { update: 0, filter: { _id: 1 }, updateMods: { $set: everything }, upsert: true },
    { delete: 1, filter: { document: 1 }, multi: false },
    { update: 1, document: { looks: 'like an insert' }, filter: {}, updateMods: {} },
    { insert: 1, document: inserted[1] },
  ];

  it('finds them among the operations of the body, after fields of every type', () => {
    const body = serialize({ bulkWrite: 1, before: everything, ops, nsInfo: [{ ns: 'a.b' }, { ns: 'a.c' }], after: everything });
    const found = insertDocumentsInBody(body, 0);
    expect(found.map((b) => b && Buffer.from(b))).toEqual([serialize(inserted[0]!), undefined, undefined, undefined, serialize(inserted[1]!)]);
  });

  it('finds it in an operation sent in a document sequence, at its offset', () => {
    const op = serialize(ops[4]!);
    const frame = Buffer.concat([Buffer.from([9, 9, 9]), op, Buffer.from([7])]);
    expect(insertDocumentOf(frame, 3)).toEqual(serialize(inserted[1]!));
    expect(insertDocumentOf(serialize(ops[3]!), 0)).toBeUndefined();
  });

  it('skips a DBPointer before the document (a type drivers no longer write)', () => {
    const document = serialize(inserted[1]!);
    const int32 = (n: number) => Buffer.from(new Int32Array([n]).buffer);
    const elements = Buffer.concat([
      Buffer.from('\x10insert\x00', 'latin1'), int32(0),
      Buffer.from('\x0cp\x00', 'latin1'), int32(5), Buffer.from('db.c\x00', 'latin1'), Buffer.alloc(12, 1),
      Buffer.from('\x03document\x00', 'latin1'), document,
    ]);
    const op = Buffer.concat([int32(4 + elements.length + 1), elements, Buffer.from([0])]);
    expect(insertDocumentOf(op, 0)).toEqual(document);
  });
});
