/**
 * Connects Mongoose (its default connection, which the feature models use) to
 * MONGODB_URI when set, or else to the embedded engine started as a child process on
 * DATA_DIR (embedded-process.ts). Start-up failures are StartupErrors naming the variable.
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
  /** Closes the Mongoose connection, then stops the embedded engine if there is one. */
  disconnect(): Promise<void>;
}

export interface ConnectOptions {
  /** How long the embedded engine may take to say it is ready. */
  startTimeoutMs?: number;
  /** How long the driver looks for a server before giving up. */
  serverSelectionTimeoutMs?: number;
  /** The embedded engine exited while the app was using it. */
  onEngineExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

const EMBEDDED_DB_NAME = 'retour';

/** Throws StartupError (MONGODB_URI unreachable, DATA_DIR locked, engine too slow or missing). */
export async function connect(
  config: Pick<Config, 'mongodbUri' | 'dataDir'>,
  logger: Logger,
  options: ConnectOptions = {},
): Promise<Database> {
  const log = logger.child({ component: 'db' });
  const serverSelectionTimeoutMS = options.serverSelectionTimeoutMs ?? 10_000;
  if (config.mongodbUri) {
    const uri = redactUri(config.mongodbUri);
    try {
      await mongoose.connect(config.mongodbUri, { serverSelectionTimeoutMS });
    } catch (err) {
      await mongoose.disconnect().catch(() => undefined);
      throw new StartupError(`Cannot connect: MONGODB_URI ${uri} did not answer (${reason(err)})`, 'MONGODB_URI', {
        cause: err,
      });
    }
    log.info({ uri }, 'connected to MongoDB');
    return { kind: 'mongodb', uri, connection: mongoose.connection, disconnect: () => mongoose.disconnect() };
  }

  const engine: EmbeddedProcess = await startEmbeddedProcess(config.dataDir, log, {
    startTimeoutMs: options.startTimeoutMs,
    onExit: options.onEngineExit,
  });
  try {
    await mongoose.connect(engine.uri, { dbName: EMBEDDED_DB_NAME, serverSelectionTimeoutMS });
  } catch (err) {
    await engine.stop();
    throw new StartupError(`Cannot connect to the embedded engine at ${engine.uri} (${reason(err)})`, 'DATA_DIR', {
      cause: err,
    });
  }
  log.info({ uri: engine.uri, dataDir: config.dataDir }, 'connected to the embedded engine');
  return {
    kind: 'embedded',
    uri: engine.uri,
    connection: mongoose.connection,
    async disconnect() {
      try {
        await mongoose.disconnect();
      } finally {
        await engine.stop();
      }
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
