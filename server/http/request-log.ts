/**
 * Request logging: a request id (the caller's X-Request-Id when it is sane, else a UUID),
 * echoed in the response, and one line per finished request through the app's pino
 * logger, without headers, with the URL scrubbed of tokens and addresses; /healthz is not
 * logged. `req.log` (a child logger bound to the request) is made only for the handlers
 * that write their own lines: a survey answer should not pay for one it never uses.
 */
import { randomUUID } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response } from 'express';
import type { Level } from 'pino';
import { scrubUrl, type Logger } from '../logger';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

declare module 'http' {
  interface IncomingMessage {
    /** The request id, also sent back as X-Request-Id. */
    id: string;
    /** A logger whose lines carry the request (made on first use). */
    log: Logger;
  }
  interface ServerResponse {
    /** Set by the error handler for a 5xx: the request's line is then logged at error level with it. */
    err?: Error;
  }
}

/** What the request log keeps on a response until it is finished. */
interface Pending {
  logger: Logger;
  id: string;
  started: number;
  child?: Logger;
}

const PENDING = Symbol('request log');
type Logged = { [PENDING]?: Pending };

// Module-level functions, and req.log defined once on Express's request prototype, rather
// than closures and properties made for every request: answers come by the thousand.
Object.defineProperty(express.request, 'log', { get: requestChild, configurable: true, enumerable: false });

export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    (res as Logged)[PENDING] = { logger, id, started: Date.now() };
    if (req.url === '/healthz') return next();
    // A response emits 'close' once finished, and also when the client went away before that.
    res.once('close', logFinished);
    next();
  };
}

function requestFields(req: Request, id: string) {
  return { id, method: req.method, url: scrubUrl(req.originalUrl), remoteAddress: req.socket.remoteAddress };
}

/** req.log: a child logger bound to the request, made on first use (none before the request log ran). */
function requestChild(this: Request): Logger | undefined {
  const pending = (this.res as Logged | undefined)?.[PENDING];
  return pending && (pending.child ??= pending.logger.child({ req: requestFields(this, pending.id) }));
}

function logFinished(this: Response): void {
  const pending = (this as Logged)[PENDING];
  if (!pending) return;
  const { logger } = pending;
  const err = this.err;
  const level: Level = err || this.statusCode >= 500 ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const line = { req: requestFields(this.req, pending.id), res: { statusCode: this.statusCode }, responseTime: Date.now() - pending.started };
  if (level === 'error') logger.error({ ...line, err: err ?? new Error(`failed with status code ${this.statusCode}`) }, 'request errored');
  else logger.info(line, 'request completed');
}
