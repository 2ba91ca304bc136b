/**
 * The one error pipeline: converts anything thrown (AppError kinds, body-parser and
 * Mongoose errors, bugs) into an AppError, lets pino-http log 5xx once with stack and
 * request id, then answers an HTML page (views/errors/error.hbs) or, under /api and for
 * clients that ask for JSON, { error: { code, message, details } }. Stacks only in development.
 */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { AppError, BadRequest, Conflict, Invalid, NotFound, PayloadTooLarge } from '../errors';
import { lookup, negotiateLocale } from '../i18n';
import type { Config } from '../config';
import { useLocale } from './i18n';

const INTERNAL_MESSAGE = 'Something went wrong on our side.';

/** The last route: nothing matched. */
export function notFound(): RequestHandler {
  return (req, _res, next) => next(new NotFound(`No page or endpoint at ${req.method} ${req.path}.`));
}

export function errorHandler(config: Pick<Config, 'nodeEnv'>): ErrorRequestHandler {
  const showStack = config.nodeEnv === 'development';
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const error = toAppError(err);
    // pino-http logs the finished request with this error (stack, request id) at level error.
    if (error.status >= 500) res.err = err instanceof Error ? err : new Error(String(err));
    const stack = showStack && error.status >= 500 && err instanceof Error ? err.stack : undefined;
    res.status(error.status);
    if (wantsJson(req)) {
      res.json({ error: { code: error.code, message: error.message, details: error.details ?? null, stack } });
      return;
    }
    renderPage(req, res, error, stack);
  };
}

function wantsJson(req: Request): boolean {
  return req.path === '/api' || req.path.startsWith('/api/') || req.accepts(['html', 'json']) === 'json';
}

function renderPage(req: Request, res: Response, error: AppError, stack: string | undefined): void {
  if (!res.locals.t) useLocale(res, negotiateLocale(req.get('accept-language')));
  const t = res.locals.t;
  const key = lookup(res.locals.locale, `errors.${error.status}.title`) ? String(error.status) : 'default';
  const details = Array.isArray(error.details)
    ? error.details.filter((d): d is { message: string } => typeof d?.message === 'string')
    : [];
  const locals = {
    status: error.status,
    title: t(`errors.${key}.title`),
    lead: t(`errors.${key}.lead`),
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

/** Known shapes become their AppError kind; anything else is a 500 whose message stays private. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as { name?: string; type?: string; status?: number; code?: unknown; expose?: boolean; errors?: unknown; keyPattern?: object };
  if (e.type === 'entity.too.large') return new PayloadTooLarge(undefined, { cause: err });
  if (e.type === 'entity.parse.failed') return new BadRequest('The request body is not valid JSON.', { cause: err });
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
  return new AppError(500, 'INTERNAL', INTERNAL_MESSAGE, { cause: err });
}
