/**
 * The app under load, in its own process (server/main.ts, as `npm start` runs it) so that
 * the load generator does not share its event loop; and the CPU time of that process and
 * of its children (the embedded engine), read from /proc, to tell app work from engine work
 * (and the whole machine's, to tell the run's work from other work on a shared machine).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { runApp, type AppProcess } from '../test/helpers/process';

export interface RunningApp {
  process: AppProcess;
  url: string;
  /** CPU milliseconds used so far: the app process, and its children (the engine). */
  cpu(): { app: number; engine: number };
  /** SIGTERM, as a supervisor stops it; throws unless it exits 0 within 30 s. */
  stop(): Promise<void>;
}

const TICK_MS = 10;

/** utime + stime of a process in ms; 0 when it is gone or /proc is not there. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]) === pid;
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/** CPU milliseconds the whole machine has spent busy (all cores, everything but idle and iowait), from /proc/stat. */
export function machineBusyMs(): number {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
    return (user + nice + system + irq + softirq + steal) * TICK_MS;
  } catch {
    return 0;
  }
}

export async function startApp(env: Record<string, string>): Promise<RunningApp> {
  const app = runApp(env);
  // The ready message's URL is PUBLIC_URL; the bench talks to the port it listens on.
  const { port } = await app.ready;
  const pid = app.child.pid as number;
  const engines = childrenOf(pid);
  return {
    process: app,
    url: `http://127.0.0.1:${port}`,
    cpu: () => ({ app: cpuMs(pid), engine: engines.reduce((sum, p) => sum + cpuMs(p), 0) }),
    async stop() {
      app.child.kill('SIGTERM');
      const timer = setTimeout(() => app.child.kill('SIGKILL'), 30_000);
      const { code, signal } = await app.exited;
      clearTimeout(timer);
      if (code !== 0) throw new Error(`the app exited with ${code ?? signal} on SIGTERM: ${app.stderr().slice(-500)}`);
    },
  };
}
