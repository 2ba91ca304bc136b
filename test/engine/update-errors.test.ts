/**
 * Unit tests of query/update.ts errors: every parse-time and apply-time failure with
 * MongoDB's code and message, and validation of an update before any document is seen.
 */
import { Double, Int32 } from 'bson';
import { applyUpdate, validateUpdate } from '../../server/db/embedded/query/update';
import type { Doc } from '../../server/db/embedded/query/values';
import { errorOf } from '../helpers/errors';

const i = (n: number): Int32 => new Int32(n);
const d = (n: number): Double => new Double(n);

function base(): Doc {
  return {
    _id: i(1),
    n: i(5),
    f: d(1.5),
    s: 'text',
    sub: { x: i(1), y: 'y' },
    arr: [i(1), i(2), i(3)],
    docs: [{ k: i(1), v: 'a' }, { k: i(2), v: 'b' }, { k: i(3), v: 'c' }],
  };
}

function update(u: Doc | Doc[], opts: Parameters<typeof applyUpdate>[2] = {}): unknown {
  return applyUpdate(base(), u, opts);
}

describe('errors', () => {
  const cases: Array<[string, () => unknown, number, string | RegExp]> = [
    ['an unknown modifier', () => update({ $foo: { a: 1 } }), 9, 'Unknown modifier: $foo. Expected a valid update modifier or pipeline-style update specified as an array'],
    ['a plain field after an operator', () => update({ $set: { a: 1 }, b: 2 }), 9, 'Unknown modifier: b. Expected a valid update modifier or pipeline-style update specified as an array'],
    ['a modifier whose operand is not a document', () => update({ $set: 1 }), 9, 'Modifiers operate on fields but we found type int instead. For example: {$mod: {<field>: ...}} not {$set: 1}'],
    ['a path and its prefix in one update', () => update({ $set: { a: 1, 'a.b': 2 } }), 40, "Updating the path 'a.b' would create a conflict at 'a'"],
    ['the same path in two modifiers', () => update({ $set: { a: 1 }, $inc: { a: 1 } }), 40, "Updating the path 'a' would create a conflict at 'a'"],
    ['$setOnInsert conflicting with $set even when not inserting', () => update({ $set: { a: 1 }, $setOnInsert: { a: 2 } }), 40, "Updating the path 'a' would create a conflict at 'a'"],
    ['$inc of a string', () => update({ $inc: { s: 1 } }), 14, "Cannot apply $inc to a value of non-numeric type. {_id: 1} has the field 's' of non-numeric type string"],
    ['$mul of a document', () => update({ $mul: { sub: 2 } }), 14, "Cannot apply $mul to a value of non-numeric type. {_id: 1} has the field 'sub' of non-numeric type object"],
    ['$inc with a non-numeric argument', () => update({ $inc: { n: 'x' } }), 14, 'Cannot increment with non-numeric argument: {n: "x"}'],
    ['$mul with a non-numeric argument', () => update({ $mul: { n: null } }), 14, 'Cannot multiply with non-numeric argument: {n: null}'],
    ['changing _id', () => update({ $set: { _id: i(2) } }), 66, "Performing an update on the path '_id' would modify the immutable field '_id'"],
    ['changing the type of _id', () => update({ $set: { _id: d(1) } }), 66, "Performing an update on the path '_id' would modify the immutable field '_id'"],
    ['unsetting _id', () => update({ $unset: { _id: 1 } }), 66, "Performing an update on the path '_id' would modify the immutable field '_id'"],
    ['renaming _id', () => update({ $rename: { _id: 'id' } }), 66, "Unsetting the path '_id' using $rename would modify the immutable field '_id'"],
    ['a path through a scalar', () => update({ $set: { 'n.b': 1 } }), 28, "Cannot create field 'b' in element {n: 5}"],
    ['a named part on an array', () => update({ $set: { 'arr.b': 1 } }), 28, "Cannot create field 'b' in element {arr: [ 1, 2, 3 ]}"],
    ['$pull through a scalar', () => update({ $pull: { 'n.b': 1 } }), 28, 'Cannot use the part (b) of (n.b) to traverse the element ({n: 5})'],
    ['$push on a non-array', () => update({ $push: { n: 1 } }), 2, "The field 'n' must be an array but is of type int in document {_id: 1}"],
    ['$addToSet on a non-array', () => update({ $addToSet: { s: 1 } }), 2, "Cannot apply $addToSet to non-array field. Field named 's' has non-array type string"],
    ['$pull on a non-array', () => update({ $pull: { n: 1 } }), 2, 'Cannot apply $pull to a non-array value'],
    ['$pullAll with a non-array argument', () => update({ $pullAll: { arr: 1 } }), 2, '$pullAll requires an array argument but was given a int'],
    ['$pop on a non-array', () => update({ $pop: { n: 1 } }), 14, "Path 'n' contains an element of non-array type 'int'"],
    ['$pop with 2', () => update({ $pop: { arr: 2 } }), 9, '$pop expects 1 or -1, found: 2'],
    ['$push $each that is not an array', () => update({ $push: { arr: { $each: 1 } } }), 2, 'The argument to $each in $push must be an array but it was of type: int'],
    ['an unknown $push clause', () => update({ $push: { arr: { $each: [], $foo: 1 } } }), 2, 'Unrecognized clause in $push: $foo'],
    ['a fractional $slice', () => update({ $push: { arr: { $each: [], $slice: 1.5 } } }), 2, 'The value for $slice must be an integer value but was given type: double'],
    ['a bad $sort', () => update({ $push: { arr: { $each: [], $sort: 'up' } } }), 2, 'The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields'],
    ['a string $position', () => update({ $push: { arr: { $each: [], $position: 'x' } } }), 2, 'The value for $position must be an integer value, not of type: string'],
    ['$addToSet $each that is not an array', () => update({ $addToSet: { arr: { $each: 'x' } } }), 14, 'The argument to $each in $addToSet must be an array but it was of type string'],
    ['$currentDate with a bad $type', () => update({ $currentDate: { a: { $type: 'x' } } }), 2, "The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}"],
    ['$currentDate with a number', () => update({ $currentDate: { a: 1 } }), 2, "int is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'})."],
    ['$bit on a double', () => update({ $bit: { f: { and: i(1) } } }), 2, 'Cannot apply $bit to a value of non-integral type._id: 1 has the field f of non-integer type double'],
    ['$bit with a double operand', () => update({ $bit: { n: { and: d(1) } } }), 2, "The $bit modifier field must be an Integer(32/64 bit); a 'double' is not supported here: {and: 1.0}"],
    ['$bit with an unknown operation', () => update({ $bit: { n: { nand: i(1) } } }), 2, "The $bit modifier only supports 'and', 'or', and 'xor', not 'nand' which is an unknown operator: {nand: 1}"],
    ['$rename to a non-string', () => update({ $rename: { s: 1 } }), 2, "The 'to' field for $rename must be a string: s: 1"],
    ['$rename onto itself', () => update({ $rename: { s: 's' } }), 2, 'The source and target field for $rename must differ: s: "s"'],
    ['$rename along its own path', () => update({ $rename: { sub: 'sub.x' } }), 2, 'The source and target field for $rename must not be on the same path: sub: "sub.x"'],
    ['$rename with a positional source', () => update({ $rename: { 'docs.$.v': 'x' } }), 2, 'The source field for $rename may not be dynamic: docs.$.v'],
    ['$rename out of an array element', () => update({ $rename: { 'docs.0.v': 'x' } }), 2, "The source field cannot be an array element, 'docs.0.v' in doc with _id: 1 has an array field called 'docs'"],
    ['$rename into an array element', () => update({ $rename: { s: 'docs.0.s' } }), 2, "The destination field cannot be an array element, 'docs.0.s' in doc with _id: 1 has an array field called 'docs'"],
    ['$ without a matched position', () => update({ $set: { 'arr.$': 1 } }), 2, 'The positional operator did not find the match needed from the query.'],
    ['two $ in one path', () => update({ $set: { 'docs.$.a.$': 1 } }), 2, "Too many positional (i.e. '$') elements found in path 'docs.$.a.$'"],
    ['an empty path component', () => update({ $set: { 'a..b': 1 } }), 56, "The update path 'a..b' contains an empty field name, which is not allowed."],
    ['an undefined array filter identifier', () => update({ $set: { 'arr.$[x]': 1 } }), 2, "No array filter found for identifier 'x' in path 'arr.$[x]'"],
    ['an unused array filter', () => update({ $set: { s: 1 } }, { arrayFilters: [{ x: 1 }] }), 9, "The array filter for identifier 'x' was not used in the update { $set: { s: 1 } }"],
    ['an array filter with two identifiers', () => update({ $set: { 'arr.$[x]': 1 } }, { arrayFilters: [{ x: 1, y: 2 }] }), 9, "Error parsing array filter :: caused by :: Expected a single top-level field name, found 'x' and 'y'"],
    ['an array filter identifier with a capital', () => update({ $set: { 'arr.$[X]': 1 } }, { arrayFilters: [{ X: 1 }] }), 2, /must be an alphanumeric string beginning with a lowercase letter, found 'X'/],
    ['two filters for one identifier', () => update({ $set: { 'arr.$[x]': 1 } }, { arrayFilters: [{ x: 1 }, { x: 2 }] }), 9, 'Found multiple array filters with the same top-level field name x'],
    ['$[] on a missing field', () => update({ $set: { 'nope.$[]': 1 } }), 2, "The path 'nope' must exist in the document in order to apply array updates."],
    ['$[] on a scalar', () => update({ $set: { 'n.$[]': 1 } }), 2, 'Cannot apply array updates to non-array element n: 5'],
    ['$[] and $[x] both setting one element', () => update({ $set: { 'arr.$[]': 1, 'arr.$[x]': 2 } }, { arrayFilters: [{ x: i(2) }] }), 40, "Update created a conflict at 'arr.1'"],
    ['a top-level $-prefixed field on an existing document', () => update({ $set: { $bad: 1 } }), 52, /The dollar \(\$\) prefixed field '\$bad' in '\$bad'/],
    ['a replacement with a different _id', () => update({ _id: i(2), a: 1 }), 66, "After applying the update, the (immutable) field '_id' was found to have been altered to _id: 2"],
    ['a replacement with a top-level $ field', () => update({ a: 1, $set: { b: 1 } }), 52, /The dollar \(\$\) prefixed field '\$set' in '\$set'/],
    ['a pipeline with a stage updates may not use', () => update([{ $group: { _id: null } }]), 72, '$group is not allowed to be used within an update'],
    ['a pipeline with arrayFilters', () => update([{ $set: { a: 1 } }], { arrayFilters: [{ x: 1 }] }), 9, 'arrayFilters may not be specified for pipeline-style updates'],
  ];
  it.each(cases)('rejects %s', (_name, fn, code, message) => {
    const e = errorOf(fn);
    expect(e.code).toBe(code);
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
  });

  it('validates an update before any document is seen', () => {
    expect(() => validateUpdate({ $inc: { a: 'x' } })).toThrow('Cannot increment with non-numeric argument');
    expect(() => validateUpdate({ $set: { 'a.$[x]': 1 } })).toThrow("No array filter found for identifier 'x'");
    expect(() => validateUpdate({ a: 1 }, { multi: true })).toThrow('multi update is not supported for replacement-style update');
    expect(() => validateUpdate({ $set: { 'a.$[x]': 1 } }, { arrayFilters: [{ x: 1 }] })).not.toThrow();
  });
});
