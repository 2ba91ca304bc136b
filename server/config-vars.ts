/**
 * The environment variables Retour reads: for each, its Joi rule, the sentence shown
 * when a value is wrong, and an example of a good value. config.ts does the reading;
 * README.md's configuration table mirrors this list.
 */
import net from 'node:net';
import Joi from 'joi';

export type NodeEnv = 'development' | 'test' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Variable {
  schema: Joi.Schema;
  /** Completes "NAME ..." when the value is wrong. */
  rule: string;
  /** Completes "NAME is required ..." when it is missing but needed. */
  requiredWhen?: string;
  example: string;
  /** Never echo the value (it may hold a password). */
  secret?: boolean;
}

const inProduction = { is: 'production', then: Joi.required() } as const;
const MONGODB_URI = /^mongodb(\+srv)?:\/\/[^\s/?#]+(\/[^\s?#]*)?(\?[^\s#]*)?$/;
const MAIL_FROM = /^(?:[^<>@]*<\s*[^\s@<>]+@[^\s@<>]+\s*>|[^\s@<>]+@[^\s@<>]+)$/;
const PRINTABLE = /^[\x21-\x7e]+$/;
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

export const VARIABLES = {
  NODE_ENV: {
    schema: Joi.string().valid('development', 'test', 'production').default('development'),
    rule: 'must be development, test or production',
    example: 'production',
  },
  PORT: {
    schema: Joi.number().integer().min(0).max(65535).default(3000),
    rule: 'must be a whole number from 0 to 65535',
    example: '3000',
  },
  MONGODB_URI: {
    schema: Joi.string().pattern(MONGODB_URI),
    rule: 'must be a MongoDB connection string starting with mongodb:// or mongodb+srv://',
    example: 'mongodb://db1.example.internal:27017,db2.example.internal:27017/retour?replicaSet=rs0',
    secret: true,
  },
  DATA_DIR: {
    schema: Joi.string().default('./data'),
    rule: 'must be a directory path',
    example: './data',
  },
  SMTP_URL: {
    schema: Joi.string().uri({ scheme: ['smtp', 'smtps'] }),
    rule: 'must be an smtp:// or smtps:// URL (percent-encode @ and : in the user name and password)',
    example: 'smtps://user:password@smtp.example.com:465',
    secret: true,
  },
  MAIL_FROM: {
    schema: Joi.string()
      .pattern(MAIL_FROM)
      .when('SMTP_URL', {
        is: Joi.exist(),
        then: Joi.when('NODE_ENV', inProduction),
      })
      .default('Retour <retour@localhost>'),
    rule: 'must be an email address, optionally with a name: Name <address>',
    requiredWhen: 'when SMTP_URL is set in production',
    example: '"Retour <surveys@example.com>"',
  },
  PUBLIC_URL: {
    schema: Joi.string().uri({ scheme: ['http', 'https'] }).when('NODE_ENV', inProduction),
    rule: 'must be the http:// or https:// address people use to reach Retour',
    requiredWhen: 'when NODE_ENV=production (links in emails point there)',
    example: 'https://feedback.example.com',
  },
  SESSION_SECRET: {
    schema: Joi.string().min(32).when('NODE_ENV', inProduction),
    rule: 'must be at least 32 characters long',
    requiredWhen: 'when NODE_ENV=production',
    example: '$(openssl rand -hex 32)',
    secret: true,
  },
  ADMIN_EMAIL: {
    schema: Joi.string().email({ tlds: false }),
    rule: 'must be an email address',
    requiredWhen: 'when ADMIN_PASSWORD is set',
    example: 'admin@example.com',
  },
  ADMIN_PASSWORD: {
    schema: Joi.string().min(12),
    rule: 'must be at least 12 characters long',
    requiredWhen: 'when ADMIN_EMAIL is set',
    example: 'a-long-passphrase-of-yours',
    secret: true,
  },
  BOOTSTRAP_API_KEY: {
    schema: Joi.string().min(24).pattern(PRINTABLE),
    rule: 'must be at least 24 characters, without spaces',
    example: '$(openssl rand -hex 24)',
    secret: true,
  },
  DEMO: {
    schema: Joi.boolean().truthy('1', 'yes', 'on').falsy('0', 'no', 'off').default(false),
    rule: 'must be 1 (load demo data) or 0',
    example: '1',
  },
  DISPATCH_WORKER: {
    schema: Joi.boolean().truthy('1', 'yes', 'on').falsy('0', 'no', 'off').default(true),
    rule: 'must be 1 (send survey emails from this process) or 0 (another process runs `npm run worker`)',
    example: '0',
  },
  RETENTION_MONTHS: {
    schema: Joi.number().integer().min(3).max(120).default(24),
    rule: 'must be a whole number of months from 3 to 120 (customers\' addresses and names are erased from calls older than that)',
    example: '24',
  },
  SHUTDOWN_TIMEOUT: {
    schema: Joi.number().integer().min(1).max(300).default(10),
    rule: 'must be a whole number of seconds from 1 to 300 (how long a stop waits for requests and emails in flight)',
    example: '30',
  },
  LOG_LEVEL: {
    schema: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    rule: 'must be one of fatal, error, warn, info, debug, trace, silent',
    example: 'info',
  },
  TRUST_PROXY: {
    schema: Joi.string().custom((value: string) => {
      parseTrustProxy(value);
      return value;
    }),
    rule: 'must be true, false, a number of proxy hops, or a comma-separated list of proxy addresses',
    example: 'loopback,10.0.0.0/8',
  },
} satisfies Record<string, Variable>;

export type VariableName = keyof typeof VARIABLES;

/** Variables that go together: one set without the other is an error. */
export const PAIRS: [VariableName, VariableName][] = [['ADMIN_EMAIL', 'ADMIN_PASSWORD']];

/** Express's `trust proxy`: true/false, a hop count, or addresses, subnets and loopback/linklocal/uniquelocal. */
export function parseTrustProxy(value: string): boolean | number | string[] {
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  const entries = v.split(',').map((s) => s.trim());
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = net.isIP(address);
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!(PROXY_NAMES.has(entry) || (family !== 0 && prefixOk && extra === undefined))) {
      throw new Error(`not a proxy address: ${entry}`);
    }
  }
  return entries;
}
