/**
 * Index errors whose MongoDB codes errors.ts does not list: parallel arrays (171), invalid
 * index specification options (197), hashed-index restrictions (16764, 16766). They are
 * MongoServerErrors like every other failure, so the dispatcher replies with them as is.
 */
import { MongoServerError } from '../errors';

/** A MongoServerError with an explicit code and code name. */
export function serverError(code: number, codeName: string, message: string, extra?: Record<string, unknown>): MongoServerError {
  const err = new MongoServerError('BadValue', message, extra);
  // errors.ts keys codes by name; these are not in its table, so set them after the fact.
  Object.assign(err, { code, codeName });
  return err;
}

export function cannotIndexParallelArrays(current: string, previous: string): MongoServerError {
  return serverError(171, 'CannotIndexParallelArrays', `cannot index parallel arrays [${current}] [${previous}]`);
}

export function invalidIndexSpecificationOption(message: string): MongoServerError {
  return serverError(197, 'InvalidIndexSpecificationOption', message);
}
