/**
 * The embedded engine's filter matcher against MongoDB's documented query semantics:
 * every operator, array traversal, null/missing, cross-type numbers, regexes, errors.
 */
import { Binary, BSONRegExp, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId } from 'bson';
import { compileFilter } from '../../server/db/embedded/query/match';
import { deserializeDoc, serializeDoc, type Doc } from '../../server/db/embedded/query/values';
import { getPathValues, pathValues } from '../../server/db/embedded/query/paths';
import { MongoServerError } from '../../server/db/embedded/errors';

/** A document as the engine sees it after a round trip through BSON (typed numbers, BSONRegExp). */
const typed = (d: Doc): Doc => deserializeDoc(serializeDoc(d));
const matches = (filter: Doc, doc: Doc): boolean => compileFilter(typed(filter)).test(typed(doc));

function errorOf(fn: () => unknown): MongoServerError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MongoServerError) return e;
    throw e;
  }
  throw new Error('expected a MongoServerError');
}
const compileError = (filter: Doc): MongoServerError => errorOf(() => compileFilter(typed(filter)));

type Case = [string, Doc, Doc, boolean];
const table = (cases: Case[]): void => {
  it.each(cases)('%s', (_name, filter, doc, expected) => {
    expect(matches(filter, doc)).toBe(expected);
  });
};

describe('equality', () => {
  table([
    ['a scalar equal to the value matches', { a: 1 }, { a: 1 }, true],
    ['a different scalar does not match', { a: 1 }, { a: 2 }, false],
    ['an empty filter matches every document', {}, { a: 1 }, true],
    ['Int32 equals a Double of the same value', { a: new Int32(1) }, { a: new Double(1) }, true],
    ['Int32 equals a Long of the same value', { a: new Int32(7) }, { a: Long.fromNumber(7) }, true],
    ['a Double equals a Decimal128 of the same value', { a: new Double(2.5) }, { a: Decimal128.fromString('2.50') }, true],
    ['a Long beyond 2^53 is compared exactly', { a: Long.fromString('9007199254740993') }, { a: Long.fromString('9007199254740992') }, false],
    ['a string never equals a number', { a: '1' }, { a: 1 }, false],
    ['a value matches an array containing it', { a: 2 }, { a: [1, 2, 3] }, true],
    ['an array value matches an equal array', { a: [1, 2] }, { a: [1, 2] }, true],
    ['an array value matches an array that contains it as an element', { a: [1, 2] }, { a: [[1, 2], 3] }, true],
    ['an array value does not match the same elements in another order', { a: [1, 2] }, { a: [2, 1] }, false],
    ['an array value does not match a longer array', { a: [1, 2] }, { a: [1, 2, 3] }, false],
    ['a scalar does not match inside a nested array', { a: 1 }, { a: [[1]] }, false],
    ['a document matches only with the same field order', { a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } }, false],
    ['a document matches an identical document', { a: { x: 1, y: 2 } }, { a: { x: 1, y: 2 } }, true],
    ['a document does not match a document with extra fields', { a: { x: 1 } }, { a: { x: 1, y: 2 } }, false],
    ['$eq behaves like implicit equality on arrays', { a: { $eq: 2 } }, { a: [1, 2] }, true],
    ['$eq with an operator-looking document compares it literally', { a: { $eq: { $gt: 1 } } }, { a: { $gt: 1 } }, true],
    ['ObjectIds compare by value', { a: new ObjectId('64b7f0c2a1b2c3d4e5f60718') }, { a: new ObjectId('64b7f0c2a1b2c3d4e5f60718') }, true],
    ['different ObjectIds do not match', { a: new ObjectId('64b7f0c2a1b2c3d4e5f60718') }, { a: new ObjectId('64b7f0c2a1b2c3d4e5f60719') }, false],
    ['an ObjectId never equals its hex string', { a: new ObjectId('64b7f0c2a1b2c3d4e5f60718') }, { a: '64b7f0c2a1b2c3d4e5f60718' }, false],
    ['dates compare by time', { a: new Date(5) }, { a: new Date(5) }, true],
    ['a DBRef-shaped document is a value, not operators', { a: { $ref: 'c', $id: 1 } }, { a: new DBRef('c', 1 as never) }, true],
  ]);
});

describe('null and missing', () => {
  table([
    ['null matches a missing field', { a: null }, { b: 1 }, true],
    ['null matches a null field', { a: null }, { a: null }, true],
    ['null does not match zero', { a: null }, { a: 0 }, false],
    ['null matches an array holding null', { a: null }, { a: [1, null] }, true],
    ['null does not match an array without null', { a: null }, { a: [1, 2] }, false],
    ['a dotted null matches when an array element lacks the field', { 'a.b': null }, { a: [{ b: 1 }, { c: 1 }] }, true],
    ['a dotted null matches when the parent is a scalar', { 'a.b': null }, { a: 5 }, true],
    ['a dotted null does not match an array of scalars', { 'a.b': null }, { a: [1, 2] }, false],
    ['$ne null does not match a missing field', { a: { $ne: null } }, { b: 1 }, false],
    ['$ne null matches a present value', { a: { $ne: null } }, { a: 0 }, true],
    ['$in with null matches a missing field', { a: { $in: [null, 5] } }, {}, true],
    ['$gte null matches a missing field', { a: { $gte: null } }, {}, true],
    ['$lte null matches null', { a: { $lte: null } }, { a: null }, true],
    ['$gt null matches nothing', { a: { $gt: null } }, { a: 1 }, false],
    ['$lt null does not match a missing field', { a: { $lt: null } }, {}, false],
  ]);
});

describe('dotted paths', () => {
  table([
    ['a dotted path reads a sub-document', { 'a.b': 1 }, { a: { b: 1 } }, true],
    ['a dotted path traverses an array of documents', { 'a.b': 1 }, { a: [{ b: 2 }, { b: 1 }] }, true],
    ['a dotted path reaches into a leaf array', { 'a.b': 1 }, { a: [{ b: [0, 1] }] }, true],
    ['a dotted path does not enter nested arrays', { 'a.b': 1 }, { a: [[{ b: 1 }]] }, false],
    ['a numeric component addresses an array element', { 'a.1': 2 }, { a: [1, 2] }, true],
    ['a numeric component reads an element at that index only', { 'a.1': 1 }, { a: [1, 2] }, false],
    ['a numeric component then a field', { 'a.0.b': 1 }, { a: [{ b: 1 }, { b: 2 }] }, true],
    ['a numeric component also finds a field named with digits', { 'a.0': 'x' }, { a: [{ 0: 'x' }] }, true],
    ['a numeric component on a document is a field name', { 'a.1': 'y' }, { a: { 1: 'y' } }, true],
    ['deep traversal through two arrays', { 'a.b.c': 3 }, { a: [{ b: [{ c: 1 }, { c: 3 }] }] }, true],
  ]);
});

describe('comparison operators', () => {
  table([
    ['$gt matches a larger number of another type', { a: { $gt: 5 } }, { a: Long.fromNumber(6) }, true],
    ['$gt matches a larger Decimal128', { a: { $gt: 5 } }, { a: Decimal128.fromString('5.5') }, true],
    ['$gt is type-bracketed: strings never exceed numbers', { a: { $gt: 5 } }, { a: 'zzz' }, false],
    ['$gt does not match null', { a: { $gt: 5 } }, { a: null }, false],
    ['$gte matches an equal Double', { a: { $gte: 5 } }, { a: new Double(5) }, true],
    ['$lt compares strings by bytes', { a: { $lt: 'b' } }, { a: 'abc' }, true],
    ['$lte compares dates', { a: { $lte: new Date(10) } }, { a: new Date(5) }, true],
    ['$gt matches when any array element qualifies', { a: { $gt: 5 } }, { a: [1, 10] }, true],
    ['two bounds may be met by different elements', { a: { $gt: 5, $lt: 3 } }, { a: [1, 10] }, true],
    ['$gt on an array operand compares whole arrays', { a: { $gt: [1] } }, { a: [2] }, true],
    ['$gt MinKey matches any value', { a: { $gt: new MinKey() } }, { a: 'x' }, true],
    ['$gt MinKey matches a missing field', { a: { $gt: new MinKey() } }, {}, true],
    ['$lt MaxKey matches any value', { a: { $lt: new MaxKey() } }, { a: { x: 1 } }, true],
    ['$gt MaxKey matches nothing', { a: { $gt: new MaxKey() } }, { a: 1 }, false],
    ['$gte NaN matches NaN', { a: { $gte: NaN } }, { a: NaN }, true],
    ['$gt NaN matches nothing', { a: { $gt: NaN } }, { a: 1 }, false],
    ['$lt a number does not match NaN', { a: { $lt: 5 } }, { a: NaN }, false],
    ['$gt a number does not match NaN', { a: { $gt: -Infinity } }, { a: NaN }, false],
    ['objects compare field by field', { a: { $gt: { x: 1 } } }, { a: { x: 2 } }, true],
  ]);

  it('refuses a regex as the operand of $gt', () => {
    const err = compileError({ a: { $gt: /x/ } });
    expect(err.code).toBe(2);
    expect(err.message).toBe("Can't have RegEx as arg to predicate over field 'a'.");
  });
});

describe('$ne, $in and $nin', () => {
  table([
    ['$ne matches a missing field', { a: { $ne: 1 } }, {}, true],
    ['$ne does not match an array containing the value', { a: { $ne: 1 } }, { a: [1, 2] }, false],
    ['$ne matches an array without the value', { a: { $ne: 1 } }, { a: [2, 3] }, true],
    ['$in matches any listed value', { a: { $in: [1, 'x'] } }, { a: 'x' }, true],
    ['$in compares numbers across types', { a: { $in: [new Int32(3)] } }, { a: Long.fromNumber(3) }, true],
    ['$in matches a Long listed value', { a: { $in: [Long.fromNumber(4)] } }, { a: 4 }, true],
    ['$in matches an array element', { a: { $in: [5, 9] } }, { a: [1, 9] }, true],
    ['$in with a regex searches strings', { a: { $in: [/^ab/, 3] } }, { a: 'abc' }, true],
    ['$in matches ObjectIds', { a: { $in: [new ObjectId('64b7f0c2a1b2c3d4e5f60718')] } }, { a: new ObjectId('64b7f0c2a1b2c3d4e5f60718') }, true],
    ['$in matches booleans only to booleans', { a: { $in: [true] } }, { a: 1 }, false],
    ['$in with an empty list matches nothing', { a: { $in: [] } }, { a: 1 }, false],
    ['$in matches whole documents', { a: { $in: [{ x: 1 }] } }, { a: { x: 1 } }, true],
    ['$nin matches a missing field', { a: { $nin: [1] } }, {}, true],
    ['$nin does not match a listed value', { a: { $nin: [1, 2] } }, { a: 2 }, false],
    ['$nin with an empty list matches everything', { a: { $nin: [] } }, { a: 2 }, true],
    ['$nin with null excludes missing fields', { a: { $nin: [null] } }, {}, false],
  ]);

  it.each([
    ['$ne with a regex', { a: { $ne: /x/ } }, "Can't have regex as arg to $ne."],
    ['$in without an array', { a: { $in: 5 } }, '$in needs an array'],
    ['$nin without an array', { a: { $nin: 'x' } }, '$nin needs an array'],
    ['$in holding an operator', { a: { $in: [{ $gt: 1 }] } }, 'cannot nest $ under $in'],
  ])('refuses %s with BadValue', (_name, filter, message) => {
    const err = compileError(filter);
    expect(err.code).toBe(2);
    expect(err.codeName).toBe('BadValue');
    expect(err.message).toBe(message);
  });
});

describe('$exists', () => {
  table([
    ['$exists true matches a present field', { a: { $exists: true } }, { a: null }, true],
    ['$exists true does not match a missing field', { a: { $exists: true } }, { b: 1 }, false],
    ['$exists false matches a missing field', { a: { $exists: false } }, { b: 1 }, true],
    ['$exists true matches an empty array', { a: { $exists: true } }, { a: [] }, true],
    ['$exists takes truthiness: 0 means false', { a: { $exists: 0 } }, {}, true],
    ['$exists on a dotted path through arrays', { 'a.b': { $exists: true } }, { a: [{ c: 1 }, { b: 2 }] }, true],
    ['$exists false fails if any array element has the field', { 'a.b': { $exists: false } }, { a: [{ b: 1 }, { c: 1 }] }, false],
    ['$exists false matches an array of scalars on a dotted path', { 'a.b': { $exists: false } }, { a: [1, 2] }, true],
  ]);
});

describe('$type', () => {
  table([
    ['"string" matches strings', { a: { $type: 'string' } }, { a: 'x' }, true],
    ['type number 2 matches strings', { a: { $type: 2 } }, { a: 'x' }, true],
    ['"int" matches Int32 but not Double', { a: { $type: 'int' } }, { a: new Double(1) }, false],
    ['"double" matches a Double holding an integer', { a: { $type: 'double' } }, { a: new Double(1) }, true],
    ['"long" matches Long', { a: { $type: 'long' } }, { a: Long.fromNumber(1) }, true],
    ['"decimal" matches Decimal128', { a: { $type: 'decimal' } }, { a: Decimal128.fromString('1') }, true],
    ['"number" matches every numeric type', { a: { $type: 'number' } }, { a: Decimal128.fromString('1') }, true],
    ['"number" does not match strings', { a: { $type: 'number' } }, { a: '1' }, false],
    ['"array" matches an array', { a: { $type: 'array' } }, { a: [1] }, true],
    ['"array" matches an empty array', { a: { $type: 'array' } }, { a: [] }, true],
    ['"array" does not match a scalar', { a: { $type: 'array' } }, { a: 1 }, false],
    ['a scalar type matches an array element', { a: { $type: 'string' } }, { a: [1, 'x'] }, true],
    ['"null" matches null but not a missing field', { a: { $type: 'null' } }, {}, false],
    ['"objectId" matches ObjectIds', { a: { $type: 'objectId' } }, { a: new ObjectId() }, true],
    ['"bool" and "date" aliases work', { a: { $type: ['bool', 'date'] } }, { a: new Date() }, true],
    ['"regex" matches stored regular expressions', { a: { $type: 'regex' } }, { a: /x/ }, true],
    ['"binData" matches binary', { a: { $type: 'binData' } }, { a: new Binary(Buffer.from([1])) }, true],
    ['"object" matches sub-documents', { a: { $type: 'object' } }, { a: { b: 1 } }, true],
    ['a list of types matches any of them', { a: { $type: ['string', 16] } }, { a: 3 }, true],
    ['"minKey" and "maxKey" aliases work', { a: { $type: 'maxKey' } }, { a: new MaxKey() }, true],
  ]);

  it('refuses an unknown type alias', () => {
    expect(compileError({ a: { $type: 'nope' } }).message).toBe('Unknown type name alias: nope');
  });
  it('refuses an unknown type number', () => {
    expect(compileError({ a: { $type: 100 } }).code).toBe(2);
  });
  it('refuses an empty list of types with FailedToParse', () => {
    expect(compileError({ a: { $type: [] } }).code).toBe(9);
  });
  it('refuses a type given as a document with TypeMismatch', () => {
    expect(compileError({ a: { $type: { x: 1 } } }).code).toBe(14);
  });
});

describe('$regex and regex literals', () => {
  table([
    ['a regex literal searches a string', { a: /b+c/ }, { a: 'abbcd' }, true],
    ['a regex literal with the i flag ignores case', { a: /ABC/i }, { a: 'xabcx' }, true],
    ['$regex with $options i ignores case', { a: { $regex: 'ABC', $options: 'i' } }, { a: 'abc' }, true],
    ['$options may come before $regex', { a: { $options: 'i', $regex: 'ABC' } }, { a: 'abc' }, true],
    ['$regex accepts a regex value', { a: { $regex: /^x/ } }, { a: 'xy' }, true],
    ['$regex accepts a BSONRegExp', { a: { $regex: new BSONRegExp('^x$', 'i') } }, { a: 'X' }, true],
    ['a regex matches string elements of an array', { a: /^b/ }, { a: ['a', 'bc'] }, true],
    ['a regex never matches a number', { a: /1/ }, { a: 1 }, false],
    ['without m, ^ only anchors at the start', { a: /^b/ }, { a: 'a\nb' }, false],
    ['with m, ^ anchors after a newline', { a: { $regex: '^b', $options: 'm' } }, { a: 'a\nb' }, true],
    ['without s, a dot does not match a newline', { a: /a.b/ }, { a: 'a\nb' }, false],
    ['with s, a dot matches a newline', { a: { $regex: 'a.b', $options: 's' } }, { a: 'a\nb' }, true],
    ['without s, a dot matches a carriage return as in PCRE', { a: /a.b/ }, { a: 'a\rb' }, true],
    ['x ignores whitespace and comments in the pattern', { a: { $regex: 'a b # comment\n c', $options: 'x' } }, { a: 'abc' }, true],
    ['$ also matches before a final newline as in PCRE', { a: /c$/ }, { a: 'abc\n' }, true],
    ['\\A and \\z anchor to the whole string', { a: { $regex: '\\Aab\\z' } }, { a: 'ab' }, true],
    ['POSIX classes are understood', { a: { $regex: '^[[:digit:]]+$' } }, { a: '123' }, true],
    ['a leading inline flag group applies', { a: { $regex: '(?i)abc' } }, { a: 'ABC' }, true],
    ['lookahead works', { a: { $regex: 'a(?=b)' } }, { a: 'ab' }, true],
    ['a regex literal matches an identical stored regex', { a: /x/i }, { a: /x/i }, true],
    ['$eq with a regex matches only an identical stored regex', { a: { $eq: /x/ } }, { a: 'x' }, false],
    ['$eq with a regex matches the same stored regex', { a: { $eq: /x/ } }, { a: /x/ }, true],
    ['$not with a regex matches non-matching strings', { a: { $not: /^x/ } }, { a: 'yx' }, true],
    ['$not with a regex matches missing fields', { a: { $not: /^x/ } }, {}, true],
    ['an escaped punctuation character is literal', { a: { $regex: 'a\\-b\\#' } }, { a: 'a-b#' }, true],
    ['a lone brace is literal as in PCRE', { a: { $regex: 'a{b' } }, { a: 'a{b' }, true],
    ['a counted repetition still works', { a: { $regex: '^a{2,3}$' } }, { a: 'aaa' }, true],
    ['Unicode properties are understood', { a: { $regex: '^\\p{Lu}\\p{Ll}+$' } }, { a: 'Éa' }, true],
    ['a dot matches one astral character as in PCRE UTF mode', { a: { $regex: '^.$' } }, { a: '😀' }, true],
    ['\\Q...\\E quotes metacharacters', { a: { $regex: '^\\Qa.b\\E$' } }, { a: 'a.b' }, true],
    ['\\Q...\\E leaves nothing special', { a: { $regex: '^\\Qa.b\\E$' } }, { a: 'axb' }, false],
  ]);

  it('refuses an invalid pattern with code 51091', () => {
    const err = compileError({ a: { $regex: 'a(b' } });
    expect(err.code).toBe(51091);
    expect(err.message).toMatch(/^Regular expression is invalid/);
  });
  it('refuses an invalid flag with code 51108', () => {
    expect(compileError({ a: { $regex: 'a', $options: 'q' } }).code).toBe(51108);
  });
  it('refuses options given both in the regex and in $options', () => {
    const err = compileError({ a: { $regex: /a/i, $options: 'm' } });
    expect(err.code).toBe(51075);
    expect(err.message).toBe('options set in both $regex and $options');
  });
  it('refuses $options without $regex', () => {
    expect(compileError({ a: { $options: 'i' } }).message).toBe('$options needs a $regex');
  });
  it('refuses a $regex that is not a string', () => {
    expect(compileError({ a: { $regex: 5 } }).message).toBe('$regex has to be a string');
  });
});

describe('$not', () => {
  table([
    ['$not negates an operator', { a: { $not: { $gt: 5 } } }, { a: 3 }, true],
    ['$not does not match when the operator holds', { a: { $not: { $gt: 5 } } }, { a: 6 }, false],
    ['$not matches a missing field', { a: { $not: { $gt: 5 } } }, {}, true],
    ['$not fails when any array element satisfies the operator', { a: { $not: { $gt: 5 } } }, { a: [1, 6] }, false],
    ['$not of several operators negates their conjunction', { a: { $not: { $gt: 1, $lt: 5 } } }, { a: 7 }, true],
  ]);

  it.each([
    ['a number', { a: { $not: 5 } }, '$not needs a regex or a document'],
    ['an empty document', { a: { $not: {} } }, '$not cannot be empty'],
    ['a non-operator document', { a: { $not: { b: 1 } } }, 'unknown operator: b'],
  ])('refuses %s', (_name, filter, message) => {
    expect(compileError(filter).message).toBe(message);
  });
});

describe('$and, $or and $nor', () => {
  table([
    ['$and needs every clause', { $and: [{ a: 1 }, { b: 2 }] }, { a: 1, b: 3 }, false],
    ['$or needs one clause', { $or: [{ a: 1 }, { b: 2 }] }, { a: 0, b: 2 }, true],
    ['$or with no matching clause fails', { $or: [{ a: 1 }, { b: 2 }] }, { a: 0 }, false],
    ['$nor needs no clause to hold', { $nor: [{ a: 1 }, { b: 2 }] }, { a: 0 }, true],
    ['$nor fails when a clause holds', { $nor: [{ a: 1 }] }, { a: 1 }, false],
    ['logical operators nest', { $or: [{ $and: [{ a: 1 }, { b: 1 }] }, { c: 1 }] }, { a: 1, b: 1 }, true],
    ['$comment is ignored', { a: 1, $comment: 'why' }, { a: 1 }, true],
  ]);

  it.each(['$and', '$or', '$nor'])('%s refuses an empty array', (op) => {
    const err = compileError({ [op]: [] });
    expect(err.code).toBe(2);
    expect(err.message).toBe('$and/$or/$nor must be a nonempty array');
  });
  it('refuses a logical operator that is not an array', () => {
    expect(compileError({ $or: { a: 1 } }).message).toBe('$or must be an array');
  });
  it('refuses entries that are not documents', () => {
    expect(compileError({ $and: [1] }).message).toBe('$or/$and/$nor entries need to be full objects');
  });
});

describe('$elemMatch', () => {
  table([
    ['the document form needs one element to meet every condition', { a: { $elemMatch: { b: 1, c: 2 } } }, { a: [{ b: 1, c: 1 }, { b: 2, c: 2 }] }, false],
    ['implicit traversal lets different elements meet the conditions', { 'a.b': 1, 'a.c': 2 }, { a: [{ b: 1, c: 1 }, { b: 2, c: 2 }] }, true],
    ['the document form matches an element meeting every condition', { a: { $elemMatch: { b: 1, c: 2 } } }, { a: [{ b: 1, c: 2 }] }, true],
    ['the value form applies every operator to one element', { a: { $elemMatch: { $gte: 80, $lt: 85 } } }, { a: [70, 90] }, false],
    ['the value form matches an element within the range', { a: { $elemMatch: { $gte: 80, $lt: 85 } } }, { a: [70, 82] }, true],
    ['$elemMatch never matches a non-array', { a: { $elemMatch: { $gt: 1 } } }, { a: 5 }, false],
    ['an empty $elemMatch matches an array holding a document', { a: { $elemMatch: {} } }, { a: [1, { b: 1 }] }, true],
    ['an empty $elemMatch does not match an array of scalars', { a: { $elemMatch: {} } }, { a: [1, 2] }, false],
    ['$elemMatch nests for arrays of arrays', { a: { $elemMatch: { $elemMatch: { $gt: 5 } } } }, { a: [[1], [2, 6]] }, true],
    ['$elemMatch accepts logical operators in the document form', { a: { $elemMatch: { $or: [{ b: 1 }, { b: 2 }] } } }, { a: [{ b: 2 }] }, true],
    ['$elemMatch works through a dotted path', { 'a.b': { $elemMatch: { $eq: 3 } } }, { a: [{ b: [1] }, { b: [3] }] }, true],
    ['$elemMatch value form with $not', { a: { $elemMatch: { $not: { $gt: 5 } } } }, { a: [9, 2] }, true],
    ['$elemMatch value form with $in', { a: { $elemMatch: { $in: [3, 4] } } }, { a: [9, 4] }, true],
  ]);

  it('refuses an argument that is not a document', () => {
    expect(compileError({ a: { $elemMatch: 1 } }).message).toBe('$elemMatch needs an Object');
  });
  it('refuses $expr inside $elemMatch', () => {
    expect(compileError({ a: { $elemMatch: { $expr: { $eq: [1, 1] } } } }).message)
      .toBe('$expr can only be applied to the top-level document');
  });
});

describe('$size', () => {
  table([
    ['$size matches an array of that length', { a: { $size: 2 } }, { a: [1, 2] }, true],
    ['$size does not match another length', { a: { $size: 2 } }, { a: [1] }, false],
    ['$size does not look inside nested arrays', { a: { $size: 2 } }, { a: [[1, 2]] }, false],
    ['$size 0 matches an empty array', { a: { $size: 0 } }, { a: [] }, true],
    ['$size never matches a non-array', { a: { $size: 1 } }, { a: 'x' }, false],
    ['$size works through arrays of documents', { 'a.b': { $size: 2 } }, { a: [{ b: [1] }, { b: [1, 2] }] }, true],
    ['$size accepts a whole Double', { a: { $size: new Double(1) } }, { a: [1] }, true],
  ]);

  it.each([[-1], [1.5], ['x']])('refuses %p with BadValue', (size) => {
    const err = compileError({ a: { $size: size } });
    expect(err.code).toBe(2);
    expect(err.message).toMatch(/^Failed to parse \$size\. /);
  });
});

describe('$all', () => {
  table([
    ['$all needs every value in the array', { a: { $all: [1, 2] } }, { a: [2, 3, 1] }, true],
    ['$all fails when a value is absent', { a: { $all: [1, 4] } }, { a: [1, 2] }, false],
    ['$all on a scalar field behaves like equality', { a: { $all: [1] } }, { a: 1 }, true],
    ['$all with an empty list matches nothing', { a: { $all: [] } }, { a: [1] }, false],
    ['$all with a nested array matches an equal array', { a: { $all: [[1, 2]] } }, { a: [1, 2] }, true],
    ['$all with a nested array matches an array holding it', { a: { $all: [[1, 2]] } }, { a: [[1, 2], 3] }, true],
    ['$all accepts regexes', { a: { $all: [/^a/, /b$/] } }, { a: ['ax', 'xb'] }, true],
    ['$all with $elemMatch needs each condition met', {
      a: { $all: [{ $elemMatch: { x: 1 } }, { $elemMatch: { y: 2 } }] },
    }, { a: [{ x: 1 }, { y: 2 }] }, true],
    ['$all with $elemMatch fails when one is unmet', {
      a: { $all: [{ $elemMatch: { x: 1 } }, { $elemMatch: { y: 3 } }] },
    }, { a: [{ x: 1 }, { y: 2 }] }, false],
  ]);

  it('refuses a mix of $elemMatch and values', () => {
    expect(compileError({ a: { $all: [{ $elemMatch: { x: 1 } }, 5] } }).message).toBe('$all/$elemMatch has to be consistent');
  });
  it('refuses operators among the values', () => {
    expect(compileError({ a: { $all: [{ $gt: 1 }] } }).message).toBe('no $ expressions in $all');
  });
  it('refuses an argument that is not an array', () => {
    expect(compileError({ a: { $all: 1 } }).message).toBe('$all needs an array');
  });
});

describe('$mod', () => {
  table([
    ['$mod matches the remainder', { a: { $mod: [4, 0] } }, { a: 12 }, true],
    ['$mod fails for another remainder', { a: { $mod: [4, 0] } }, { a: 5 }, false],
    ['a negative dividend gives a negative remainder', { a: { $mod: [4, -1] } }, { a: -5 }, true],
    ['a fractional value is truncated', { a: { $mod: [4, 1] } }, { a: 5.9 }, true],
    ['a fractional divisor is truncated', { a: { $mod: [4.5, 0] } }, { a: 8 }, true],
    ['$mod works exactly on Long values beyond 2^53', { a: { $mod: [10, 3] } }, { a: Long.fromString('1234567890123456783') }, true],
    ['$mod never matches NaN', { a: { $mod: [1, 0] } }, { a: NaN }, false],
    ['$mod never matches strings', { a: { $mod: [1, 0] } }, { a: '4' }, false],
  ]);

  it.each([
    [5, 'malformed mod, needs to be an array'],
    [[], 'malformed mod, not enough elements'],
    [[4], 'malformed mod, not enough elements'],
    [[4, 1, 2], 'malformed mod, too many elements'],
    [['4', 1], 'malformed mod, divisor not a number'],
    [[4, 'x'], 'malformed mod, remainder not a number'],
    [[0, 1], 'divisor cannot be 0'],
  ])('refuses %p', (arg, message) => {
    const err = compileError({ a: { $mod: arg } });
    expect(err.code).toBe(2);
    expect(err.message).toBe(message);
  });
  it('refuses a NaN divisor', () => {
    expect(compileError({ a: { $mod: [NaN, 1] } }).message).toMatch(/^malformed mod, divisor value is invalid/);
  });
});

describe('bit tests', () => {
  // 54 = 0b110110: bits 1, 2, 4 and 5 are set.
  table([
    ['$bitsAllSet with positions', { a: { $bitsAllSet: [1, 5] } }, { a: 54 }, true],
    ['$bitsAllSet with a bitmask', { a: { $bitsAllSet: 50 } }, { a: 54 }, true],
    ['$bitsAllSet fails when one bit is clear', { a: { $bitsAllSet: [0, 1] } }, { a: 54 }, false],
    ['$bitsAnySet', { a: { $bitsAnySet: [0, 3] } }, { a: 54 }, false],
    ['$bitsAllClear', { a: { $bitsAllClear: [0, 3] } }, { a: 54 }, true],
    ['$bitsAnyClear', { a: { $bitsAnyClear: [1, 0] } }, { a: 54 }, true],
    ['negative numbers are sign-extended', { a: { $bitsAllSet: [63, 200] } }, { a: -5 }, true],
    ['BinData values are tested byte by byte', { a: { $bitsAllSet: [1, 5] } }, { a: new Binary(Buffer.from([54])) }, true],
    ['bits beyond BinData are clear', { a: { $bitsAllClear: [40] } }, { a: new Binary(Buffer.from([255])) }, true],
    ['a BinData bitmask', { a: { $bitsAllSet: new Binary(Buffer.from([6])) } }, { a: 54 }, true],
    ['fractional numbers never match', { a: { $bitsAllClear: [0] } }, { a: 54.5 }, false],
    ['strings never match', { a: { $bitsAllClear: [0] } }, { a: 'x' }, false],
    ['Long values are tested', { a: { $bitsAllSet: [40] } }, { a: Long.fromNumber(2 ** 40) }, true],
  ]);

  it.each([
    [{ $bitsAllSet: -1 }],
    [{ $bitsAllSet: 1.5 }],
    [{ $bitsAnySet: [-1] }],
    [{ $bitsAnySet: ['x'] }],
    [{ $bitsAllClear: 'x' }],
  ])('refuses %p with BadValue', (ops) => {
    expect(compileError({ a: ops }).code).toBe(2);
  });
});

describe('$expr', () => {
  table([
    ['$expr compares two fields', { $expr: { $gt: ['$a', '$b'] } }, { a: 2, b: new Double(1.5) }, true],
    ['$expr fails when the comparison is false', { $expr: { $gt: ['$a', '$b'] } }, { a: 1, b: 2 }, false],
    ['$expr combines with field conditions', { c: 1, $expr: { $eq: ['$a', 1] } }, { a: 1, c: 1 }, true],
  ]);

  it('refuses an unknown expression operator with code 168', () => {
    expect(compileError({ $expr: { $nope: 1 } }).code).toBe(168);
  });
});

describe('unknown and unsupported operators', () => {
  it('refuses an unknown top-level operator', () => {
    const err = compileError({ $foo: 1 });
    expect(err.code).toBe(2);
    expect(err.message).toMatch(/^unknown top level operator: \$foo/);
  });
  it('refuses an unknown field operator', () => {
    const err = compileError({ a: { $foo: 1 } });
    expect(err.code).toBe(2);
    expect(err.message).toBe('unknown operator: $foo');
  });
  it('refuses an operator document that mixes in plain fields', () => {
    expect(compileError({ a: { $gt: 1, b: 2 } }).message).toBe('unknown operator: b');
  });
  it.each([
    ['$where', { $where: 'this.a > 1' }],
    ['$text', { $text: { $search: 'x' } }],
    ['$near', { loc: { $near: [0, 0] } }],
    ['$nearSphere', { loc: { $nearSphere: [0, 0] } }],
    ['$geoWithin', { loc: { $geoWithin: { $centerSphere: [[0, 0], 1] } } }],
    ['$geoIntersects', { loc: { $geoIntersects: { $geometry: { type: 'Point', coordinates: [0, 0] } } } }],
    ['$jsonSchema', { $jsonSchema: { required: ['a'] } }],
  ])('reports %s as unsupported', (name, filter) => {
    const err = compileError(filter);
    expect(err.code).toBe(115);
    expect(err.message).toContain(name);
  });
  it('accepts $alwaysTrue and $alwaysFalse', () => {
    expect(matches({ $alwaysTrue: 1 }, {})).toBe(true);
    expect(matches({ $alwaysFalse: 1 }, {})).toBe(false);
  });
});

describe('matchPosition', () => {
  const position = (filter: Doc, doc: Doc): { matched: boolean; position?: number } =>
    compileFilter(typed(filter)).matchPosition(typed(doc));

  it('reports the index of the array element a dotted path matched', () => {
    expect(position({ 'a.b': 2 }, { a: [{ b: 1 }, { b: 2 }] })).toEqual({ matched: true, position: 1 });
  });
  it('reports the index of a matching leaf element', () => {
    expect(position({ a: { $gte: 5 } }, { a: [1, 7, 9] })).toEqual({ matched: true, position: 1 });
  });
  it('reports the index $elemMatch matched', () => {
    expect(position({ a: { $elemMatch: { x: 2 } } }, { a: [{ x: 1 }, { x: 2 }] })).toEqual({ matched: true, position: 1 });
  });
  it('reports the outer array index for nested arrays', () => {
    expect(position({ 'a.b': 5 }, { a: [{ b: [1] }, { b: [4, 5] }] })).toEqual({ matched: true, position: 1 });
  });
  it('reports no position when no array was traversed', () => {
    expect(position({ a: 5 }, { a: 5 })).toEqual({ matched: true });
  });
  it('takes the position from the first predicate that went through an array', () => {
    expect(position({ _id: 1, 'arr.x': 3 }, { _id: 1, arr: [{ x: 1 }, { x: 3 }] })).toEqual({ matched: true, position: 1 });
  });
  it('takes the position from the $or branch that matched', () => {
    expect(position({ $or: [{ a: 9 }, { a: 4 }] }, { a: [3, 4] })).toEqual({ matched: true, position: 1 });
  });
  it('reports no match', () => {
    expect(position({ a: 1 }, { a: 2 })).toEqual({ matched: false });
  });
});

describe('path helpers', () => {
  it('pathValues lists leaf array elements, then the array', () => {
    expect(pathValues({ a: [{ b: [1, 2] }] }, 'a.b')).toEqual([
      { value: 1, fromArray: true, index: 0 },
      { value: 2, fromArray: true, index: 0 },
      { value: [1, 2], fromArray: false, index: 0 },
    ]);
  });
  it('getPathValues leaves leaf arrays whole', () => {
    expect(getPathValues({ a: [{ b: [1, 2] }, { b: 3 }] }, 'a.b')).toEqual([[1, 2], 3]);
  });
  it('getPathValues reports a missing field as undefined', () => {
    expect(getPathValues({ a: 1 }, 'b')).toEqual([undefined]);
  });
});
