/**
 * The dispatch worker as part of a process: its mailer from config (SMTP or outbox), the
 * worker, and a bounded stop that closes the mailer. server/main.ts runs it beside HTTP
 * (DISPATCH_WORKER=1); scripts/worker.ts runs it alone.
 */
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createMailer } from '../mail';
import { startDispatchWorker, type DispatchWorkerDeps } from './worker';

export interface RunningDispatch {
  /** Stops claiming, waits up to `timeoutMs` for sends in flight, closes the mailer. */
  stop(timeoutMs: number): Promise<'stopped' | 'timeout'>;
}

export function runDispatch(config: Config, logger: Logger, options: Omit<DispatchWorkerDeps, 'mailer' | 'config' | 'logger'> = {}): RunningDispatch {
  const mailer = createMailer(config, logger);
  const worker = startDispatchWorker({ ...options, mailer, config, logger });
  return {
    async stop(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      // A send stuck on an unreachable server must not hold the shutdown: its lease expires and another worker retries it.
      const outcome = await Promise.race([worker.stop().then(() => 'stopped' as const), timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') logger.warn('the dispatch worker did not finish its sends in time; their leases will expire');
      await mailer.close();
      return outcome;
    },
  };
}
