/**
 * The process: config → database → HTTP server → the dispatch worker (DISPATCH_WORKER)
 * → graceful shutdown on SIGTERM/SIGINT (stop accepting, let in-flight requests finish
 * for up to SHUTDOWN_TIMEOUT, 10 s by default, close the database, exit 0). Start-up failures print one line and exit 1.
 */
import type { Router } from 'express';
import { createApp } from './app';
import { runAlerts } from './alerts';
import { loadConfig, type Config } from './config';
import { connect, type ConnectOptions, type Database } from './db';
import { StartupError } from './errors';
import { runDigest } from './digest';
import { demoBannerLines, type DemoStatus } from './demo';
import { prepareFeatures, type FeatureDeps, type PreparedFeatures } from './features';
import { createHealth } from './http/health';
import { listen, type HttpServer } from './http/http-server';
import { runDispatch } from './invitations';
import { createLogger, type Logger } from './logger';
import { runRetention } from './privacy';
import { warmChartThread } from './reports';
import { countsSettled } from './responses';

export interface StartOptions {
  /** Replaces connect() (tests run the real lifecycle without a database). */
  connectDatabase?: (config: Config, logger: Logger, options: ConnectOptions) => Promise<Database>;
  /** Replaces prepareFeatures() (start-up work needs the database the stand-in does not have). */
  prepareFeatures?: (deps: FeatureDeps) => Promise<PreparedFeatures | void>;
  /** Extra routers mounted before the 404 handler. */
  routers?: Router[];
  /** Called when the embedded engine dies under the running app. */
  onEngineExit?: () => void;
}

export interface Running {
  config: Config;
  logger: Logger;
  database: Database;
  http: HttpServer;
  /** Where the app answers (PUBLIC_URL, or localhost on the actual port). */
  url: string;
  /** The demo data, when the database has it. */
  demo: DemoStatus | null;
  /** Stops accepting, drains in-flight requests (bounded), closes the database. */
  stop(reason: string): Promise<void>;
}

/** Throws StartupError when a setting or dependency is wrong; nothing is left running then. */
export async function start(config: Config, logger: Logger, options: StartOptions = {}): Promise<Running> {
  const health = createHealth();
  const database = await (options.connectDatabase ?? connect)(config, logger, { onEngineExit: options.onEngineExit });
  let http: HttpServer;
  let prepared: PreparedFeatures | void;
  try {
    prepared = await (options.prepareFeatures ?? prepareFeatures)({ config, logger });
  } catch (err) {
    await database.disconnect();
    throw err;
  }
  const app = createApp({ config, logger, health: health.probe, routers: options.routers });
  try {
    http = await listen(app, config.port);
  } catch (err) {
    await database.disconnect();
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const what = code === 'EADDRINUSE' ? 'is already in use' : 'needs privileges this process lacks';
      throw new StartupError(`Cannot listen: PORT ${config.port} ${what}; for example PORT=3000`, 'PORT', { cause: err });
    }
    throw err;
  }
  // After HTTP listens; DISPATCH_WORKER=0 when `npm run worker` runs it elsewhere.
  const dispatch = config.dispatchWorker ? runDispatch(config, logger) : undefined;
  // Alerts to quality leads and the weekly digest are background mail too: they run where dispatch runs,
  // and so does the hourly retention pass (server/privacy).
  const background = config.dispatchWorker ? [runAlerts(config, logger), runDigest(config, logger), runRetention(config, logger)] : [];
  health.ready(database.kind, database.available);
  // The chart thread loads vega now rather than during the first report page someone opens.
  warmChartThread();
  const url = config.publicUrl === `http://localhost:${config.port}` ? `http://localhost:${http.port}` : config.publicUrl;
  logger.info({ url, db: database.kind, mail: config.smtpUrl ? 'smtp' : 'outbox' }, 'Retour is ready');

  async function stop(reason: string): Promise<void> {
    health.stopping();
    logger.info({ reason, inFlight: http.inFlight() }, 'shutting down');
    // First: no new email starts once shutting down; sends in flight finish (bounded).
    const timeout = config.shutdownTimeoutMs;
    await Promise.all([dispatch?.stop(timeout), ...background.map((job) => job.stop(timeout))]);
    const outcome = await http.stop(timeout);
    if (outcome === 'forced') logger.warn({ timeoutMs: timeout }, 'some requests did not finish in time and were cut');
    // Answers already counted in the rollups are taken off their responses before the database goes.
    if (!(await countsSettled(timeout))) logger.warn('some answers stay marked pending: their rollups are recounted at the next start');
    await database.disconnect();
    logger.info('stopped');
  }
  return { config, logger, database, http, url, demo: prepared?.demo ?? null, stop };
}

/** What a developer needs after `npm start`: where to go, how to log in, where emails go. */
function printBanner(running: Running): void {
  const { config, url } = running;
  const lines = [`Retour is running at ${url} (database: ${running.database.kind}, mail: ${config.smtpUrl ? 'SMTP' : 'outbox'})`];
  if (running.demo) lines.push(...demoBannerLines(running.demo, url));
  if (config.admin?.generated) {
    lines.push(`Log in at ${url}/login as ${config.admin.email} with password ${config.admin.password}`);
    lines.push(`  (a development account; the password is kept in ${config.dataDir}/dev-secrets.json)`);
  } else if (config.admin) {
    lines.push(`Log in at ${url}/login as ${config.admin.email} with ADMIN_PASSWORD`);
  }
  if (!config.smtpUrl) lines.push(`Emails are not sent: read them at ${url}/admin/outbox`);
  const rule = '-'.repeat(Math.min(100, Math.max(...lines.map((l) => l.length))));
  process.stdout.write([rule, ...lines, rule].join('\n') + '\n');
}

function exitWithStartupError(err: unknown): never {
  const message = err instanceof StartupError ? err.message : `Retour could not start: ${String((err as Error)?.stack ?? err)}`;
  process.stderr.write(`${message.replace(/\n(?=.)/g, err instanceof StartupError ? ' ' : '\n')}\n`);
  process.exit(1);
}

/** The process entry point: everything start() does, plus signals, exit codes and crash handling. */
/** `env` defaults to the process environment (config.ts is the one place that reads it). */
export async function main(env?: Record<string, string | undefined>, options: StartOptions = {}): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env, { envFile: '.env' });
  } catch (err) {
    exitWithStartupError(err);
  }
  const logger = createLogger(config);
  const crash = (err: unknown, what: string) => {
    logger.fatal({ err }, what);
    process.exit(1);
  };
  process.on('uncaughtException', (err) => crash(err, 'uncaught exception'));
  process.on('unhandledRejection', (reason) => crash(reason, 'unhandled promise rejection'));

  // Handlers go in before anything slow: without one, SIGTERM kills the process outright.
  let running: Running | undefined;
  let stopping = false;
  const stopAndExit = (reason: string, app: Running) =>
    app.stop(reason).then(
      () => process.exit(0),
      (err: unknown) => crash(err, 'shutdown failed'),
    );
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    if (running) void stopAndExit(signal, running);
    else logger.info({ signal }, 'stop requested during start-up; stopping once started');
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    running = await start(config, logger, {
      ...options,
      onEngineExit: () => crash(new Error('the embedded engine exited'), 'database lost'),
    });
  } catch (err) {
    exitWithStartupError(err);
  }
  if (stopping) return void stopAndExit('signal during start-up', running);
  // Development, the demo and the embedded engine are for people at a terminal: tell them where to go.
  if (config.nodeEnv === 'development' || running.demo || running.database.kind === 'embedded') printBanner(running);
  // A supervisor (or a test) that forked us learns where we listen.
  process.send?.({ type: 'ready', url: running.url, port: running.http.port });
}

if (require.main === module) void main();
