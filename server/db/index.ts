/**
 * The database's public surface for the rest of the app: connect() and its types, and the
 * group commit that hot writes share.
 * Everything else in server/db/ (the child-process wrapper, the engine) is internal.
 */
export { connect, redactUri, type ConnectOptions, type Database, type DbKind } from './connect';
export { createCoalescer, type CoalescerOptions } from './coalesce';
