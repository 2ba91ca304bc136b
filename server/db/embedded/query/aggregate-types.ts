/**
 * Result types mingo cannot carry: JavaScript has one number type, so an $avg of 4 comes
 * back as the integer 4 where MongoDB returns the double 4.0 ($toLong / $toDecimal alike).
 * A static pass over the pipeline finds top-level output fields with such a fixed type.
 */
import { Decimal128, Double, Long } from 'bson';
import { bsonType, isPlainObject, numberValue, type Doc } from './values';

/** Accumulators and expressions whose (non-decimal) result is always a double. */
const DOUBLE_OPERATORS = new Set([
  '$avg', '$stdDevPop', '$stdDevSamp', '$divide', '$sqrt', '$exp', '$ln', '$log', '$log10',
  '$toDouble', '$degreesToRadians', '$radiansToDegrees', '$sin', '$cos', '$tan', '$asin',
  '$acos', '$atan', '$atan2', '$sinh', '$cosh', '$tanh', '$asinh', '$acosh', '$atanh',
  '$expMovingAvg', '$derivative', '$integral', '$covariancePop', '$covarianceSamp', '$median',
]);

export type FixedType = 'double' | 'long' | 'decimal';

function fixedType(expr: unknown): FixedType | undefined {
  if (!isPlainObject(expr)) return undefined;
  const keys = Object.keys(expr);
  if (keys.length !== 1) return undefined;
  if (DOUBLE_OPERATORS.has(keys[0])) return 'double';
  if (keys[0] === '$toLong') return 'long';
  if (keys[0] === '$toDecimal') return 'decimal';
  return undefined;
}

function accumulatorFields(spec: unknown, skip: string[] = []): Map<string, FixedType> {
  const out = new Map<string, FixedType>();
  if (!isPlainObject(spec)) return out;
  for (const k of Object.keys(spec)) {
    const t = skip.includes(k) ? undefined : fixedType(spec[k]);
    if (t) out.set(k, t);
  }
  return out;
}

function isInclusion(v: unknown): boolean {
  return v === true || (typeof v === 'number' && v !== 0);
}

/** Top-level fields of the pipeline's output whose numeric type MongoDB fixes. */
export function fixedTypes(pipeline: Doc[]): Map<string, FixedType> {
  let fields = new Map<string, FixedType>();
  for (const stage of pipeline) {
    const name = Object.keys(stage)[0];
    const spec = stage[name];
    switch (name) {
      case '$match': case '$sort': case '$limit': case '$skip': case '$sample': case '$redact':
        break;
      case '$group': fields = accumulatorFields(spec, ['_id']); break;
      case '$bucket': case '$bucketAuto':
        fields = accumulatorFields(isPlainObject(spec) ? spec.output : undefined); break;
      case '$addFields': case '$set': case '$project': {
        if (!isPlainObject(spec)) { fields = new Map(); break; }
        const keys = Object.keys(spec);
        const inclusionProject = name === '$project' && keys.some((k) => k !== '_id' && !(spec[k] === 0 || spec[k] === false));
        const next = inclusionProject ? new Map<string, FixedType>() : new Map(fields);
        for (const k of keys) {
          const top = k.split('.')[0];
          const t = k.includes('.') ? undefined : fixedType(spec[k]);
          const kept = fields.get(top);
          if (t) next.set(top, t);
          else if (isInclusion(spec[k]) && name === '$project') { if (kept) next.set(top, kept); }
          else next.delete(top);
        }
        fields = next;
        break;
      }
      case '$setWindowFields': {
        const output = isPlainObject(spec) ? spec.output : undefined;
        for (const k of isPlainObject(output) ? Object.keys(output) : []) {
          const t = fixedType(output[k]);
          if (t) fields.set(k.split('.')[0], t);
          else fields.delete(k.split('.')[0]);
        }
        break;
      }
      case '$unset':
        for (const k of Array.isArray(spec) ? spec : [spec]) if (typeof k === 'string') fields.delete(k.split('.')[0]);
        break;
      case '$unwind': {
        const path = typeof spec === 'string' ? spec : isPlainObject(spec) ? spec.path : undefined;
        if (typeof path === 'string') fields.delete(path.replace(/^\$/, '').split('.')[0]);
        if (isPlainObject(spec) && typeof spec.includeArrayIndex === 'string') fields.delete(spec.includeArrayIndex);
        break;
      }
      case '$lookup': case '$graphLookup':
        if (isPlainObject(spec) && typeof spec.as === 'string') fields.delete(spec.as.split('.')[0]);
        break;
      default:
        fields = new Map();
    }
  }
  return fields;
}

/** Gives numbers in fixed-type fields their MongoDB type (fromPlain typed them by value). */
export function applyFixedTypes(doc: Doc, fields: Map<string, FixedType>): Doc {
  for (const [f, type] of fields) {
    const t = bsonType(doc[f]);
    if (t !== 'int' && t !== 'long' && t !== 'double') continue;
    const n = numberValue(doc[f]);
    if (type === 'double') doc[f] = new Double(n);
    else if (type === 'long' && Number.isInteger(n)) doc[f] = Long.fromNumber(n);
    // A double becomes Decimal128 with 15 significant digits, as MongoDB converts it.
    else if (type === 'decimal' && Number.isFinite(n)) doc[f] = Decimal128.fromString(Number.isInteger(n) ? String(n) : n.toPrecision(15));
  }
  return doc;
}
