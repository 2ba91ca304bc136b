/**
 * Connects Mongoose (its default connection, which the feature models use) to
 * MONGODB_URI when set, or else to the embedded engine started as a child process on
 * DATA_DIR (embedded-process.ts). Start-up failures are StartupErrors naming the variable.
 * Once connected, a lost connection is logged and reported by available() while the
 * driver reconnects by itself; requests meanwhile fail within the server selection timeout.
 */
import mongoose, { type Connection } from 'mongoose';
import type { Config } from '../config';
import { StartupError } from '../errors';
import type { Logger } from '../logger';
import { startEmbeddedProcess, type EmbeddedProcess } from './embedded-process';

export type DbKind = 'embedded' | 'mongodb';

export interface Database {
  kind: DbKind;
  /** Credentials removed; safe to log. */
  uri: string;
  connection: Connection;
  /** False while the connection is lost (the driver keeps trying; /healthz answers 503 meanwhile). */
  available(): boolean;
  /** Closes the Mongoose connection, then stops the embedded engine if there is one. */
  disconnect(): Promise<void>;
}

export interface ConnectOptions {
  /** How long the embedded engine may go without reporting progress while it opens (it says when it is ready). */
  startTimeoutMs?: number;
  /** How long the driver looks for a server before giving up: at start-up, and for each operation while the connection is lost. Default 5000. */
  serverSelectionTimeoutMs?: number;
  /** The embedded engine exited while the app was using it. */
  onEngineExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

const EMBEDDED_DB_NAME = 'retour';
/**
 * Driver settings: a request waits at most this long for a lost database before it fails
 * (503), instead of the driver's 30 s; the server is checked every 2 s, so a lost or
 * restored connection shows on /healthz within about that.
 */
const SERVER_SELECTION_TIMEOUT_MS = 5_000;
const HEARTBEAT_MS = 2_000;

/** Throws StartupError (MONGODB_URI unreachable, DATA_DIR locked, engine too slow or missing). */
export async function connect(
  config: Pick<Config, 'mongodbUri' | 'dataDir'>,
  logger: Logger,
  options: ConnectOptions = {},
): Promise<Database> {
  const log = logger.child({ component: 'db' });
  const driver = { serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? SERVER_SELECTION_TIMEOUT_MS, heartbeatFrequencyMS: HEARTBEAT_MS };
  if (config.mongodbUri) {
    const uri = redactUri(config.mongodbUri);
    try {
      await mongoose.connect(config.mongodbUri, driver);
    } catch (err) {
      await mongoose.disconnect().catch(() => undefined);
      throw new StartupError(`Cannot connect: MONGODB_URI ${uri} did not answer (${reason(err)})`, 'MONGODB_URI', {
        cause: err,
      });
    }
    log.info({ uri }, 'connected to MongoDB');
    const watch = watchConnection(mongoose.connection, log);
    return {
      kind: 'mongodb',
      uri,
      connection: mongoose.connection,
      available: watch.available,
      async disconnect() {
        watch.stop();
        await mongoose.disconnect();
      },
    };
  }

  const engine: EmbeddedProcess = await startEmbeddedProcess(config.dataDir, log, {
    startTimeoutMs: options.startTimeoutMs,
    onExit: options.onEngineExit,
  });
  try {
    await mongoose.connect(engine.uri, { dbName: EMBEDDED_DB_NAME, ...driver });
  } catch (err) {
    await engine.stop();
    throw new StartupError(`Cannot connect to the embedded engine at ${engine.uri} (${reason(err)})`, 'DATA_DIR', {
      cause: err,
    });
  }
  log.info({ uri: engine.uri, dataDir: config.dataDir }, 'connected to the embedded engine');
  const watch = watchConnection(mongoose.connection, log);
  return {
    kind: 'embedded',
    uri: engine.uri,
    connection: mongoose.connection,
    available: watch.available,
    async disconnect() {
      watch.stop();
      try {
        await mongoose.disconnect();
      } finally {
        await engine.stop();
      }
    },
  };
}

/** Follows the driver's view of the server: one line when the connection is lost, one when it is back. */
function watchConnection(connection: Connection, log: Logger): { available(): boolean; stop(): void } {
  const lost = () => log.warn('lost the connection to the database; reconnecting (requests meanwhile answer 503)');
  const back = () => log.info('connection to the database restored');
  connection.on('disconnected', lost).on('reconnected', back);
  return {
    available: () => connection.readyState === mongoose.ConnectionStates.connected,
    stop() {
      connection.off('disconnected', lost).off('reconnected', back);
    },
  };
}

/** The URI without user name and password. */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)[^@/]*@/, '$1');
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
