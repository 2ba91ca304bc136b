/**
 * Runs the embedded engine (server/db/embedded/cli.ts) as a child process, so a long
 * aggregation never stalls the app's event loop. Waits for its `ready` message over
 * IPC (however long it takes to open a large data directory, as long as it reports its
 * progress), relays its output to the logger, and stops it on request. The child exits by
 * itself when the IPC channel closes, so it dies with the app even on SIGKILL.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { StartupError } from '../errors';
import type { Logger } from '../logger';

export interface EmbeddedProcess {
  uri: string;
  port: number;
  pid: number;
  /** Asks the engine to stop (it flushes and releases the lock), killing it after 10 s. */
  stop(): Promise<void>;
}

type EngineMessage =
  | { type: 'loading'; indexed: number; documents: number }
  | { type: 'ready'; uri: string; port: number }
  | { type: 'error'; message: string };

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * The engine collects its garbage on its own thread. It shares the machine with the app,
 * and V8's helper threads (parallel scavenges; concurrent marking of a heap that holds
 * every document and index key) would take the app's cores, while the engine's own
 * thread has time to spare. Submit benchmark, 1,000,000 invitations, four alternated
 * runs each way: engine CPU per answer 0.31–0.39 ms instead of 0.40–0.84, the app's p99
 * 58–128 ms instead of 102–386, the ratio 0.394–0.462 instead of 0.382–0.419.
 *
 * Nor does V8 allocate objects of a kind straight in the old generation once most of them
 * lived long (allocation-site pretenuring): after a load, the decoding sites of documents
 * and commands were marked so, while the engine keeps stored documents as bytes and their
 * decoded forms are short-lived; pretenured, each was garbage for a major collection. The
 * `--trace-gc` of submit rounds, three runs each way (100,000 and 1,000,000 invitations):
 * 1.05–1.08 MB promoted per scavenge instead of 1.35–1.47, so major collections (each one
 * a stall of the submits in flight) about a fifth rarer, and scavenges of 4.1–6.0 ms
 * instead of 5.8–6.9; loading 1,000,000 invitations took as long (81 s against 80 s).
 *
 * Collecting on one thread, V8 lets the heap grow further between major collections (its
 * growth factor follows how slow marking is): with 1,000,000 documents of ~500 B the engine
 * peaked at 1,501–1,561 MB of RSS, its old space 663 MB for 435 MB in use, against 1,334–
 * 1,362 MB with V8's own threads. Growing it by 30% at most: 1,160 MB, old space 407 MB
 * for 332 MB; loading took 42 s against 37–38 s, and the submit benchmark ran alike (engine
 * CPU per answer 0.36 ms against 0.37, ratio 0.460 against 0.469, runs back to back).
 * `npm run db`, the engine alone, passes the same flags.
 */
export const ENGINE_V8_FLAGS = ['--single-threaded-gc', '--no-allocation-site-pretenuring', '--heap-growing-percent=30'];

const STOP_TIMEOUT_MS = 10_000;
/** At most one line at info level per this long about opening the data directory. */
const PROGRESS_LOG_MS = 5_000;

export async function startEmbeddedProcess(
  dataDir: string,
  logger: Logger,
  options: {
    /** How long the engine may go without reporting progress or being ready (default 30 s). */
    startTimeoutMs?: number;
    onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
    /** Another program speaking the same IPC contract (tests). */
    cliPath?: string;
  } = {},
): Promise<EmbeddedProcess> {
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const cli = options.cliPath ?? resolveCli();
  fs.mkdirSync(dataDir, { recursive: true });
  // cwd = repository root so that tsx resolves wherever the app was started from. Its CommonJS hook
  // alone (the engine is CommonJS throughout) starts the engine in 0.5 s instead of 0.7 s.
  const child = fork(cli, ['--port', '0', '--dbpath', dataDir], {
    cwd: REPO_ROOT,
    execArgv: ['--require', 'tsx/cjs', ...ENGINE_V8_FLAGS],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const recentErrors = relayOutput(child, logger);
  let exited = false;
  let stopping = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const ready = await new Promise<{ uri: string; port: number }>((resolve, reject) => {
    const settle = (outcome: { uri: string; port: number } | string) => {
      clearTimeout(timer);
      child.off('message', onMessage).off('close', onClose).off('error', onError);
      if (typeof outcome !== 'string') return resolve(outcome);
      if (!exited) child.kill('SIGKILL');
      reject(new StartupError(outcome, 'DATA_DIR'));
    };
    let toldAt = -Infinity;
    const onMessage = (msg: EngineMessage) => {
      if (msg?.type === 'loading') {
        timer.refresh();
        // A line every few seconds tells whoever watches a long start how far it is.
        const now = Date.now();
        const level = now - toldAt >= PROGRESS_LOG_MS ? 'info' : 'debug';
        if (level === 'info') toldAt = now;
        logger[level]({ indexed: msg.indexed, documents: msg.documents }, 'embedded engine opening its data directory');
      } else if (msg?.type === 'ready') settle({ uri: msg.uri, port: msg.port });
      else if (msg?.type === 'error') settle(`The embedded engine could not start on DATA_DIR=${dataDir}: ${msg.message}`);
    };
    // 'close' rather than 'exit': by then the last stderr lines have been read.
    const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
      const why = explainExit(recentErrors);
      settle(`The embedded engine exited before it was ready (${signal ?? `code ${code}`})${why ? `: ${why}` : ''}`);
    };
    const onError = (err: Error) => settle(`The embedded engine could not be started: ${err.message}`);
    // A time without news rather than in all: 1,000,000 invitations take 16–22 s to open here.
    const timer = setTimeout(
      () => settle(`The embedded engine did not start: it reported no progress for ${startTimeoutMs / 1000} s while opening DATA_DIR=${dataDir} (its last log lines say how far it got)`),
      startTimeoutMs,
    );
    child.on('message', onMessage).once('close', onClose).once('error', onError);
  });

  child.once('exit', (code, signal) => {
    if (stopping) return;
    logger.error({ code, signal }, 'the embedded engine exited unexpectedly');
    options.onExit?.(code, signal);
  });
  child.on('error', (err) => logger.warn({ err }, 'embedded engine process error'));
  logger.debug({ pid: child.pid, port: ready.port }, 'embedded engine ready');

  return {
    ...ready,
    pid: child.pid ?? 0,
    async stop() {
      if (exited) return;
      stopping = true;
      try {
        child.send({ type: 'stop' });
      } catch {
        child.kill('SIGTERM');
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}

function resolveCli(): string {
  try {
    return require.resolve('./embedded/cli');
  } catch (err) {
    throw new StartupError(
      'The embedded engine (server/db/embedded/cli.ts) is not available; set MONGODB_URI to use a MongoDB server',
      'MONGODB_URI',
      { cause: err },
    );
  }
}

/** Engine output goes to our log (its pino lines keep their level); the last stderr lines explain an early exit. */
function relayOutput(child: ChildProcess, logger: Logger): string[] {
  const recent: string[] = [];
  const relay = (line: string, fallback: 'info' | 'warn') => {
    const entry = parseLogLine(line);
    if (entry) logger[LEVELS[entry.level ?? 30] ?? fallback]({ engine: entry.fields }, entry.msg ?? 'embedded engine');
    else logger[fallback]({ engine: line }, 'embedded engine output');
  };
  if (child.stdout) readline.createInterface({ input: child.stdout }).on('line', (line) => relay(line, 'info'));
  if (child.stderr) {
    readline.createInterface({ input: child.stderr }).on('line', (line) => {
      recent.push(parseLogLine(line)?.msg ?? line);
      if (recent.length > 100) recent.shift();
      relay(line, 'warn');
    });
  }
  return recent;
}

/** The line of a crash report that says what went wrong (`Error: Cannot find module...`). */
function explainExit(lines: string[]): string | undefined {
  const meaningful = lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('at ') && !/^Node\.js v/.test(l));
  return meaningful.findLast((l) => /^\w*Error\b/.test(l)) ?? meaningful.at(-1);
}

const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

function parseLogLine(line: string): { level?: number; msg?: string; fields: Record<string, unknown> } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const { level, msg, time: _time, pid: _pid, hostname: _hostname, ...fields } = JSON.parse(line) as Record<string, unknown>;
    return { level: typeof level === 'number' ? level : undefined, msg: typeof msg === 'string' ? msg : undefined, fields };
  } catch {
    return undefined;
  }
}
