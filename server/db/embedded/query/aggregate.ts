/**
 * Aggregation pipelines on typed documents, run by mingo with the engine's overrides
 * (aggregate-context.ts). Leading $match stages use the engine's own matcher on typed
 * documents; stages the engine must not fake are refused; $out/$merge are split off for
 * the aggregate command, which writes through engine/.
 */
import { Timestamp } from 'bson';
import { fail, unsupported } from '../errors';
import { engineContext, PRELUDE_STAGE } from './aggregate-context';
import { applyFixedTypes, fixedTypes } from './aggregate-types';
import { compileFilter } from './match';
import { formatValue as formatKey, serverError } from './update-format';
import { bsonType, fromPlain, isPlainObject, toPlain, type Doc } from './values';

// The base Aggregator takes our context as is (mingo's index would let its defaults win).
// Loaded with require: this project's node10 resolution does not read package "exports".
const { Aggregator } = require('mingo/aggregator') as typeof import('mingo/types/aggregator');

export interface PipelineOptions {
  /** Typed documents of another collection of the same database ($lookup, $unionWith, $graphLookup). */
  resolveCollection?: (name: string) => Doc[];
  /** User variables (`let`), typed. */
  variables?: Doc;
  now?: Date;
  /** runPipeline never runs $out/$merge; split them off with splitOutputStage first. */
  allowOutMerge?: false;
}

export interface OutputStage { kind: 'out' | 'merge'; spec: unknown }

/** MongoDB outputs `_id` first (mingo's $project puts it last). */
function idFirst(doc: Doc): Doc {
  const keys = Object.keys(doc);
  if (keys[0] === '_id' || !keys.includes('_id')) return doc;
  const out: Doc = { _id: doc._id };
  for (const k of keys) if (k !== '_id') out[k] = doc[k];
  return out;
}

/** Stages that need a server feature the engine does not have. */
const UNSUPPORTED_STAGES = new Set([
  '$search', '$searchMeta', '$vectorSearch', '$geoNear', '$changeStream', '$changeStreamSplitLargeEvent',
  '$currentOp', '$listSessions', '$listLocalSessions', '$planCacheStats', '$indexStats', '$collStats',
  '$listSearchIndexes', '$shardedDataDistribution', '$listSampledQueries', '$querySettings', '$queryStats',
  '$listCatalog', '$listClusterCatalog',
]);

const KNOWN_STAGES = new Set([
  '$addFields', '$bucket', '$bucketAuto', '$count', '$densify', '$documents', '$facet', '$fill',
  '$graphLookup', '$group', '$limit', '$lookup', '$match', '$merge', '$out', '$project', '$redact',
  '$replaceRoot', '$replaceWith', '$sample', '$set', '$setWindowFields', '$skip', '$sort',
  '$sortByCount', '$unionWith', '$unset', '$unwind',
]);

/** Query operators mingo cannot evaluate and must not pretend to. */
const UNSUPPORTED_QUERY = new Set(['$text', '$near', '$nearSphere', '$geoWithin', '$geoIntersects', '$within']);

function stageName(stage: unknown): string {
  if (!isPlainObject(stage)) throw fail('TypeMismatch', 'Each element of the \'pipeline\' array must be an object');
  const keys = Object.keys(stage);
  if (keys.length !== 1) throw serverError(40323, 'Location40323', 'A pipeline stage specification object must contain exactly one field.');
  return keys[0];
}

function scanQuery(value: unknown): void {
  if (Array.isArray(value)) value.forEach(scanQuery);
  else if (isPlainObject(value)) {
    for (const k of Object.keys(value)) {
      if (UNSUPPORTED_QUERY.has(k)) throw unsupported(k);
      scanQuery(value[k]);
    }
  }
}

type Nesting = 'top' | '$facet' | '$lookup' | '$unionWith';

const NESTED_OUTPUT_ERRORS: Record<Exclude<Nesting, 'top'>, [number, string]> = {
  $facet: [40600, 'is not allowed to be used within a $facet stage'],
  $lookup: [51047, "is not allowed within a $lookup's sub-pipeline"],
  $unionWith: [31441, "is not allowed within a $unionWith's sub-pipeline"],
};

/** Checks every stage (recursively through sub-pipelines) before anything runs. */
function validatePipeline(pipeline: unknown, nesting: Nesting): void {
  if (!Array.isArray(pipeline)) throw fail('TypeMismatch', "'pipeline' option must be specified as an array");
  pipeline.forEach((stage, i) => {
    const name = stageName(stage);
    const spec = (stage as Doc)[name];
    if (UNSUPPORTED_STAGES.has(name)) throw unsupported(name);
    if (!KNOWN_STAGES.has(name)) throw serverError(40324, 'Location40324', `Unrecognized pipeline stage name: '${name}'`);
    if (name === '$out' || name === '$merge') {
      if (nesting !== 'top') {
        const [code, text] = NESTED_OUTPUT_ERRORS[nesting];
        throw serverError(code, `Location${code}`, `${name} ${text}`);
      }
      if (i !== pipeline.length - 1) throw serverError(40601, 'Location40601', `${name} can only be the final stage in the pipeline`);
    }
    if (name === '$match') scanQuery(spec);
    if (name === '$facet' && isPlainObject(spec)) for (const k of Object.keys(spec)) validatePipeline(spec[k], '$facet');
    if ((name === '$lookup' || name === '$unionWith') && isPlainObject(spec) && spec.pipeline !== undefined) {
      validatePipeline(spec.pipeline, name);
    }
  });
}

/** Separates a final $out / $merge (which the aggregate command performs) from the stages to run. */
export function splitOutputStage(pipeline: Doc[]): { stages: Doc[]; output?: OutputStage } {
  validatePipeline(pipeline, 'top');
  const lastStage = pipeline[pipeline.length - 1];
  const name = lastStage ? stageName(lastStage) : undefined;
  if (name === '$out' || name === '$merge') {
    return { stages: pipeline.slice(0, -1), output: { kind: name === '$out' ? 'out' : 'merge', spec: lastStage[name] } };
  }
  return { stages: pipeline };
}

/**
 * Pipeline specifications arrive typed from the wire ({$sum: Int32(1)}); mingo needs
 * plain numbers, and JavaScript RegExps where a BSON regex can be one.
 */
function plainSpec(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plainSpec);
  if (bsonType(v) === 'regex' && !(v instanceof RegExp)) {
    const { pattern, options } = v as { pattern: string; options: string };
    try {
      return new RegExp(pattern, options.replace(/[^imsu]/g, ''));
    } catch {
      return v;
    }
  }
  if (isPlainObject(v)) {
    const out: Doc = {};
    for (const k of Object.keys(v)) out[k] = plainSpec(v[k]);
    return out;
  }
  return toPlain(v);
}

export interface PlainRunOptions {
  now: Date;
  variables?: Doc;
  resolveCollection?: (name: string) => Doc[];
}

/** Runs stages on plain documents with mingo and the engine context (also used by pipeline updates). */
export function runPlainStages(docs: Iterable<Doc>, stages: Doc[], opts: PlainRunOptions): Doc[] {
  const cache = new Map<string, Doc[]>();
  const resolver = (name: string): Doc[] => {
    let docsOf = cache.get(name);
    if (!docsOf) {
      docsOf = (opts.resolveCollection?.(name) ?? []).map((d) => toPlain(d) as Doc);
      cache.set(name, docsOf);
    }
    return docsOf;
  };
  const clusterTime = new Timestamp({ t: Math.floor(opts.now.getTime() / 1000), i: 1 });
  const variables = { ...(toPlain(opts.variables ?? {}) as Doc), CLUSTER_TIME: clusterTime };
  const aggregator = new Aggregator([{ [PRELUDE_STAGE]: opts.now.getTime() }, ...(plainSpec(stages) as Doc[])], {
    context: engineContext(),
    collectionResolver: resolver,
    variables,
  });
  try {
    return aggregator.run(docs) as Doc[];
  } catch (err) {
    if (err instanceof Error && !('code' in err)) throw fail('BadValue', err.message);
    throw err;
  }
}

/** Stages whose outputs are new documents rather than the inputs reshaped. */
const REGROUPING_STAGES = new Set(['$group', '$bucket', '$bucketAuto', '$count', '$sortByCount', '$facet']);

function* filtered(docs: Iterable<Doc>, matcher: { test(d: Doc): boolean }): Generator<Doc> {
  for (const d of docs) if (matcher.test(d)) yield d;
}

function* plainCopies(docs: Iterable<Doc>, remember: (d: Doc) => void): Generator<Doc> {
  for (const d of docs) {
    remember(d);
    yield toPlain(d) as Doc;
  }
}

/**
 * Runs an aggregation pipeline (without $out/$merge) over typed documents and returns
 * typed documents. Fields that pass through unchanged keep their BSON types.
 */
export function runPipeline(input: Iterable<Doc>, pipeline: Doc[], opts: PipelineOptions = {}): Doc[] {
  validatePipeline(pipeline, 'top');
  const last = pipeline[pipeline.length - 1];
  if (last && ['$out', '$merge'].includes(stageName(last))) {
    throw fail('IllegalOperation', `${stageName(last)} must be split off with splitOutputStage and run by the aggregate command`);
  }
  let docs: Iterable<Doc> = input;
  let start = 0;
  // Leading $match stages run on typed documents, so BSON comparison rules hold exactly.
  while (start < pipeline.length && stageName(pipeline[start]) === '$match') {
    docs = filtered(docs, compileFilter(pipeline[start].$match as Doc));
    start++;
  }
  const stages = pipeline.slice(start);
  if (stages.length === 0) return Array.from(docs);
  // Typed originals by _id: output documents that carry one get back their field types.
  // Grouping stages make new documents, so there is nothing to remember for them.
  const keepTypes = !stages.some((s) => REGROUPING_STAGES.has(stageName(s)));
  const originals = new Map<string, Doc>();
  const remember = (d: Doc): void => {
    if (keepTypes && d._id !== undefined && !originals.has(formatKey(d._id))) originals.set(formatKey(d._id), d);
  };
  const resolve = opts.resolveCollection;
  // Documents stream into mingo one at a time: a $group over a large collection holds
  // only its groups, not a plain copy of every input document.
  const out = runPlainStages(plainCopies(docs, remember), stages, {
    now: opts.now ?? new Date(),
    variables: opts.variables,
    resolveCollection: resolve && ((name: string) => {
      const other = resolve(name);
      other.forEach(remember);
      return other;
    }),
  });
  const fixed = fixedTypes(plainSpec(stages) as Doc[]);
  return out.map((d) => {
    const like = d._id !== undefined ? originals.get(formatKey(d._id)) : undefined;
    const typed = idFirst(fromPlain(d, like) as Doc);
    return fixed.size ? applyFixedTypes(typed, fixed) : typed;
  });
}

