/**
 * Typed errors. Services throw an AppError kind (status, stable UPPER_SNAKE code,
 * optional details); server/http/error-handler.ts turns it into a page or a JSON body.
 * StartupError is for the process: a setting or a dependency that stops start-up.
 */

export interface ErrorOptions {
  /** Stable UPPER_SNAKE code for clients, e.g. INVITATION_EXPIRED. */
  code?: string;
  /** Safe to show to the caller: field messages, the conflicting key... */
  details?: unknown;
  cause?: unknown;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = options.code ?? code;
    this.details = options.details;
  }
}

/** 400: the request cannot be read at all (malformed JSON, bad encoding). */
export class BadRequest extends AppError {
  constructor(message = 'The request could not be read.', options?: ErrorOptions) {
    super(400, 'BAD_REQUEST', message, options);
  }
}

/** 401: no valid credentials (missing or unknown API key, no session). */
export class Unauthorized extends AppError {
  constructor(message = 'Authentication is required.', options?: ErrorOptions) {
    super(401, 'UNAUTHORIZED', message, options);
  }
}

/** 403: authenticated, but not allowed to do this. */
export class Forbidden extends AppError {
  constructor(message = 'You are not allowed to do this.', options?: ErrorOptions) {
    super(403, 'FORBIDDEN', message, options);
  }
}

/** 404: no such thing (or the caller may not know it exists). */
export class NotFound extends AppError {
  constructor(message = 'Not found.', options?: ErrorOptions) {
    super(404, 'NOT_FOUND', message, options);
  }
}

/** 409: the change conflicts with stored data (duplicate key, stale version). */
export class Conflict extends AppError {
  constructor(message = 'This conflicts with existing data.', options?: ErrorOptions) {
    super(409, 'CONFLICT', message, options);
  }
}

/** 410: it existed and is gone for good (expired or answered invitation). */
export class Gone extends AppError {
  constructor(message = 'This is no longer available.', options?: ErrorOptions) {
    super(410, 'GONE', message, options);
  }
}

/** 413: the body is larger than the route accepts. */
export class PayloadTooLarge extends AppError {
  constructor(message = 'The request body is too large.', options?: ErrorOptions) {
    super(413, 'PAYLOAD_TOO_LARGE', message, options);
  }
}

/** 422: well-formed but invalid input; details lists the fields. */
export class Invalid extends AppError {
  constructor(message = 'Some values are invalid.', options?: ErrorOptions) {
    super(422, 'INVALID', message, options);
  }
}

/** 503: something the request needs (the database) cannot be reached for now; retrying shortly may work. */
export class ServiceUnavailable extends AppError {
  constructor(message = 'The service is temporarily unavailable. Please try again in a moment.', options?: ErrorOptions) {
    super(503, 'UNAVAILABLE', message, options);
  }
}

/** 507: the database's storage is full; nothing new can be saved until space is freed. */
export class InsufficientStorage extends AppError {
  constructor(message = 'The storage is full: nothing new can be saved for now.', options?: ErrorOptions) {
    super(507, 'STORAGE_FULL', message, options);
  }
}

/**
 * A setting or dependency that stops start-up. `variable` names the environment
 * variable to fix; main.ts prints the message as one line and exits 1.
 */
export class StartupError extends Error {
  readonly variable: string | undefined;

  constructor(message: string, variable?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
    this.variable = variable;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
