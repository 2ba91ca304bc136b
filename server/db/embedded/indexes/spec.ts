/**
 * createIndexes' validation of one index specification with mongod's codes and messages:
 * option names and types, the key pattern, the _id index, TTL options, and conflicts with
 * the collection's indexes (85 IndexOptionsConflict, 86 IndexKeySpecsConflict, or a no-op).
 */
import { fail, unsupported, type MongoServerError } from '../errors';
import { bsonType, compareValues, isNumeric, isPlainObject, numberValue, type Doc } from '../query/values';
import { formatBson } from './bson-format';
import { invalidIndexSpecificationOption, serverError } from './codes';
import { checkIndexPlugin, findPluginName, isIdIndexPattern, keyPatternError, trueValue } from './key-pattern';
import { partialFilterError } from './partial-filter';

export { checkIndexPlugin, isIdIndexPattern, trueValue };

/** An index specification as createIndexes receives it and listIndexes returns it. */
export interface IndexSpec {
  v?: unknown;
  key: Doc;
  name: string;
  unique?: unknown;
  sparse?: unknown;
  partialFilterExpression?: Doc;
  expireAfterSeconds?: unknown;
  hidden?: unknown;
  [option: string]: unknown;
}

export interface SpecCheck {
  /** The spec as listIndexes shows it: v, key, name, then the other options. */
  spec: IndexSpec;
  /** An identical index already exists: createIndexes answers "all indexes already exist". */
  exists: boolean;
}

const ALLOWED_FIELDS = new Set([
  'key', 'name', 'v', 'ns', 'unique', 'sparse', 'background', 'partialFilterExpression',
  'expireAfterSeconds', 'collation', 'hidden', 'storageEngine', 'weights', 'default_language',
  'language_override', 'textIndexVersion', '2dsphereIndexVersion', 'bits', 'min', 'max',
  'wildcardProjection', 'dropDups', 'originalSpec', 'clustered', 'prepareUnique',
  'coarsestIndexedLevel', 'finestIndexedLevel', 'columnstoreProjection', 'columnstoreCompressor',
]);
const ID_INDEX_FIELDS = new Set(['collation', 'name', 'v', 'key', 'ns', '_id']);
const BOOLEAN_FIELDS = new Set(['background', 'unique', 'sparse', 'dropDups', 'prepareUnique', 'clustered']);
const NUMBER_FIELDS = new Set(['2dsphereIndexVersion', 'textIndexVersion', 'bits', 'min', 'max', 'coarsestIndexedLevel', 'finestIndexedLevel']);
// Options that do not make two indexes differ (mongod's populateOptionsMapForEqualityCheck).
const NOT_COMPARED = new Set([
  'key', 'ns', 'name', 'v', 'textIndexVersion', '2dsphereIndexVersion', 'background', 'dropDups',
  'collation', 'partialFilterExpression', 'unique', 'sparse', 'wildcardProjection',
]);

/**
 * Validates a createIndexes spec against the collection's existing specs (including `_id_`)
 * and returns it normalised. Throws mongod's error for an invalid or conflicting spec.
 */
export function validateIndexSpec(raw: Doc, existing: readonly IndexSpec[]): SpecCheck {
  const fieldsError = specFieldsError(raw);
  if (fieldsError) throw withContext(`Error in specification ${formatBson(raw)}`, fieldsError);
  // mongod drops `ns` and appends the default `v`; later messages quote that form.
  const withV: Doc = { ...raw };
  delete withV.ns;
  if (withV.v === undefined) withV.v = 2;
  const key = raw.key as Doc;
  if (isIdIndexPattern(key)) {
    for (const name of Object.keys(withV)) {
      if (!ID_INDEX_FIELDS.has(name)) {
        throw invalidIndexSpecificationOption(`The field '${name}' is not valid for an _id index specification. Specification: ${formatBson(withV)}`);
      }
    }
    if (compareValues(key, { _id: 1 }) !== 0) throw fail('BadValue', `The field 'key' for an _id index must be {_id: 1}, but got ${formatBson(key)}`);
    checkCollation(withV);
    // Every collection has its _id index, whatever name the request gives it.
    return { spec: listForm(withV), exists: existing.some((e) => isIdIndexPattern(e.key)) };
  }
  if (raw.name === '_id_') {
    throw fail('BadValue', `The index name '_id_' is reserved for the _id index, which must have key pattern {_id: 1}, found key: ${formatBson(key)}`);
  }
  if (raw.name === '*') throw fail('BadValue', "The index name '*' is not valid.");
  checkTtl(raw, key);
  const specError = specOkError(withV);
  if (specError) throw withContext(`Error in specification ${formatBson(withV)}`, specError);
  const plugin = checkIndexPlugin(key);
  if (plugin === 'hashed') checkHashed(key, withV);
  checkCollation(withV);
  const spec = listForm(withV);
  return { spec, exists: conflictsWithExisting(spec, withV, existing) };
}

/** mongod's validateIndexSpec: every option known and of the right type, key and name present. */
function specFieldsError(raw: Doc): MongoServerError | undefined {
  for (const name of Object.keys(raw)) {
    if (!ALLOWED_FIELDS.has(name)) {
      return invalidIndexSpecificationOption(`The field '${name}' is not valid for an index specification. Specification: ${formatBson(raw)}`);
    }
  }
  const mismatch = (message: string) => fail('TypeMismatch', message);
  let plugin = '';
  for (const [name, value] of Object.entries(raw)) {
    const type = bsonType(value);
    if (name === 'key') {
      if (!isPlainObject(value)) return mismatch(`The field 'key' must be an object, but got ${type}`);
      const keyError = keyPatternError(value);
      if (keyError) return keyError;
      plugin = findPluginName(value);
    } else if (name === 'name') {
      if (type !== 'string') return mismatch(`The field 'name' must be a string, but got ${type}`);
    } else if (name === 'hidden') {
      // mongod names the wrong field in this message; kept as it says it.
      if (type !== 'bool') return mismatch(`The field 'name' must be a bool, but got ${type}`);
    } else if (name === 'v') {
      if (!isNumeric(value)) return mismatch(`The field 'v' must be a number, but got ${type}`);
      const v = numberValue(value);
      if (!Number.isInteger(v) || Math.abs(v) > 0x7fffffff) return fail('BadValue', `Index version must be representable as a 32-bit integer, but got ${formatBson(value)}`);
      if (v !== 1 && v !== 2) return fail('CannotCreateIndex', `Invalid index specification ${formatBson(raw)}; cannot create an index with v=${v}`);
    } else if (name === 'collation' || name === 'partialFilterExpression' || name === 'storageEngine') {
      if (!isPlainObject(value)) return mismatch(`The field '${name}' must be an object, but got ${type}`);
      if (name === 'collation' && Object.keys(value).length === 0) return fail('BadValue', "The field 'collation' cannot be an empty object.");
    } else if (name === 'wildcardProjection') {
      if (plugin !== 'wildcard') return fail('BadValue', "The field 'wildcardProjection' is only allowed in 'wildcard' indexes");
    } else if (name === 'weights') {
      if (!isPlainObject(value) && type !== 'string') return mismatch(`The field 'weights' must be an object, but got ${type}`);
    } else if (BOOLEAN_FIELDS.has(name)) {
      if (!isNumeric(value) && type !== 'bool') {
        // Sic: mongod's message has no closing quote after the field name.
        return mismatch(`The field '${name} has value ${name}: ${formatBson(value)}, which is not convertible to bool`);
      }
    } else if (name === 'default_language' || name === 'language_override') {
      if (type !== 'string') return mismatch(`The field '${name}' must be a string, but got ${type}`);
    } else if (NUMBER_FIELDS.has(name) && !isNumeric(value)) {
      return mismatch(`The field '${name}' must be a number, but got ${type}`);
    }
  }
  if (raw.key === undefined) return fail('FailedToParse', "The 'key' field is a required property of an index specification");
  if (raw.name === undefined) return fail('FailedToParse', "The 'name' field is a required property of an index specification");
  if (raw.weights !== undefined && plugin !== 'text') {
    return fail('CannotCreateIndex', `Invalid index specification ${formatBson(raw)}; the field 'weights' can only be specified with text indexes`);
  }
  if (trueValue(raw.unique) && trueValue(raw.prepareUnique)) {
    return fail('CannotCreateIndex', `Invalid index specification ${formatBson(raw)}; cannot create an index with the 'unique' option and the 'prepareUnique' option`);
  }
  return undefined;
}

/** mongod's validateIndexSpecTTL: a 32-bit, non-negative expireAfterSeconds on one field. */
function checkTtl(raw: Doc, key: Doc): void {
  if (!('expireAfterSeconds' in raw)) return;
  const value = raw.expireAfterSeconds;
  const problem = (reason: string) => fail('CannotCreateIndex', `. Index spec: ${formatBson(raw)} :: caused by :: ${reason}`);
  if (!isNumeric(value)) throw problem(`TTL index 'expireAfterSeconds' option must be numeric, but received a type of '${bsonType(value)}'`);
  const n = numberValue(value);
  if (Number.isNaN(n)) throw problem("TTL index 'expireAfterSeconds' option must not be NaN");
  const whole = Math.trunc(n);
  if (whole > 0x7fffffff || whole < -0x80000000) throw problem("TTL index 'expireAfterSeconds' must be within the range of a 32-bit integer");
  if (whole < 0) throw problem("TTL index 'expireAfterSeconds' option cannot be less than 0");
  if (Object.keys(key).length !== 1) {
    throw fail('CannotCreateIndex', `TTL indexes are single-field indexes, compound indexes do not support TTL. Index spec: ${formatBson(raw)}`);
  }
}

/** mongod's IndexCatalog::_isSpecOk checks that apply here (quoted with the v:2 spec). */
function specOkError(spec: Doc): MongoServerError | undefined {
  const name = spec.name as string;
  if (name.includes('\0')) return fail('CannotCreateIndex', 'index name cannot contain NUL bytes');
  if (name === '') return fail('CannotCreateIndex', 'index name cannot be empty');
  const filter = spec.partialFilterExpression;
  if (filter !== undefined) {
    if (trueValue(spec.sparse)) return fail('CannotCreateIndex', 'cannot mix "partialFilterExpression" and "sparse" options');
    return partialFilterError(filter as Doc);
  }
  return undefined;
}

function checkHashed(key: Doc, spec: Doc): void {
  const hashed = Object.keys(key).filter((f) => key[f] === 'hashed');
  if (hashed.length > 1) {
    throw serverError(31303, 'Location31303', `A maximum of one index field is allowed to be hashed but found ${hashed.length} for 'key' ${formatBson(key)}`);
  }
  if (trueValue(spec.unique)) throw serverError(16764, 'Location16764', 'Currently hashed indexes cannot guarantee uniqueness. Use a regular index.');
}

/** The simple collation is the default and is dropped; any other collation is unsupported. */
function checkCollation(spec: Doc): void {
  const collation = spec.collation as Doc | undefined;
  if (collation === undefined) return;
  if (Object.keys(collation).length === 1 && collation.locale === 'simple') delete spec.collation;
  else throw unsupported('index collation');
}

function listForm(spec: Doc): IndexSpec {
  const { v, key, name, ...options } = spec;
  if (options.hidden === false) delete options.hidden;
  return { v, key: key as Doc, name: name as string, ...options };
}

type Comparison = 'different' | 'equivalent' | 'identical';

/** mongod's IndexDescriptor::compareIndexOptions. */
function compareSpecs(a: Doc, b: Doc): Comparison {
  if (compareValues(a.key, b.key) !== 0) return 'different';
  if (trueValue(a.unique) !== trueValue(b.unique) || trueValue(a.sparse) !== trueValue(b.sparse)) return 'different';
  if (compareValues(a.collation, b.collation) !== 0) return 'different';
  if ((a.partialFilterExpression === undefined) !== (b.partialFilterExpression === undefined)) return 'different';
  if (compareValues(a.partialFilterExpression, b.partialFilterExpression) !== 0) return 'different';
  const options = (d: Doc) => Object.keys(d).filter((k) => !NOT_COMPARED.has(k) && d[k] !== undefined).sort();
  const oa = options(a);
  const ob = options(b);
  const same = oa.length === ob.length && oa.every((k, i) => k === ob[i] && compareValues(a[k], b[k]) === 0);
  return same ? 'identical' : 'equivalent';
}

/** mongod's _doesSpecConflictWithExisting: true when an identical index exists. */
function conflictsWithExisting(spec: IndexSpec, quoted: Doc, existing: readonly IndexSpec[]): boolean {
  const requested = formatBson(quoted);
  const sameName = existing.find((e) => e.name === spec.name);
  if (sameName) {
    const comparison = compareSpecs(spec, sameName);
    if (comparison === 'identical') return true;
    if (comparison === 'different') {
      throw fail('IndexKeySpecsConflict', 'An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. ' +
        `Requested index: ${requested}, existing index: ${formatBson(sameName)}`);
    }
    throw fail('IndexOptionsConflict', `An equivalent index already exists with the same name but different options. Requested index: ${requested}, existing index: ${formatBson(sameName)}`);
  }
  for (const other of existing) {
    const comparison = compareSpecs(spec, other);
    if (comparison === 'identical') throw fail('IndexOptionsConflict', `Index already exists with a different name: ${other.name}`);
    if (comparison === 'equivalent') {
      throw fail('IndexOptionsConflict', `An equivalent index already exists with a different name and options. Requested index: ${requested}, existing index: ${formatBson(other)}`);
    }
  }
  return false;
}

function withContext(context: string, err: MongoServerError): MongoServerError {
  return serverError(err.code, err.codeName, `${context} :: caused by :: ${err.message}`, err.extra);
}
