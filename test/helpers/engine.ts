/**
 * Test helpers for the embedded engine: a server on a fresh temporary data directory
 * and a connected official driver client, torn down together.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../server/db/embedded';
import type { Engine } from '../../server/db/embedded/engine/engine';
import { WriteTurns } from '../../server/db/embedded/engine/write-turns';

export interface TestEngine {
  server: EmbeddedMongo;
  client: MongoClient;
  db: Db;
  dbPath: string;
  /** Stops the server and the client; the data directory stays for a restart. */
  stop(): Promise<void>;
  /** Stops everything and removes the data directory. */
  destroy(): Promise<void>;
}

export function tempDir(prefix = 'retour-engine-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export async function startTestEngine(dbPath = tempDir(), dbName = 'test', ttlIntervalMs?: number): Promise<TestEngine> {
  const server = await startEmbeddedMongo({ dbPath, port: 0, ttlIntervalMs });
  const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const stop = async () => {
    await client.close();
    await server.stop();
  };
  return {
    server,
    client,
    db: client.db(dbName),
    dbPath,
    stop,
    async destroy() {
      await stop();
      rmSync(dbPath, { recursive: true, force: true });
    },
  };
}

/**
 * The engine of a wire server whose tests run no data command: only the write turns, which
 * every command that is not a read checks before it runs (commands/registry.ts).
 */
export function engineStub(): Engine {
  return { turns: new WriteTurns() } as unknown as Engine;
}
