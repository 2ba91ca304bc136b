/**
 * The database's public surface for the rest of the app: connect() and its types, the
 * group commit that hot writes share, writes across collections in one command
 * (client-writes.ts), what a database error means (faults.ts), and literal text as a
 * regex pattern.
 * Everything else in server/db/ (the child-process wrapper, the engine) is internal.
 */
export { connect, redactUri, type ConnectOptions, type Database, type DbKind } from './connect';
export { createCoalescer, type CoalescerOptions } from './coalesce';
export { asCollectionWrite, canWriteAcross, forceWriteAcross, namespaceOf, writeAcross, writeEach, type ClientWrite, type StoppedAt } from './client-writes';
export { databaseFault, type DatabaseFault } from './faults';
export { literalPattern } from './patterns';
