/**
 * `npm run worker`: the dispatch worker alone, without HTTP — config → database → worker,
 * until SIGTERM/SIGINT (sends in flight finish, then the database closes). Run the app
 * with DISPATCH_WORKER=0 beside it. Several may run at once against one MongoDB; the
 * embedded engine allows one process per DATA_DIR, so alone it suits MONGODB_URI.
 */
import { loadConfig, type Config } from '../server/config';
import { connect } from '../server/db';
import { StartupError } from '../server/errors';
import { runAlerts } from '../server/alerts';
import { runDigest } from '../server/digest';
import { runDispatch } from '../server/invitations';
import { createLogger } from '../server/logger';
import { SHUTDOWN_TIMEOUT_MS } from '../server/main';

async function runWorker(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(undefined, { envFile: '.env' });
  } catch (err) {
    process.stderr.write(`${err instanceof StartupError ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const logger = createLogger(config).child({ process: 'worker' });
  const crash = (err: unknown, what: string) => {
    logger.fatal({ err }, what);
    process.exit(1);
  };
  process.on('uncaughtException', (err) => crash(err, 'uncaught exception'));
  process.on('unhandledRejection', (reason) => crash(reason, 'unhandled promise rejection'));

  let database;
  try {
    database = await connect(config, logger, { onEngineExit: () => crash(new Error('the embedded engine exited'), 'database lost') });
  } catch (err) {
    process.stderr.write(`${err instanceof StartupError ? err.message : `The worker could not start: ${String(err)}`}\n`);
    process.exit(1);
  }
  const dispatch = runDispatch(config, logger);
  const background = [runAlerts(config, logger), runDigest(config, logger)];
  logger.info({ db: database.kind, mail: config.smtpUrl ? 'smtp' : 'outbox' }, 'dispatch worker running');

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'stopping the dispatch worker');
    void Promise.all([dispatch.stop(SHUTDOWN_TIMEOUT_MS), ...background.map((job) => job.stop(SHUTDOWN_TIMEOUT_MS))])
      .then(() => database.disconnect())
      .then(
        () => process.exit(0),
        (err: unknown) => crash(err, 'shutdown failed'),
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.send?.({ type: 'ready' });
}

void runWorker();
