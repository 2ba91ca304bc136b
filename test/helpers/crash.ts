/**
 * Crashing the app on purpose (with test/helpers/process.ts): the embedded engine's pid
 * (the app's child, found in /proc), SIGKILL of the app alone or of the app and its engine
 * together (a power loss), waiting until both are gone so the data directory's lock is
 * free again, and a POST that tells an answer apart from a request the crash cut.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AppProcess } from './process';

/** The pids whose parent is `pid` (Linux /proc). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses: the fields after it start at the last ") ".
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return children;
}

/** The embedded engine started by the app of pid `appPid` (server/db/embedded-process.ts forks embedded/cli). */
export function enginePidOf(appPid: number): number {
  const engine = childPids(appPid).find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('embedded/cli');
    } catch {
      return false;
    }
  });
  if (engine === undefined) throw new Error(`the app (pid ${appPid}) has no embedded engine child`);
  return engine;
}

/**
 * Waits until the process has left /proc: a zombie still counts, since the data
 * directory's lock takes any pid that answers a signal for its live owner.
 */
export async function waitGone(pid: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (existsSync(`/proc/${pid}`)) {
    if (Date.now() > deadline) throw new Error(`pid ${pid} is still there after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * SIGKILL of the app, and of its engine too when `engineToo` (otherwise the engine sees
 * its parent go and stops by itself, as it does when a supervisor kills the app).
 * Resolves once both processes are gone.
 */
export async function crashApp(app: AppProcess, enginePid: number, engineToo: boolean): Promise<void> {
  app.child.kill('SIGKILL');
  if (engineToo) process.kill(enginePid, 'SIGKILL');
  await app.exited;
  await waitGone(enginePid);
}

/** What came back for a request: the status and body, or the error of a connection cut or refused. */
export type Outcome = { status: number; text: string } | { cut: Error };

export const answered = (outcome: Outcome): outcome is { status: number; text: string } => 'status' in outcome;

/** One POST over `agent`; never rejects (a crash is an outcome). `body` is sent as is. */
export function postOutcome(agent: http.Agent, url: string, headers: Record<string, string>, body: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (cut) => resolve({ cut }));
    });
    req.on('error', (cut) => resolve({ cut }));
    req.end(body);
  });
}

/** The messages of the errors an app logged (pino lines of level error or fatal), to explain a 5xx it answered. */
export function loggedErrors(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      } catch {
        return {};
      }
    })
    .filter((entry) => (entry.level ?? 0) >= 50)
    .map((entry) => `${entry.msg ?? ''}: ${entry.err?.message ?? ''}`);
}
