/**
 * MongoDB "Location" errors (numeric codes without a code name, e.g. 15975 for a bad sort
 * order) that errors.ts does not list, for the filter, sort and projection parsers.
 */
import { MongoServerError, fail } from '../errors';

/** A MongoServerError with a code errors.ts does not name, e.g. `locationError(15975, ...)` → codeName "Location15975". */
export function locationError(code: number, message: string, codeName = `Location${code}`): MongoServerError {
  const err = new MongoServerError('BadValue', message);
  // errors.ts only names a fixed set of codes; the reply must still carry MongoDB's own number.
  Object.defineProperty(err, 'code', { value: code, enumerable: true });
  Object.defineProperty(err, 'codeName', { value: codeName, enumerable: true });
  return err;
}

/** A short rendering of a value for error messages, close to MongoDB's `field: value` form. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return String(v);
  const t = (v as { _bsontype?: string })._bsontype;
  if (t === 'Int32' || t === 'Double') return String((v as { value: number }).value);
  if (t !== undefined) return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** Whether mingo refused an expression because it does not know one of its operators. */
export function isUnknownOperator(e: unknown): boolean {
  return /not registered|unknown operator|unrecognized/i.test(e instanceof Error ? e.message : String(e));
}

/** mingo's expression errors as MongoDB's: unknown operators are InvalidPipelineOperator (168). */
export function expressionError(e: unknown): MongoServerError {
  if (e instanceof MongoServerError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (isUnknownOperator(e)) return locationError(168, `Unrecognized expression: ${message}`, 'InvalidPipelineOperator');
  return fail('BadValue', message);
}
