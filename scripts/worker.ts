/**
 * `npm run worker`: the dispatch worker alone, without HTTP — config → database → worker,
 * until SIGTERM/SIGINT (sends in flight finish, then the database closes). Run the app
 * with DISPATCH_WORKER=0 beside it. Several may run at once against one MongoDB; the
 * embedded engine allows one process per DATA_DIR, so alone it suits MONGODB_URI.
 */
import { runAlerts } from '../server/alerts';
import { runDigest } from '../server/digest';
import { runDispatch } from '../server/invitations';
import { runRetention } from '../server/privacy';
import { startScript } from './connect';

async function runWorker(): Promise<void> {
  const { config, logger, connectDatabase } = startScript('worker');
  const crash = (err: unknown, what: string) => {
    logger.fatal({ err }, what);
    process.exit(1);
  };
  process.on('uncaughtException', (err) => crash(err, 'uncaught exception'));
  process.on('unhandledRejection', (reason) => crash(reason, 'unhandled promise rejection'));

  const database = await connectDatabase({ onEngineExit: () => crash(new Error('the embedded engine exited'), 'database lost') });
  const dispatch = runDispatch(config, logger);
  const background = [runAlerts(config, logger), runDigest(config, logger), runRetention(config, logger)];
  logger.info({ db: database.kind, mail: config.smtpUrl ? 'smtp' : 'outbox' }, 'dispatch worker running');

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'stopping the dispatch worker');
    void Promise.all([dispatch.stop(config.shutdownTimeoutMs), ...background.map((job) => job.stop(config.shutdownTimeoutMs))])
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
