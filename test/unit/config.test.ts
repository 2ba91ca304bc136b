import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../server/config';
import { StartupError } from '../../server/errors';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

afterAll(removeTempDirs);

const PRODUCTION = {
  NODE_ENV: 'production',
  SESSION_SECRET: 'x'.repeat(40),
  PUBLIC_URL: 'https://feedback.example.com/',
};

function failure(env: Record<string, string>): StartupError {
  try {
    loadConfig({ DATA_DIR: makeTempDir(), ...env });
  } catch (err) {
    if (err instanceof StartupError) return err;
    throw err;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({ DATA_DIR: makeTempDir() });
    expect(config).toMatchObject({
      nodeEnv: 'development',
      isProduction: false,
      port: 3000,
      mongodbUri: undefined,
      smtpUrl: undefined,
      publicUrl: 'http://localhost:3000',
      secureCookies: false,
      demo: false,
      logLevel: 'info',
      trustProxy: false,
      shutdownTimeoutMs: 10_000,
    });
    expect(path.isAbsolute(config.dataDir)).toBe(true);
  });

  it('returns a frozen object', () => {
    const config = loadConfig({ DATA_DIR: makeTempDir() });
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('reads every variable and converts it to its type', () => {
    const config = loadConfig({
      DATA_DIR: makeTempDir(),
      PORT: '8080',
      MONGODB_URI: 'mongodb://user:pw@db1:27017,db2:27017/retour?replicaSet=rs0',
      SMTP_URL: 'smtps://user:pw@smtp.example.com:465',
      MAIL_FROM: 'Retour <surveys@example.com>',
      PUBLIC_URL: 'https://feedback.example.com/',
      SESSION_SECRET: 's'.repeat(32),
      ADMIN_EMAIL: 'lead@example.com',
      ADMIN_PASSWORD: 'a-long-passphrase',
      BOOTSTRAP_API_KEY: 'k'.repeat(24),
      DEMO: '1',
      LOG_LEVEL: 'debug',
      TRUST_PROXY: 'loopback, 10.0.0.0/8',
      SHUTDOWN_TIMEOUT: '30',
    });
    expect(config).toMatchObject({
      port: 8080,
      mongodbUri: 'mongodb://user:pw@db1:27017,db2:27017/retour?replicaSet=rs0',
      smtpUrl: 'smtps://user:pw@smtp.example.com:465',
      mailFrom: 'Retour <surveys@example.com>',
      publicUrl: 'https://feedback.example.com',
      secureCookies: true,
      sessionSecret: 's'.repeat(32),
      admin: { email: 'lead@example.com', password: 'a-long-passphrase', generated: false },
      bootstrapApiKey: 'k'.repeat(24),
      demo: true,
      logLevel: 'debug',
      trustProxy: ['loopback', '10.0.0.0/8'],
      shutdownTimeoutMs: 30_000,
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ DATA_DIR: makeTempDir(), PORT: '', MONGODB_URI: '  ' })).toMatchObject({ port: 3000, mongodbUri: undefined });
  });

  it('is silent in tests unless LOG_LEVEL is set', () => {
    expect(loadConfig({ NODE_ENV: 'test', DATA_DIR: makeTempDir() }).logLevel).toBe('silent');
    expect(loadConfig({ NODE_ENV: 'test', DATA_DIR: makeTempDir(), LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', 'PORT must be a whole number from 0 to 65535 (got "abc"); for example PORT=3000'],
    [{ PORT: '70000' }, 'PORT', 'for example PORT=3000'],
    [{ MONGODB_URI: 'http://db.example.com' }, 'MONGODB_URI', 'MONGODB_URI must be a MongoDB connection string'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL', 'for example SMTP_URL=smtps://'],
    [{ PUBLIC_URL: 'feedback.example.com' }, 'PUBLIC_URL', 'for example PUBLIC_URL=https://'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV', 'NODE_ENV must be development, test or production'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', 'LOG_LEVEL must be one of'],
    [{ DEMO: 'maybe' }, 'DEMO', 'DEMO must be 1'],
    [{ TRUST_PROXY: 'the-balancer' }, 'TRUST_PROXY', 'TRUST_PROXY must be true, false'],
    [{ ADMIN_EMAIL: 'lead@example.com' }, 'ADMIN_PASSWORD', 'ADMIN_PASSWORD is required when ADMIN_EMAIL is set'],
    [{ ADMIN_EMAIL: 'not-an-address', ADMIN_PASSWORD: 'a-long-passphrase' }, 'ADMIN_EMAIL', 'ADMIN_EMAIL must be an email address'],
    [{ SHUTDOWN_TIMEOUT: '0' }, 'SHUTDOWN_TIMEOUT', 'SHUTDOWN_TIMEOUT must be a whole number of seconds from 1 to 300'],
    [{ SHUTDOWN_TIMEOUT: '2.5' }, 'SHUTDOWN_TIMEOUT', 'for example SHUTDOWN_TIMEOUT=30'],
    [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET', 'SESSION_SECRET must be at least 32 characters long'],
  ])('rejects %j naming %s in one line with an example', (env, variable, text) => {
    const err = failure(env as Record<string, string>);
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(text);
    expect(err.message).toMatch(/; for example \w+=/);
    expect(err.message).not.toContain('\n');
  });

  it('never echoes secret values in its messages', () => {
    const err = failure({ MONGODB_URI: 'http://admin:hunter2@db' });
    expect(err.message).not.toContain('hunter2');
  });

  it('requires SESSION_SECRET and PUBLIC_URL in production', () => {
    const { SESSION_SECRET: _secret, ...withoutSecret } = PRODUCTION;
    expect(failure(withoutSecret).message).toContain('SESSION_SECRET is required when NODE_ENV=production');
    const { PUBLIC_URL: _url, ...withoutUrl } = PRODUCTION;
    expect(failure(withoutUrl).variable).toBe('PUBLIC_URL');
  });

  it('requires MAIL_FROM when SMTP is used in production', () => {
    expect(failure({ ...PRODUCTION, SMTP_URL: 'smtp://mail:25' }).variable).toBe('MAIL_FROM');
  });

  it('generates a session secret and an admin in development and keeps them in DATA_DIR', () => {
    const dataDir = makeTempDir();
    const first = loadConfig({ DATA_DIR: dataDir });
    expect(first.sessionSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(first.admin).toMatchObject({ email: 'admin@example.com', generated: true });
    const file = path.join(dataDir, 'dev-secrets.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(second.sessionSecret).toBe(first.sessionSecret);
    expect(second.admin?.password).toBe(first.admin?.password);
  });

  it('generates nothing in production', () => {
    const dataDir = makeTempDir();
    const config = loadConfig({ ...PRODUCTION, DATA_DIR: dataDir });
    expect(config.admin).toBeUndefined();
    expect(fs.existsSync(path.join(dataDir, 'dev-secrets.json'))).toBe(false);
  });

  it('reads a .env file in development, below the real environment', () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, '.env'), 'PORT=4000\nDEMO=1\nDATA_DIR=./from-dotenv\n');
    const config = loadConfig({ DEMO: '0' }, { envFile: '.env', cwd: dir });
    expect(config).toMatchObject({ port: 4000, demo: false, dataDir: path.join(dir, 'from-dotenv') });
  });

  it('ignores the .env file outside development', () => {
    const dir = makeTempDir();
    fs.writeFileSync(path.join(dir, '.env'), 'PORT=4000\n');
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir }, { envFile: '.env', cwd: dir });
    expect(config.port).toBe(3000);
  });
});
