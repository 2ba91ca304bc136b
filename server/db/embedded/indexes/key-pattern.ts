/**
 * Index key patterns: which index type ("plugin") a pattern asks for, mongod's validation
 * of patterns (CannotCreateIndex messages), and which types the embedded engine builds:
 * ascending/descending (compound, multikey) and hashed; text, geo and wildcard are refused.
 */
import { fail, unsupported, type MongoServerError } from '../errors';
import { bsonType, isNumeric, numberValue, type Doc } from '../query/values';

const KNOWN_PLUGINS = new Set(['2d', '2dsphere', '2dsphere_bucket', 'text', 'hashed', 'wildcard', 'columnstore']);

/** BSON's notion of truth for flags such as `unique: 1`: false, 0, null and missing are false. */
export function trueValue(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (isNumeric(v)) return numberValue(v) !== 0;
  return true;
}

/** The index type a key pattern names: '' for a plain (btree) index, else "text", "hashed"... */
export function findPluginName(key: Doc): string {
  for (const field of Object.keys(key)) {
    if (typeof key[field] === 'string') return key[field] as string;
    if (field === '$**' || field.endsWith('.$**')) return 'wildcard';
  }
  return '';
}

/** `{_id: 1}` or `{_id: -1}`: the pattern of the _id index (mongod's isIdIndexPattern). */
export function isIdIndexPattern(key: Doc): boolean {
  const fields = Object.keys(key);
  if (fields.length !== 1 || fields[0] !== '_id' || !isNumeric(key._id)) return false;
  const n = Math.trunc(numberValue(key._id));
  return n === 1 || n === -1;
}

/**
 * Checks that the engine can build an index of this pattern and returns its plugin name
 * ('' or 'hashed'). Other known types are unsupported; unknown ones are mongod's error.
 */
export function checkIndexPlugin(key: Doc): string {
  const plugin = findPluginName(key);
  if (plugin === '' || plugin === 'hashed') return plugin;
  if (plugin === 'geoHaystack') throw fail('CannotCreateIndex', 'GeoHaystack indexes cannot be created in version 5.0 and above');
  if (!KNOWN_PLUGINS.has(plugin)) throw fail('CannotCreateIndex', `Unknown index plugin '${plugin}'`);
  throw unsupported(`${plugin} indexes`);
}

/** mongod's validateKeyPattern for v:2 indexes; the error, or undefined when it is valid. */
export function keyPatternError(key: Doc): MongoServerError | undefined {
  const bad = (message: string) => fail('CannotCreateIndex', message);
  const fields = Object.keys(key);
  if (fields.length === 0) return bad('Index keys cannot be empty.');
  const plugin = findPluginName(key);
  if (plugin === 'geoHaystack') return bad('GeoHaystack indexes cannot be created in version 5.0 and above');
  if (plugin !== '' && !KNOWN_PLUGINS.has(plugin)) return bad(`Unknown index plugin '${plugin}'`);
  for (const field of fields) {
    const value = key[field];
    if (isNumeric(value)) {
      const n = numberValue(value);
      if (Number.isNaN(n)) return bad('Values in the index key pattern cannot be NaN.');
      if (n === 0) return bad('Values in the index key pattern cannot be 0.');
    } else if (typeof value !== 'string') {
      return bad(`Values in v:2 index key pattern cannot be of type ${bsonType(value)}. Only numbers > 0, numbers < 0, and strings are allowed.`);
    }
    if (typeof value === 'string' && value !== plugin) return bad("Can't use more than one index plugin for a single index.");
    if (value === 'wildcard') return bad("The key pattern value for an 'wildcard' index must be a non-zero number, not a string.");
    if (field === '') return bad('Index keys cannot be an empty field.');
    if (field === '$**' && (isNumeric(value) || value === 'text' || value === 'columnstore')) continue;
    if (field === '_fts' && value !== 'text') return bad("Index key contains an illegal field name: '_fts'");
    const parts = field.split('.');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part === '') return bad('Index keys cannot contain an empty field.');
      if (!part.startsWith('$')) continue;
      // "$id", "$ref" and "$db" may be parts of a DBRef; "$**" ends a wildcard path.
      const dbRef = i > 0 && (part === '$db' || part === '$id' || part === '$ref');
      const wildcard = i === parts.length - 1 && part === '$**' && (plugin === 'wildcard' || plugin === 'columnstore');
      if (!dbRef && !wildcard) return bad("Index key contains an illegal field name: field name starts with '$'.");
    }
  }
  for (const field of fields) {
    if (key[field] === '') return bad('Values in the index key pattern cannot be empty strings');
  }
  return undefined;
}
