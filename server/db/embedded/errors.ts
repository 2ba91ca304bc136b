/**
 * Server errors of the embedded engine, with MongoDB's numeric codes and code names.
 * Every command failure is one of these; the dispatcher turns it into
 * `{ ok: 0, errmsg, code, codeName, ...extra }`.
 */

export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  NoSuchKey: 4,
  FailedToParse: 9,
  TypeMismatch: 14,
  InvalidLength: 16,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  DollarPrefixedFieldName: 52,
  InvalidIdField: 53,
  NotSingleValueField: 54,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  OperationFailed: 96,
  CannotCreateIndex: 67,
  CommandNotSupported: 115,
  NoSuchTransaction: 251,
  Location16755: 16755,
  DuplicateKey: 11000,
  BSONObjectTooLarge: 10334,
  InvalidBSON: 22,
  MaxTimeMSExpired: 50,
  Unauthorized: 13,
  ProtocolError: 17,
  MergeStageNoMatchingDocument: 13113,
  Location51132: 51132,
  Location31254: 31254,
  Location31253: 31253,
  Location40352: 40352,
  OutOfDiskSpace: 14031,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;

/** A MongoDB server error: code, codeName and any extra reply fields (keyPattern, keyValue...). */
export class MongoServerError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly extra: Record<string, unknown>;

  constructor(codeName: ErrorCodeName, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'MongoServerError';
    this.code = ErrorCodes[codeName];
    this.codeName = codeName;
    this.extra = extra;
  }

  /** The `{ ok: 0, ... }` reply body for this error. */
  toReply(): Record<string, unknown> {
    const reply: Record<string, unknown> = { ok: 0, errmsg: this.message, code: this.code };
    if (this.codeName) reply.codeName = this.codeName;
    return { ...reply, ...this.extra };
  }
}

/** Shorthand used throughout the engine: `throw fail('BadValue', 'message')`. */
export function fail(codeName: ErrorCodeName, message: string, extra?: Record<string, unknown>): MongoServerError {
  return new MongoServerError(codeName, message, extra);
}

/** The message every unsupported feature carries, so users know where to go instead. */
export function unsupported(feature: string): MongoServerError {
  return new MongoServerError(
    'CommandNotSupported',
    `${feature} is not supported by Retour's embedded engine; point MONGODB_URI at a MongoDB server to use it`,
  );
}
