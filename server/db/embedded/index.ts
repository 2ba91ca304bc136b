/**
 * The embedded engine's public surface: start a MongoDB-wire-compatible server on a
 * data directory and stop it. Nothing here depends on the rest of the app.
 */
import pino, { type Logger } from 'pino';
import './commands';
import { Engine, type OpenProgress } from './engine/engine';
import { createWireServer } from './server';

export interface EmbeddedMongoOptions {
  dbPath: string;
  port?: number;
  host?: string;
  logger?: Logger;
  /** Interval of the TTL sweeper (default 60 s, as MongoDB). */
  ttlIntervalMs?: number;
  /** Told how opening the data directory goes on, before the server listens. */
  onProgress?: (progress: OpenProgress) => void;
  /** Dead bytes rewritten documents may keep in memory (and more than half the live ones) before the survivors around them are moved out (default 64 MiB): engine/arena.ts. */
  memoryWasteBytes?: number;
}

export interface EmbeddedMongo {
  uri: string;
  port: number;
  stop(): Promise<void>;
}

/** Opens the data directory (recovering it) and listens; `port: 0` picks a free port. */
export async function startEmbeddedMongo(opts: EmbeddedMongoOptions): Promise<EmbeddedMongo> {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const host = opts.host ?? '127.0.0.1';
  const engine = await Engine.open({
    dbPath: opts.dbPath,
    logger,
    ttlIntervalMs: opts.ttlIntervalMs,
    onProgress: opts.onProgress,
    memoryWasteBytes: opts.memoryWasteBytes,
  });
  const server = createWireServer({ engine, host, port: opts.port ?? 0, logger });
  let port: number;
  try {
    port = await server.listen();
  } catch (err) {
    await engine.close();
    throw err;
  }
  const uriHost = host.includes(':') ? `[${host}]` : host;
  let stopping: Promise<void> | null = null;
  return {
    uri: `mongodb://${uriHost}:${port}/?directConnection=true`,
    port,
    stop() {
      stopping ??= server.close().then(() => engine.close());
      return stopping;
    },
  };
}
