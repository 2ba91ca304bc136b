/**
 * Pipeline-style updates ([{$set: ...}, {$unset: ...}]): only the stages MongoDB allows
 * in an update, run by mingo on the plain form of the document; fields the pipeline did
 * not touch keep their BSON types, and the result is applied as a replacement.
 */
import { fail } from '../errors';
import { runPlainStages } from './aggregate';
import { serverError } from './update-format';
import { fromPlain, isPlainObject, toPlain, type Doc } from './values';
import { replaceDocument } from './update-replace';
import type { UpdateOptions, UpdateResult } from './update-types';

const ALLOWED = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);
const OTHER_STAGES = new Set([
  '$bucket', '$bucketAuto', '$count', '$densify', '$documents', '$facet', '$fill', '$graphLookup', '$group',
  '$limit', '$lookup', '$match', '$merge', '$out', '$redact', '$sample', '$setWindowFields', '$skip', '$sort',
  '$sortByCount', '$unionWith', '$unwind', '$geoNear', '$search', '$changeStream', '$collStats', '$indexStats',
]);

/** Rejects stages an update pipeline may not contain, with MongoDB's codes. */
export function validatePipelineUpdate(stages: unknown[]): void {
  for (const stage of stages) {
    if (!isPlainObject(stage)) throw fail('TypeMismatch', "Each element of the 'pipeline' array must be an object");
    const keys = Object.keys(stage);
    if (keys.length !== 1) throw serverError(40323, 'Location40323', 'A pipeline stage specification object must contain exactly one field.');
    const name = keys[0];
    if (ALLOWED.has(name)) continue;
    if (OTHER_STAGES.has(name)) throw fail('InvalidOptions', `${name} is not allowed to be used within an update`);
    throw serverError(40324, 'Location40324', `Unrecognized pipeline stage name: '${name}'`);
  }
}

export function runPipelineUpdate(doc: Doc, stages: Doc[], opts: UpdateOptions): UpdateResult {
  const plain = toPlain(doc) as Doc;
  const [result] = runPlainStages([plain], stages, { now: opts.now ?? new Date(), variables: opts.variables });
  if (!isPlainObject(result)) throw fail('BadValue', 'The update pipeline did not produce a document');
  const typed = fromPlain(result, doc) as Doc;
  return replaceDocument(doc, typed, opts, true);
}
