/**
 * Charts drawn on a thread of their own: a chart takes vega tens of milliseconds of CPU,
 * which on the app's thread would hold up every other request (customers' answers among
 * them). One worker thread, started on first use and keeping the process alive only while it draws;
 * requests are answered in any order by id. Should it die, pending charts fail and the
 * next one starts a new thread.
 */
import { isMainThread, parentPort, type Worker } from 'node:worker_threads';
import { startModuleThread } from '../threads';
import { drawSvg, loadEngines } from './chart-draw';

/** Id 0 with no spec: load vega and answer nothing. */
type Request = { id: number; spec: object | null };
type Reply = { id: number; svg: string; warnings: string[] } | { id: number; error: string };

let worker: Worker | null = null;
let lastId = 0;
const pending = new Map<number, { resolve: (r: { svg: string; warnings: string[] }) => void; reject: (err: Error) => void }>();

function thread(): Worker {
  if (worker) return worker;
  const started = startModuleThread(__filename);
  started.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (pending.size === 0) started.unref();
    if ('error' in reply) waiter.reject(new Error(`the chart could not be drawn: ${reply.error}`));
    else waiter.resolve(reply);
  });
  const fail = (err: Error) => {
    if (worker === started) worker = null;
    for (const waiter of pending.values()) waiter.reject(err);
    pending.clear();
  };
  started.on('error', fail);
  started.on('exit', (code) => fail(new Error(`the chart thread stopped (code ${code})`)));
  // Idle, the thread keeps nobody alive; a chart being drawn does (drawOnThread). After the
  // listeners: adding a 'message' listener refs the thread's port again.
  started.unref();
  worker = started;
  return started;
}

/** Starts the chart thread and has it load vega, without waiting (the first report page then draws at once). */
export function warmChartThread(): void {
  thread().postMessage({ id: 0, spec: null } satisfies Request);
}

/** drawSvg on the chart thread. */
export function drawOnThread(spec: object): Promise<{ svg: string; warnings: string[] }> {
  return new Promise((resolve, reject) => {
    const id = ++lastId;
    pending.set(id, { resolve, reject });
    const drawing = thread();
    drawing.ref();
    drawing.postMessage({ id, spec } satisfies Request);
  });
}

// Loaded as the chart thread: draw what the app sends.
if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on('message', ({ id, spec }: Request) => {
    if (spec === null) return void loadEngines().catch(() => undefined);
    drawSvg(spec).then(
      ({ svg, warnings }) => port.postMessage({ id, svg, warnings } satisfies Reply),
      (err: Error) => port.postMessage({ id, error: err.message } satisfies Reply),
    );
  });
}
