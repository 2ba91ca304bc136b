/**
 * The engine's BSON decoder against bson's own deserialize with the same options: the
 * same values, types and field order for every element type, and the same errors for
 * broken input; and its reading of chosen top-level fields (index builds).
 */
import { Binary, BSON, BSONRegExp, Code, DBRef, Decimal128, Double, EJSON, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, type Document } from 'bson';
import { decodeBson, decodeFields, ENGINE_BSON_OPTIONS } from '../../server/db/embedded/bson-decode';

/** A small seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const NAMES = ['_id', 'a', 'site', 'queue', 'invitationId', '$inc', '$set', '$db', '$id', '$ref', '0', '12', 'é', 'naïve-clé', 'x'.repeat(33), 'k.with.dots', ''];
const STRINGS = ['', 'a', 'ab', 'abc', 'Merci, appel 12.', 'Les horaires d’ouverture', '😀 emoji', 'x'.repeat(25), 'a real \uFFFD replacement', 'ünïcödé'];

/** `rare`: also the types the decoder leaves to bson (without them, a document is decoded by the engine's own path alone). */
function value(next: () => number, depth: number, rare: boolean): unknown {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  let kind = Math.floor(next() * (depth > 3 ? 14 : 16));
  if (!rare && kind >= 8 && kind <= 12) kind -= 8;
  switch (kind) {
    case 0: return new Double(pick([0, -0, 1.5, -2.25, NaN, Infinity, -Infinity, 1e308, 5e-324, 42]));
    case 1: return pick(STRINGS);
    case 2: return new ObjectId();
    case 3: return next() < 0.5;
    case 4: return new Date(pick([0, -1, 1_700_000_000_123, -62_135_596_800_000, 8.64e15, Math.floor(next() * 2 ** 40)]));
    case 5: return null;
    case 6: return new Int32(pick([0, -1, 1, 2_147_483_647, -2_147_483_648, Math.floor(next() * 1000)]));
    case 7: return pick([Long.fromNumber(0), Long.fromString('9223372036854775807'), Long.fromString('-9223372036854775808'), Long.fromNumber(2 ** 53 + 2), Long.fromNumber(-7)]);
    case 8: return new Binary(Buffer.from([1, 2, 3]), pick([0, 4]));
    case 9: return new BSONRegExp('^a.c$', 'i');
    case 10: return new Timestamp({ t: 1_700_000_000, i: 3 });
    case 11: return Decimal128.fromString('12.50');
    case 12: return pick([new MinKey(), new MaxKey(), new Code('function () {}')]);
    case 13: return pick(STRINGS);
    case 14: return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1, rare));
    default: return document(next, depth + 1, rare);
  }
}

function document(next: () => number, depth: number, rare: boolean): Document {
  const doc: Document = {};
  const fields = Math.floor(next() * 6);
  for (let i = 0; i < fields; i++) doc[NAMES[Math.floor(next() * NAMES.length)] as string] = value(next, depth, rare);
  return doc;
}

/** Canonical Extended JSON shows each value's BSON type as well as the field order. */
const canonical = (doc: Document) => EJSON.stringify(doc, { relaxed: false });

/** `valid`: a document bson wrote, which must also come back to the same bytes. */
function expectSameDecoding(buf: Buffer, valid = false): void {
  let expected: Document | Error;
  try {
    expected = BSON.deserialize(buf, ENGINE_BSON_OPTIONS);
  } catch (err) {
    expected = err as Error;
  }
  if (expected instanceof Error) {
    expect(() => decodeBson(buf)).toThrow(expected.message);
    return;
  }
  const decoded = decodeBson(buf);
  expect(canonical(decoded)).toBe(canonical(expected));
  // A root with $ref and $id comes back a DBRef, which bson does not write as a document.
  if (valid && !(decoded instanceof DBRef)) expect(Buffer.from(BSON.serialize(decoded))).toEqual(buf);
}

describe('the engine BSON decoder', () => {
  it('gives what bson gives for 4,000 generated documents, half of them with the rarer element types', () => {
    const next = random(20261130);
    for (let i = 0; i < 4000; i++) {
      const doc = document(next, 0, i % 2 === 0);
      doc.n = new Int32(i);
      expectSameDecoding(Buffer.from(BSON.serialize(doc, { checkKeys: false })), true);
    }
  });

  it('keeps numbers typed, ids and dates as their classes, and the fields in order', () => {
    const id = new ObjectId();
    const buf = Buffer.from(BSON.serialize({ _id: id, i: new Int32(7), d: new Double(7), l: Long.fromNumber(7), at: new Date(5), list: [new Int32(1), { x: 'y' }], z: null }));
    const doc = decodeBson(buf);
    expect(Object.keys(doc)).toEqual(['_id', 'i', 'd', 'l', 'at', 'list', 'z']);
    expect(doc._id).toBeInstanceOf(ObjectId);
    expect((doc._id as ObjectId).equals(id)).toBe(true);
    expect(doc.i).toBeInstanceOf(Int32);
    expect(doc.d).toBeInstanceOf(Double);
    expect(doc.l).toBeInstanceOf(Long);
    expect(doc.at).toEqual(new Date(5));
    expect(doc.list).toEqual([new Int32(1), { x: 'y' }]);
  });

  it('leaves DBRef-like documents and __proto__ fields to bson', () => {
    const ref = Buffer.from(BSON.serialize({ owner: new DBRef('users', new ObjectId()) }));
    expect(decodeBson(ref).owner).toBeInstanceOf(DBRef);
    expectSameDecoding(ref);
    const proto = Buffer.from(BSON.serialize(JSON.parse('{"__proto__": {"polluted": 1}, "b": 2}') as Document));
    const doc = decodeBson(proto);
    expect(Object.prototype.hasOwnProperty.call(doc, '__proto__')).toBe(true);
    expect(({} as Document).polluted).toBeUndefined();
    expectSameDecoding(proto);
  });

  it('reads many more distinct field names than it remembers', () => {
    const doc: Document = {};
    for (let i = 0; i < 10_000; i++) doc[`field${i}`] = new Int32(i);
    const decoded = decodeBson(Buffer.from(BSON.serialize(doc)));
    expect(Object.keys(decoded)).toHaveLength(10_000);
    expect(decoded.field9999).toEqual(new Int32(9999));
    expect(decodeBson(Buffer.from(BSON.serialize(doc))).field0).toEqual(new Int32(0));
  });

  it('fails as bson does on broken input: truncated, mis-sized, bad UTF-8, bad booleans, trailing bytes', () => {
    const good = Buffer.from(
      BSON.serialize({ a: 'text', b: true, c: { d: new Int32(1) }, e: [1, 2], bin: new Binary(Buffer.from('abc'), 2), ts: new Timestamp({ t: 1, i: 2 }), re: new BSONRegExp('x', 'i'), code: new Code('f', { s: 1 }) }),
    );
    const broken: Buffer[] = [good.subarray(0, good.length - 1), Buffer.concat([good, Buffer.from([0])]), Buffer.alloc(3)];
    const badUtf8 = Buffer.from(good);
    badUtf8[good.indexOf('text')] = 0xff;
    const badBool = Buffer.from(good);
    badBool[good.indexOf('b') + 2] = 2;
    const badNested = Buffer.from(good);
    badNested.writeInt32LE(1000, good.indexOf('c') + 2);
    const badLength = Buffer.from(good);
    badLength.writeInt32LE(good.length + 4, 0);
    broken.push(badUtf8, badBool, badNested, badLength);
    // Every single byte changed in turn, three ways, each a different way of being wrong.
    for (let at = 0; at < good.length; at++) {
      for (const delta of [0x01, 0x55, 0x80]) {
        const copy = Buffer.from(good);
        copy[at] = (copy[at]! + delta) & 0xff;
        broken.push(copy);
      }
    }
    for (const buf of broken) expectSameDecoding(buf);
    expect(() => decodeBson(badUtf8)).toThrow();
  });
});

describe('reading chosen top-level fields of a stored document', () => {
  /** The fields of `doc` named in `names`, in the document's order. */
  const pick = (doc: Document, names: ReadonlySet<string>) => Object.fromEntries(Object.entries(doc).filter(([name]) => names.has(name)));

  it('gives what bson gives for those fields, and only those, for 4,000 generated documents of every element type', () => {
    const next = random(20261201);
    let slim = 0;
    for (let i = 0; i < 4000; i++) {
      const doc = document(next, 0, i % 2 === 0);
      doc.n = new Int32(i);
      const buf = Buffer.from(BSON.serialize(doc, { checkKeys: false }));
      const names = new Set([...NAMES, 'n'].filter(() => next() < 0.4));
      const expected = BSON.deserialize(buf, ENGINE_BSON_OPTIONS);
      const decoded = decodeFields(buf, names);
      if (expected instanceof DBRef || Object.keys(decoded).some((name) => !names.has(name))) {
        // A DBRef-like document or a __proto__ field: decoded whole, by bson.
        expect(canonical(decoded)).toBe(canonical(expected));
        continue;
      }
      expect(canonical(decoded)).toBe(canonical(pick(expected, names)));
      slim += 1;
    }
    // Most of them read field by field rather than whole: the others hold a $ref field (one
    // name in nine here), which may make a DBRef, left to bson.
    expect(slim).toBeGreaterThan(3000);
  });

  it('reads nested documents and arrays of a chosen field whole, and skips the rest, rarer types included', () => {
    const id = new ObjectId();
    const buf = Buffer.from(
      BSON.serialize({ _id: id, bin: new Binary(Buffer.from('abc'), 4), customer: { email: 'a@b.fr', tags: ['x', 'y'] }, re: new BSONRegExp('x', 'i'), ts: new Timestamp({ t: 1, i: 2 }), code: new Code('f', { s: 1 }), dec: Decimal128.fromString('1.5'), state: 'sent', at: new Date(7) }),
    );
    const doc = decodeFields(buf, new Set(['customer', 'state', 'at', 'missing']));
    expect(Object.keys(doc)).toEqual(['customer', 'state', 'at']);
    expect(doc.customer).toEqual({ email: 'a@b.fr', tags: ['x', 'y'] });
    expect(doc.at).toEqual(new Date(7));
    expect(decodeFields(buf, new Set())).toEqual({});
    expect((decodeFields(buf, new Set(['_id']))._id as ObjectId).equals(id)).toBe(true);
  });
});
