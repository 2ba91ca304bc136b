/**
 * A background job's polling loop, shared by the alert sender and the weekly digest: run
 * `tick` every `pollMs` until stopped, log and carry on when a tick fails (the database or
 * the mail server may be away for a while), and let stop() wait for the tick in flight.
 * `loop: false` starts nothing: tests call the job's runOnce(now) themselves.
 */
import type { Logger } from '../logger';

export interface PollingLoop {
  /** Stops polling and waits for the tick in flight. */
  stop(): Promise<void>;
}

export function startPolling(name: string, pollMs: number, tick: () => Promise<unknown>, logger: Logger, loop = true): PollingLoop {
  let stopping = false;
  let wake: (() => void) | undefined;
  async function run(): Promise<void> {
    while (!stopping) {
      try {
        await tick();
      } catch (err) {
        logger.error({ err, job: name }, 'background job failed; trying again at the next poll');
      }
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }
  const running = loop ? run() : Promise.resolve();
  if (loop) logger.info({ job: name, pollMs }, 'background job started');
  return {
    async stop() {
      stopping = true;
      wake?.();
      await running;
      if (loop) logger.info({ job: name }, 'background job stopped');
    },
  };
}
