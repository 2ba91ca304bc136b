/**
 * What a database error means for the people waiting on it: the database cannot be
 * reached for now (no server found in time, a broken connection, a primary stepping
 * down), so the request may succeed in a moment, or its storage is full, so nothing new
 * can be saved until space is freed. Everything else is not a fault of the database.
 */

export type DatabaseFault = 'unreachable' | 'storage-full';

/** The driver's (and Mongoose's) errors for a server it cannot talk to. */
const UNREACHABLE_NAMES = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoPoolClearedError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
]);

/**
 * MongoDB's codes for a server that is shutting down, stepping down or unreachable
 * (HostUnreachable, HostNotFound, NetworkTimeout, ShutdownInProgress, PrimarySteppedDown,
 * SocketException, NotWritablePrimary, InterruptedAtShutdown, InterruptedDueToReplStateChange,
 * NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary).
 */
const UNREACHABLE_CODES = new Set([6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436]);

/** MongoDB's OutOfDiskSpace; the embedded engine answers it when its data directory is full. */
const OUT_OF_DISK_SPACE = 14031;

/** The fault behind `err` (or an error it wraps), or null when the database is not at fault. */
export function databaseFault(err: unknown): DatabaseFault | null {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const e = current as { name?: unknown; code?: unknown; cause?: unknown };
    if (e.code === OUT_OF_DISK_SPACE) return 'storage-full';
    if (typeof e.name === 'string' && UNREACHABLE_NAMES.has(e.name)) return 'unreachable';
    if (typeof e.name === 'string' && e.name.startsWith('Mongo') && typeof e.code === 'number' && UNREACHABLE_CODES.has(e.code)) {
      return 'unreachable';
    }
    current = e.cause;
  }
  return null;
}
