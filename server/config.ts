/**
 * Configuration: every setting of DESIGN.md read from the environment (plus a .env
 * file in development), validated with Joi, returned as a typed, frozen object.
 * The only module that reads process.env. The variable table lives in config-vars.ts.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import Joi from 'joi';
import { StartupError } from './errors';
import { VARIABLES, PAIRS, type Variable, type VariableName, type LogLevel, type NodeEnv, parseTrustProxy } from './config-vars';

export type { LogLevel, NodeEnv } from './config-vars';
export type TrustProxy = boolean | number | string[];

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly isProduction: boolean;
  readonly port: number;
  /** Set: use that MongoDB. Unset: start the embedded engine on DATA_DIR. */
  readonly mongodbUri: string | undefined;
  /** Absolute path. */
  readonly dataDir: string;
  /** Set: SMTP transport. Unset: the outbox. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** Base URL for links in emails, without a trailing slash. */
  readonly publicUrl: string;
  /** Cookies get `Secure` when PUBLIC_URL is https (and whenever the request is). */
  readonly secureCookies: boolean;
  readonly sessionSecret: string;
  /** The first admin; `generated` when development made one up (see DATA_DIR/dev-secrets.json). */
  readonly admin: Readonly<{ email: string; password: string; generated: boolean }> | undefined;
  readonly bootstrapApiKey: string | undefined;
  readonly demo: boolean;
  /** Run the dispatch worker (survey emails) inside the app process. */
  readonly dispatchWorker: boolean;
  /** Months after a call's end when its customer's identity and words are erased (server/privacy). */
  readonly retentionMonths: number;
  /** How long a stop waits on each of: emails being sent, requests in flight, counts to settle. */
  readonly shutdownTimeoutMs: number;
  readonly logLevel: LogLevel;
  readonly trustProxy: TrustProxy;
}

export interface LoadOptions {
  /** A .env file merged under `env` when NODE_ENV is development; false to skip. */
  envFile?: string | false;
  /** Resolves a relative DATA_DIR; defaults to the current directory. */
  cwd?: string;
}

type Env = Record<string, string | undefined>;

const DEV_ADMIN_EMAIL = 'admin@example.com';
const DEV_SECRETS_FILE = 'dev-secrets.json';

/**
 * Reads and validates the settings. Throws StartupError naming the first bad
 * variable, what is wrong and an example of a good value. In development, may create
 * DATA_DIR and DATA_DIR/dev-secrets.json (generated session secret and admin password).
 */
export function loadConfig(env: Env = process.env, options: LoadOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const raw = readVariables(env, options.envFile ?? false, cwd);
  const schema = PAIRS.reduce(
    (object, pair) => object.and(...pair),
    Joi.object(Object.fromEntries(Object.entries(VARIABLES).map(([name, v]) => [name, v.schema]))),
  );
  const { value, error } = schema.validate(raw, { abortEarly: true, convert: true, errors: { wrap: { label: false } } });
  if (error) throw describeError(error, raw);
  const v = value as Record<VariableName, unknown>;

  const nodeEnv = v.NODE_ENV as NodeEnv;
  const isProduction = nodeEnv === 'production';
  const port = v.PORT as number;
  const dataDir = path.resolve(cwd, v.DATA_DIR as string);
  const publicUrl = ((v.PUBLIC_URL as string | undefined) ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const dev = isProduction ? undefined : devSecrets(dataDir, { needSecret: !v.SESSION_SECRET, needAdmin: !v.ADMIN_EMAIL });

  const adminEmail = v.ADMIN_EMAIL as string | undefined;
  const admin = adminEmail
    ? { email: adminEmail, password: v.ADMIN_PASSWORD as string, generated: false }
    : dev?.adminPassword
      ? { email: DEV_ADMIN_EMAIL, password: dev.adminPassword, generated: true }
      : undefined;

  return Object.freeze({
    nodeEnv,
    isProduction,
    port,
    mongodbUri: v.MONGODB_URI as string | undefined,
    dataDir,
    smtpUrl: v.SMTP_URL as string | undefined,
    mailFrom: v.MAIL_FROM as string,
    publicUrl,
    secureCookies: publicUrl.startsWith('https:'),
    sessionSecret: (v.SESSION_SECRET as string | undefined) ?? (dev?.sessionSecret as string),
    admin: admin && Object.freeze(admin),
    bootstrapApiKey: v.BOOTSTRAP_API_KEY as string | undefined,
    demo: v.DEMO as boolean,
    dispatchWorker: v.DISPATCH_WORKER as boolean,
    retentionMonths: v.RETENTION_MONTHS as number,
    shutdownTimeoutMs: (v.SHUTDOWN_TIMEOUT as number) * 1000,
    logLevel: (v.LOG_LEVEL as LogLevel | undefined) ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    trustProxy: parseTrustProxy((v.TRUST_PROXY as string | undefined) ?? 'false'),
  });
}

/** Known variables only; empty values count as unset; .env fills gaps in development. */
function readVariables(env: Env, envFile: string | false, cwd: string): Record<string, string> {
  const picked = (source: Env) =>
    Object.fromEntries(
      Object.keys(VARIABLES)
        .map((name) => [name, source[name]?.trim()] as const)
        .filter((entry): entry is readonly [string, string] => Boolean(entry[1])),
    );
  const fromEnv = picked(env);
  const nodeEnv = fromEnv.NODE_ENV ?? 'development';
  if (!envFile || nodeEnv !== 'development') return fromEnv;
  const file = path.resolve(cwd, envFile);
  if (!fs.existsSync(file)) return fromEnv;
  return { ...picked(dotenv.parse(fs.readFileSync(file))), ...fromEnv };
}

function describeError(error: Joi.ValidationError, raw: Record<string, string>): StartupError {
  const detail = error.details[0];
  // A broken pair (object.and) names the missing half in its context.
  const missing = detail?.type === 'object.and' ? (detail.context?.missing as string[] | undefined)?.[0] : undefined;
  const name = String(missing ?? detail?.path[0] ?? '') as VariableName;
  const spec: Variable | undefined = VARIABLES[name];
  if (!detail || !spec) return new StartupError(`Invalid configuration: ${error.message}`);
  const wrong =
    detail.type === 'any.required' || detail.type === 'object.and'
      ? `is required ${spec.requiredWhen ?? ''}`.trim()
      : `${spec.rule}${spec.secret ? '' : ` (got ${JSON.stringify(raw[name])})`}`;
  return new StartupError(`Invalid configuration: ${name} ${wrong}; for example ${name}=${spec.example}`, name);
}

interface DevSecrets {
  sessionSecret?: string;
  adminPassword?: string;
}

/** Development and test only: secrets made up once and kept in DATA_DIR so restarts keep sessions. */
function devSecrets(dataDir: string, need: { needSecret: boolean; needAdmin: boolean }): DevSecrets | undefined {
  if (!need.needSecret && !need.needAdmin) return undefined;
  const file = path.join(dataDir, DEV_SECRETS_FILE);
  try {
    const stored: DevSecrets = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
    const secrets: DevSecrets = {
      sessionSecret: stored.sessionSecret ?? randomBytes(32).toString('hex'),
      adminPassword: stored.adminPassword ?? randomBytes(9).toString('base64url'),
    };
    if (secrets.sessionSecret !== stored.sessionSecret || secrets.adminPassword !== stored.adminPassword) {
      fs.mkdirSync(dataDir, { recursive: true });
      fs.writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
    }
    return secrets;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new StartupError(
      `Invalid configuration: DATA_DIR cannot hold the generated development secrets (${reason}); ` +
        `for example DATA_DIR=./data, or set SESSION_SECRET`,
      'DATA_DIR',
      { cause: err },
    );
  }
}
