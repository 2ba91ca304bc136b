/**
 * The process logger: pino with redaction of credentials, tokens and customer email
 * addresses, wherever they appear (fields at any depth, messages, error text, request URLs).
 * HTTP request logging is wired in server/http/request-log.ts.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

export type { Logger } from 'pino';

const CENSOR = '[redacted]';
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const SECRET_KEYS = ['password', 'token', 'secret', 'apiKey', 'email', 'authorization', 'cookie', 'sessionSecret'];

/** Field paths censored by pino (one and two levels deep, e.g. `customer.email`, `call.customer.email`). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

/** Replaces email addresses in free text. */
export function scrubText(text: string): string {
  return text.replace(EMAIL, '[email]');
}

/** A URL safe to log: survey/unsubscribe tokens, secret query values and email addresses removed. */
export function scrubUrl(url: string): string {
  const [pathPart = '', query] = url.split('?', 2);
  const safePath = pathPart.replace(/^\/(s|u)\/[^/]+/, `/$1/${CENSOR}`);
  if (query === undefined) return scrubText(safePath);
  const params = query.split('&').map((pair) => {
    const [key = '', value] = pair.split('=', 2);
    return value !== undefined && /token|key|secret|password|email/i.test(key) ? `${key}=${CENSOR}` : pair;
  });
  return scrubText(`${safePath}?${params.join('&')}`);
}

/** Fields shaped like an address that are none: a message id (<random@host>) finds the email in the mail server's logs. */
const ADDRESS_LIKE = new Set(['messageId']);

/**
 * The logged object with addresses removed from every string of its plain parts, however
 * deep (a relayed engine line, an SMTP reply quoted in a field). Errors, requests and
 * responses are left to their serializers, which scrub what they keep.
 */
export function scrubFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => scrubFields(item, depth + 1));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, ADDRESS_LIKE.has(key) ? item : scrubFields(item, depth + 1)]));
}

/** An error's own fields worth logging when they are plain values (the rest, such as a driver error's operations, stays out). */
const ERROR_FIELDS = ['code', 'codeName', 'status', 'statusCode', 'errno', 'syscall'] as const;

/**
 * An error as what explains it: type, message, stack, codes and causes. Never every field
 * of it: a database error carries the operations and documents it failed on (customers'
 * addresses) and references that loop back on themselves.
 */
export function serializeError(err: unknown, depth = 0): unknown {
  // An error already copied into a plain object (by another serializer) is read alike.
  if (!(err instanceof Error) && !isErrorLike(err)) return scrubFields(err);
  const fields = err as Record<string, unknown>;
  const type = err instanceof Error ? (err.constructor?.name ?? err.name) : String(fields.type ?? 'Error');
  const plain: Record<string, unknown> = { type, message: scrubText(String(fields.message)) };
  if (typeof fields.stack === 'string') plain.stack = scrubText(fields.stack);
  for (const key of ERROR_FIELDS) {
    const value = fields[key];
    if (typeof value === 'string' || typeof value === 'number') plain[key] = value;
  }
  if (typeof fields.errmsg === 'string') plain.errmsg = scrubText(fields.errmsg);
  if (fields.cause !== undefined && depth < 3) plain.cause = serializeError(fields.cause, depth + 1);
  return plain;
}

function isErrorLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string' && typeof (value as { stack?: unknown }).stack === 'string';
}

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { app: 'retour' },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      serializers: { err: (err: unknown) => serializeError(err), error: (err: unknown) => serializeError(err) },
      formatters: { log: (object) => scrubFields(object) as Record<string, unknown> },
      hooks: {
        // Messages are free text: strip addresses a caller interpolated by mistake.
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
