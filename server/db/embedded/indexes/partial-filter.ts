/**
 * What a partialFilterExpression may contain (MongoDB 7): equality, $eq, $exists: true,
 * $gt/$gte/$lt/$lte, $type, $in, and $and/$or of those. Anything else is refused with
 * CannotCreateIndex, as mongod does when it builds the index.
 */
import { fail, type MongoServerError } from '../errors';
import { bsonType, isPlainObject, type Doc } from '../query/values';
import { formatBson } from './bson-format';
import { trueValue } from './key-pattern';

const ALLOWED_OPERATORS = new Set(['$eq', '$gt', '$gte', '$lt', '$lte', '$type', '$in']);

export function partialFilterError(filter: Doc): MongoServerError | undefined {
  for (const [field, value] of Object.entries(filter)) {
    if (field === '$and' || field === '$or') {
      if (!Array.isArray(value) || value.length === 0) return fail('BadValue', `${field} argument must be a non-empty array`);
      for (const clause of value) {
        if (!isPlainObject(clause)) return fail('BadValue', `${field} argument's entries must be objects`);
        const inner = partialFilterError(clause);
        if (inner) return inner;
      }
      continue;
    }
    if (field.startsWith('$')) return unsupportedExpression(`${field} ${formatBson(value)}`);
    const type = bsonType(value);
    if (type === 'regex') return unsupportedExpression(`${field} regex ${formatBson(value)}`);
    if (!isPlainObject(value) || !Object.keys(value).some((k) => k.startsWith('$'))) continue;
    for (const [op, operand] of Object.entries(value)) {
      if (ALLOWED_OPERATORS.has(op)) continue;
      if (op === '$exists' && trueValue(operand)) continue;
      return unsupportedExpression(`${field} ${op} ${formatBson(operand)}`);
    }
  }
  return undefined;
}

function unsupportedExpression(what: string): MongoServerError {
  return fail('CannotCreateIndex', `unsupported expression in partial index: ${what}`);
}
