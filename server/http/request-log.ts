/**
 * Request logging: a request id (the caller's X-Request-Id when it is sane, else a UUID),
 * echoed in the response, and one line per finished request through the app's pino
 * logger, without headers, with the URL scrubbed of tokens and addresses; /healthz is not
 * logged. `req.log` (a child logger bound to the request) is made only for the handlers
 * that write their own lines: a survey answer should not pay for one it never uses.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
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

export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    const fields = () => ({ id, method: req.method, url: scrubUrl(req.originalUrl), remoteAddress: req.socket.remoteAddress });
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', { get: () => (child ??= logger.child({ req: fields() })), configurable: true, enumerable: false });
    if (req.url === '/healthz') return next();

    const started = Date.now();
    let logged = false;
    // 'close' alone when the client went away before the response was finished.
    const done = () => {
      if (logged) return;
      logged = true;
      res.off('finish', done);
      res.off('close', done);
      const err = res.err;
      const level: Level = err || res.statusCode >= 500 ? 'error' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const line = { req: fields(), res: { statusCode: res.statusCode }, responseTime: Date.now() - started };
      if (level === 'error') logger.error({ ...line, err: err ?? new Error(`failed with status code ${res.statusCode}`) }, 'request errored');
      else logger.info(line, 'request completed');
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}
