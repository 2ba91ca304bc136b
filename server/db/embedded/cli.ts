/**
 * Runs the embedded engine alone: `npm run db -- --port 27027 --dbpath ./data`.
 * Forked by the app with an IPC channel, it reports `{ type: 'loading', indexed, documents }`
 * while it opens the data directory, then `{ type: 'ready', uri, port }`,
 * and stops when told to or when its parent goes away, so it never outlives the app.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startEmbeddedMongo, type EmbeddedMongo } from './index';

const logger = pino({ name: 'retour-db' });

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '27027' },
      dbpath: { type: 'string', default: './data' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got "${values.port}"`);
  let db: EmbeddedMongo;
  try {
    // The app waits for `ready` while these come: a large data directory takes a while to open.
    db = await startEmbeddedMongo({ dbPath: values.dbpath!, port, host: values.host!, logger, onProgress: (progress) => report({ type: 'loading', ...progress }) });
  } catch (err) {
    report({ type: 'error', message: (err as Error).message });
    logger.error((err as Error).message);
    process.exit(1);
  }
  logger.info({ uri: db.uri, dbPath: values.dbpath }, `embedded MongoDB-compatible engine listening on ${db.uri}`);
  report({ type: 'ready', uri: db.uri, port: db.port });

  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'stopping');
    await db.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('disconnect', () => void stop('parent exited'));
  process.on('message', (msg: { type?: string }) => {
    if (msg?.type === 'stop') void stop('asked by parent');
  });
}

function report(msg: object): void {
  if (process.send) process.send(msg);
}

main().catch((err: Error) => {
  logger.error(err.message);
  process.exit(1);
});
