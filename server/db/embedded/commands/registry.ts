/**
 * The command table: maps a command's name (its first key) to its handler and turns
 * handler results and errors into reply bodies. Command families register themselves
 * from their own files through `registerCommands`.
 */
import type { Document } from 'bson';
import { MongoServerError, fail } from '../errors';
import type { Engine } from '../engine/engine';

/** What a handler knows about the connection that sent the command. */
export interface ConnectionInfo {
  id: number;
  remoteAddress: string;
  remotePort: number;
  localPort: number;
}

export interface CommandContext {
  engine: Engine;
  /** The `$db` of the command. */
  db: string;
  connection: ConnectionInfo;
}

/** A handler returns the reply body without `ok`; the registry adds `ok: 1`. */
export type CommandHandler = (cmd: Document, ctx: CommandContext) => Document | Promise<Document>;

const handlers = new Map<string, CommandHandler>();

/** Names as their families spelled them, for listCommands. */
const spelledNames = new Map<string, string>();

/**
 * Commands that change no data (lowercase names): they run between the slices of a long
 * write (engine/write-turns.ts). Every other command waits until that write has applied
 * its last operation.
 */
const READS_ONLY = new Set([
  'find', 'getmore', 'killcursors', 'count', 'distinct', 'listcollections', 'listindexes', 'listdatabases', 'collstats', 'dbstats',
  'hello', 'ismaster', 'ping', 'buildinfo', 'serverstatus', 'hostinfo', 'getparameter', 'getlog', 'getcmdlineopts', 'listcommands',
  'whatsmyuri', 'connectionstatus',
]);

/** Adds handlers; names are matched case-insensitively (MongoDB accepts `isMaster` and `ismaster`). */
export function registerCommands(table: Record<string, CommandHandler>): void {
  for (const [name, handler] of Object.entries(table)) handlers.set(name.toLowerCase(), handler);
  for (const name of Object.keys(table)) spelledNames.set(name.toLowerCase(), name);
}

/** Every registered command name, spelled as registered (`buildInfo`, not `buildinfo`), sorted. */
export function listCommandNames(): string[] {
  return [...spelledNames.values()].sort();
}

/** The command's name: its first key. */
export function commandName(cmd: Document): string {
  const first = Object.keys(cmd)[0];
  if (first === undefined) throw fail('FailedToParse', 'empty command object');
  return first;
}

/** Runs one command and always returns a reply body (`ok: 1` or MongoDB's error shape). */
export async function runCommand(cmd: Document, ctx: CommandContext): Promise<Document> {
  try {
    const name = commandName(cmd);
    const handler = handlers.get(name.toLowerCase());
    if (!handler) throw fail('CommandNotFound', `no such command: '${name}'`);
    // Checked again after each wait: another write may have taken the turn first.
    if (!READS_ONLY.has(name.toLowerCase())) while (ctx.engine.turns.busy) await ctx.engine.turns.released();
    const reply = await handler(cmd, ctx);
    return { ...reply, ok: 1 };
  } catch (err) {
    if (err instanceof MongoServerError) return err.toReply();
    return { ok: 0, errmsg: `internal error: ${(err as Error).message}`, code: 1, codeName: 'InternalError' };
  }
}
