/**
 * createTestApp(): the real app from createApp() with a test configuration (NODE_ENV=test,
 * an empty temporary DATA_DIR), a silent logger, a health probe and optional extra
 * routers. Needs no database unless the routes under test do.
 */
import type { Express, Router } from 'express';
import { createApp } from '../../server/app';
import { loadConfig, type Config } from '../../server/config';
import type { HealthProbe } from '../../server/http/health';
import { createLogger, type Logger } from '../../server/logger';
import { makeTempDir } from './tmp';

export interface TestAppOptions {
  /** Extra environment variables (validated by loadConfig like in production). */
  env?: Record<string, string>;
  health?: HealthProbe;
  routers?: Router[];
}

export interface TestApp {
  app: Express;
  config: Config;
  logger: Logger;
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', DATA_DIR: makeTempDir(), LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', ...env });
}

export function createTestApp(options: TestAppOptions = {}): TestApp {
  const config = testConfig(options.env);
  const logger = createLogger(config);
  const health = options.health ?? (() => ({ status: 'ok', db: 'embedded' }) as const);
  return { app: createApp({ config, logger, health, routers: options.routers }), config, logger };
}
