/**
 * The one error pipeline: converts anything thrown (AppError kinds, body-parser and
 * Mongoose errors, bugs) into an AppError, lets the request log (request-log.ts) write
 * 5xx once with stack and request id, then answers an HTML page (views/errors/error.hbs)
 * or, under /api and for clients that ask for JSON, { error: { code, message, details } }.
 * Stacks only in development.
 * A database that cannot be reached answers 503 (with Retry-After), a full one 507; their
 * pages say whether what was sent got saved.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { databaseFault } from '../db';
import { AppError, BadRequest, Conflict, InsufficientStorage, Invalid, NotFound, PayloadTooLarge, ServiceUnavailable } from '../errors';
import { lookup, negotiateLocale, type Translate } from '../i18n';
import type { Config } from '../config';
import { useLocale } from './i18n';

const INTERNAL_MESSAGE = 'Something went wrong on our side.';
/** Seconds a client should wait before trying again while the database is unreachable. */
const RETRY_AFTER_S = 5;
/** Error codes with their own page texts under `faults.` in server/i18n. */
const FAULT_PAGES: Record<string, string> = { DATABASE_UNAVAILABLE: 'databaseUnavailable', STORAGE_FULL: 'storageFull' };

/** The last route: nothing matched. */
export function notFound(): RequestHandler {
  return (req, _res, next) => next(new NotFound(`No page or endpoint at ${req.method} ${req.path}.`));
}

export function errorHandler(config: Pick<Config, 'nodeEnv'>): ErrorRequestHandler {
  const showStack = config.nodeEnv === 'development';
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const error = toAppError(err);
    // The request log writes the finished request with this error (stack, request id) at level error.
    if (error.status >= 500) res.err = err instanceof Error ? err : new Error(String(err));
    const stack = showStack && error.status >= 500 && err instanceof Error ? err.stack : undefined;
    res.status(error.status);
    if (error.code === 'DATABASE_UNAVAILABLE') res.set('Retry-After', String(RETRY_AFTER_S));
    if (wantsJson(req)) {
      res.json({ error: { code: error.code, message: error.message, details: error.details ?? null, stack } });
      return;
    }
    renderPage(req, res, error, stack);
  };
}

/** Under /api, for clients that ask for JSON, and for requests that sent JSON (an integration posting answers). */
function wantsJson(req: Request): boolean {
  return req.path === '/api' || req.path.startsWith('/api/') || req.accepts(['html', 'json']) === 'json' || Boolean(req.is('application/json'));
}

function renderPage(req: Request, res: Response, error: AppError, stack: string | undefined): void {
  if (!res.locals.t) useLocale(res, negotiateLocale(req.get('accept-language')));
  const t = res.locals.t;
  const key = lookup(res.locals.locale, `errors.${error.status}.title`) ? String(error.status) : 'default';
  const words = faultWords(req, error, t) ?? { title: t(`errors.${key}.title`), lead: t(`errors.${key}.lead`) };
  const details = Array.isArray(error.details)
    ? error.details.filter((d): d is { message: string } => typeof d?.message === 'string')
    : [];
  const locals = {
    status: error.status,
    ...words,
    details,
    requestId: error.status >= 500 ? String(req.id ?? '') : undefined,
    stack,
  };
  res.render('errors/error', locals, (renderErr: unknown, html?: string) => {
    if (renderErr || html === undefined) {
      req.log?.error({ err: renderErr }, 'error page failed to render');
      res.type('text/plain').send(`${locals.status} ${locals.title}\n${locals.lead}\n`);
      return;
    }
    res.type('html').send(html);
  });
}

/**
 * A database fault in people's words: what is wrong and, for a form or the survey's answers
 * (anything but a read), that what they sent was not saved and when to try again.
 */
function faultWords(req: Request, error: AppError, t: Translate): { title: string; lead: string } | undefined {
  const section = FAULT_PAGES[error.code];
  if (!section) return undefined;
  const read = req.method === 'GET' || req.method === 'HEAD';
  const lead = read ? 'lead' : req.path.startsWith('/s/') ? 'answersNotSaved' : 'notSaved';
  return { title: t(`faults.${section}.title`), lead: t(`faults.${section}.${lead}`) };
}

/** Known shapes become their AppError kind; anything else is a 500 whose message stays private. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as { name?: string; type?: string; status?: number; code?: unknown; expose?: boolean; errors?: unknown; keyPattern?: object };
  if (e.type === 'entity.too.large') return new PayloadTooLarge(undefined, { cause: err });
  if (e.type === 'entity.parse.failed') return new BadRequest('The request body is not valid JSON.', { cause: err });
  // The router's own error for a path parameter with a broken %-escape (`/s/%zz`, overlong UTF-8).
  if (err instanceof URIError) return new BadRequest('The address holds an invalid %-escape.', { code: 'BAD_ADDRESS', cause: err });
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose) {
    return new AppError(e.status, 'BAD_REQUEST', (err as Error).message, { cause: err });
  }
  if (e.name === 'CastError') return new NotFound(undefined, { cause: err });
  if (e.name === 'ValidationError' && e.errors && typeof e.errors === 'object') {
    const details = Object.entries(e.errors as Record<string, { message?: string }>).map(([field, fieldErr]) => ({
      field,
      message: fieldErr.message ?? 'is invalid',
    }));
    return new Invalid(undefined, { details, cause: err });
  }
  if (e.code === 11000) {
    return new Conflict('This already exists.', {
      code: 'DUPLICATE',
      details: { fields: Object.keys(e.keyPattern ?? {}) },
      cause: err,
    });
  }
  const fault = databaseFault(err);
  if (fault === 'unreachable') {
    return new ServiceUnavailable('The database cannot be reached right now: nothing was saved. Please try again in a moment.', {
      code: 'DATABASE_UNAVAILABLE',
      cause: err,
    });
  }
  if (fault === 'storage-full') {
    return new InsufficientStorage('The database storage is full (no space left on its disk): nothing was saved. Data saved before is intact.', {
      code: 'STORAGE_FULL',
      cause: err,
    });
  }
  return new AppError(500, 'INTERNAL', INTERNAL_MESSAGE, { cause: err });
}
