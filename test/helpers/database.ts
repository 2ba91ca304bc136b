/**
 * A database per test file: useTestDatabase() starts the embedded engine on an empty
 * temporary DATA_DIR before the file's tests and stops it after, with Mongoose's default
 * connection (the one feature models use) pointing at it.
 */
import { connect, type Database } from '../../server/db';
import { createLogger } from '../../server/logger';
import { makeTempDir } from './tmp';

export function useTestDatabase(): () => Database {
  let database: Database | undefined;
  beforeAll(async () => {
    const logger = createLogger({ logLevel: process.env.LOG_LEVEL === undefined ? 'silent' : 'debug' });
    database = await connect({ mongodbUri: undefined, dataDir: makeTempDir('retour-db-') }, logger);
  });
  afterAll(async () => {
    await database?.disconnect();
  });
  return () => {
    if (!database) throw new Error('useTestDatabase(): the database is not started yet (use it inside tests)');
    return database;
  };
}

/** Runs `work` with Mongoose connected to the embedded engine on `dataDir` (a command's data, read or seeded by the test), then disconnects. */
export async function withDatabase<T>(dataDir: string, work: () => Promise<T>): Promise<T> {
  const database = await connect({ mongodbUri: undefined, dataDir }, createLogger({ logLevel: 'silent' }));
  try {
    return await work();
  } finally {
    await database.disconnect();
  }
}
