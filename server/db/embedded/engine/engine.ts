/**
 * The engine: the in-memory catalog of databases and collections, backed by storage/.
 * Commands work through it; it owns cursors and the journal commit of every write.
 */
export class Engine {}
