/**
 * Retention as part of a process: a pass at start, then every hour (cheap when nothing is
 * due), cut between two batches when the process stops. Started beside the dispatch
 * worker (server/main.ts, scripts/worker.ts); two processes doing it at once only repeat
 * each other's queries.
 */
import { startPolling, stopBounded, type RunningJob } from '../alerts';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { runRetentionPass, type RetentionPass } from './retention';

export const RETENTION_POLL_MS = 3_600_000;

export interface RetentionJob extends RunningJob {
  /** One pass at `now` (default: the clock). */
  runOnce(now?: Date): Promise<RetentionPass>;
}

export function runRetention(
  config: Pick<Config, 'retentionMonths'>,
  logger: Logger,
  options: { pollMs?: number; loop?: boolean } = {},
): RetentionJob {
  let stopping = false;
  const pass = (now?: Date) => runRetentionPass({ months: config.retentionMonths, now, logger, stopping: () => stopping });
  const polling = startPolling('retention', options.pollMs ?? RETENTION_POLL_MS, () => pass(), logger, options.loop !== false);
  return {
    runOnce: pass,
    stop(timeoutMs) {
      stopping = true;
      return stopBounded(polling, timeoutMs);
    },
  };
}
