/**
 * Replacement semantics shared by replacement-style and pipeline updates: the new
 * document keeps the old `_id` when it has none and may not change it; `_id` goes first
 * and must be storable.
 */
import { fail } from '../errors';
import { formatElement, identical } from './update-format';
import { nextTimestamp } from './update-operators';
import type { UpdateOptions, UpdateResult } from './update-types';
import { bsonType, cloneValue, compareValues, isPlainObject, type Doc } from './values';

export function checkIdValue(doc: Doc, isInsert: boolean): void {
  if (!Object.prototype.hasOwnProperty.call(doc, '_id')) return;
  const t = bsonType(doc._id);
  if (t === 'array' && isInsert) {
    throw fail('NotSingleValueField', "After applying the update to the document, the field '_id' was found to be an array or array descendant.");
  }
  if (t === 'array' || t === 'regex' || t === 'undefined') throw fail('InvalidIdField', `The '_id' value cannot be of type ${t}`);
  if (isPlainObject(doc._id)) {
    const bad = Object.keys(doc._id).find((k) => k.startsWith('$'));
    if (bad) throw fail('DollarPrefixedFieldName', `_id fields may not contain '$'-prefixed fields: ${bad} is not valid for storage.`);
  }
}

/** `_id` first, as MongoDB stores it. */
export function idFirst(doc: Doc): Doc {
  const keys = Object.keys(doc);
  if (keys.length === 0 || keys[0] === '_id' || !keys.includes('_id')) return doc;
  const out: Doc = { _id: doc._id };
  for (const k of keys) if (k !== '_id') out[k] = doc[k];
  return out;
}

/** Replaces `doc` by `replacement` (a replacement update, or a pipeline's output). */
export function replaceDocument(doc: Doc, replacement: Doc, opts: UpdateOptions, fromPipeline: boolean): UpdateResult {
  const out: Doc = {};
  const hasId = Object.prototype.hasOwnProperty.call(replacement, '_id');
  if (!hasId && Object.prototype.hasOwnProperty.call(doc, '_id')) out._id = doc._id;
  const now = opts.now ?? new Date();
  for (const key of Object.keys(replacement)) {
    let value = replacement[key];
    if (!fromPipeline && !opts.isInsert && key.startsWith('$')) {
      throw fail('DollarPrefixedFieldName', `The dollar ($) prefixed field '${key}' in '${key}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`);
    }
    // Like mongod, a top-level Timestamp(0, 0) outside _id becomes the current time.
    if (key !== '_id' && bsonType(value) === 'timestamp' && (value as { isZero?: () => boolean }).isZero?.()) value = nextTimestamp(now);
    out[key] = cloneValue(value);
  }
  if (hasId && Object.prototype.hasOwnProperty.call(doc, '_id') && compareValues(doc._id, out._id) !== 0) {
    throw fail('ImmutableField', `After applying the update, the (immutable) field '_id' was found to have been altered to ${formatElement('_id', out._id)}`);
  }
  checkIdValue(out, opts.isInsert === true);
  const result = idFirst(out);
  return { doc: result, modified: !identical(doc, result) };
}
