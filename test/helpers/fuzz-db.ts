/**
 * The database of the fuzz suites, watched from inside: the embedded engine with Mongoose's
 * default connection opened with driver command monitoring, and a check of every command
 * the app sends. Operator payloads from test/helpers/fuzz.ts carry OPERATOR_MARK; a command
 * holding that mark under a `$` key, a key holding the mark, a bracketed `[$` key or
 * server-side JavaScript (`$where`) means user input became a query operator (or a stored key).
 */
import mongoose from 'mongoose';
import { startEmbeddedProcess, type EmbeddedProcess } from '../../server/db/embedded-process';
import { createLogger } from '../../server/logger';
import { OPERATOR_MARK } from './fuzz';
import { makeTempDir } from './tmp';

/** Server-side JavaScript: the app never sends it, so seen in any command it came from outside. */
const FOREIGN_OPERATORS = new Set(['$where', '$function', '$accumulator']);
/** Command fields of the driver's own, not the app's. */
const ENVELOPE = new Set(['lsid', '$clusterTime', '$db', 'txnNumber', 'readConcern', 'writeConcern', '$readPreference']);

export interface Violation {
  command: string;
  collection: unknown;
  path: string;
  problem: string;
}

export interface CommandWatch {
  /** Commands seen since the file started (a check over none proves nothing). */
  count(): number;
  /** Problems found since the last take(), then forgotten. */
  take(): Violation[];
}

/** What the driver will serialise: Mongoose documents and arrays give their plain form (toBSON). */
function plain(value: unknown): unknown {
  const toBSON = (value as { toBSON?: unknown } | null)?.toBSON;
  return typeof toBSON === 'function' ? (toBSON as () => unknown).call(value) : value;
}

const isWalkable = (value: unknown): value is object =>
  !!value && typeof value === 'object' && !ArrayBuffer.isView(value) && !(value instanceof Date) && (value as { _bsontype?: unknown })._bsontype === undefined;

/**
 * Operator payloads put the mark at the start of their values; a path segment that spells an
 * operator as text ('{"$ne":"OPINJ"}') is a plain string, which the app may rightly query for.
 */
function holdsMark(value: unknown, seen: WeakSet<object>): boolean {
  const v = plain(value);
  if (typeof v === 'string') return v.startsWith(OPERATOR_MARK);
  if (!isWalkable(v) || seen.has(v)) return false;
  seen.add(v);
  return Object.entries(v).some(([k, inner]) => k.includes(OPERATOR_MARK) || holdsMark(inner, seen));
}

/** Every problem in one command document (walked whole: filters, updates, pipelines, documents). */
export function inspectCommand(name: string, command: Record<string, unknown>): Violation[] {
  const found: Violation[] = [];
  const seen = new WeakSet<object>();
  const walk = (raw: unknown, path: string) => {
    const value = plain(raw);
    if (!isWalkable(value) || seen.has(value)) return;
    seen.add(value);
    for (const [key, inner] of Object.entries(value)) {
      const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      const report = (problem: string) => found.push({ command: name, collection: command[name], path: at, problem });
      if (!Array.isArray(value)) {
        if (key.includes(OPERATOR_MARK)) report('a key sent by the client');
        else if (key.includes('[$')) report('a bracketed operator key from a query string');
        else if (FOREIGN_OPERATORS.has(key)) report(`${key}, server-side JavaScript`);
        else if (key.startsWith('$') && holdsMark(inner, new WeakSet())) report(`${key} built from a value the client sent`);
      }
      walk(inner, at);
    }
  };
  for (const [key, value] of Object.entries(command)) if (!ENVELOPE.has(key)) walk(value, key);
  return found;
}

/**
 * Call at the top of a fuzz test file (instead of useTestDatabase()): the engine on an
 * empty temporary DATA_DIR, Mongoose connected with command monitoring, and the watch.
 */
export function useWatchedDatabase(): CommandWatch {
  let engine: EmbeddedProcess | undefined;
  let count = 0;
  let violations: Violation[] = [];
  beforeAll(async () => {
    engine = await startEmbeddedProcess(makeTempDir('retour-fuzz-db-'), createLogger({ logLevel: 'silent' }));
    await mongoose.connect(engine.uri, { dbName: 'retour', serverSelectionTimeoutMS: 10_000, monitorCommands: true });
    mongoose.connection.getClient().on('commandStarted', (event) => {
      count += 1;
      // A throw here would fail the app's command: a watch that cannot read one reports it instead.
      try {
        violations.push(...inspectCommand(event.commandName, event.command as Record<string, unknown>));
      } catch (err) {
        violations.push({ command: event.commandName, collection: null, path: '', problem: `unreadable: ${(err as Error).message}` });
      }
    });
  });
  afterAll(async () => {
    await mongoose.disconnect();
    await engine?.stop();
  });
  return {
    count: () => count,
    take() {
      const taken = violations;
      violations = [];
      return taken;
    },
  };
}
