/**
 * The database's public surface for the rest of the app: connect() and its types.
 * Everything else in server/db/ (the child-process wrapper, the engine) is internal.
 */
export { connect, redactUri, type ConnectOptions, type Database, type DbKind } from './connect';
