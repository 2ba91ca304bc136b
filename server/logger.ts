/**
 * The process logger: pino with redaction of credentials, tokens and customer email
 * addresses, wherever they appear (fields, messages, error text, request URLs).
 * HTTP request logging (pino-http) is wired in server/http/request-log.ts.
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

function serializeError(err: unknown): unknown {
  const plain = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  if (!plain || typeof plain !== 'object') return plain;
  for (const key of ['message', 'stack', 'errmsg'] as const) {
    if (typeof plain[key] === 'string') plain[key] = scrubText(plain[key] as string);
  }
  return plain;
}

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { app: 'retour' },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      serializers: { err: serializeError, error: serializeError },
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
