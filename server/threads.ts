/**
 * Worker threads that run one of the app's TypeScript modules. The app runs TypeScript
 * through tsx, and a new thread does not inherit the loader: it registers tsx before
 * loading the module.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** A thread running `modulePath` (an absolute path, as require.resolve or __filename give it). */
export function startModuleThread(modulePath: string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const code = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(modulePath)});`;
  return new Worker(code, { ...options, eval: true });
}
