/**
 * The alert sender as part of a process: its mailer from config (SMTP or outbox), a pass
 * every minute (an unhappy customer's lead hears within minutes), and a bounded stop that
 * closes the mailer. Started beside the dispatch worker (server/main.ts, scripts/worker.ts).
 */
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createMailer, type Mailer } from '../mail';
import { startPolling } from './loop';
import { runAlertPass, type AlertPass } from './sender';

export const ALERT_POLL_MS = 60_000;

export interface AlertSender {
  /** One pass at `now` (default: the clock). */
  runOnce(now?: Date): Promise<AlertPass>;
  /** Stops polling and waits for the pass in flight. */
  stop(): Promise<void>;
}

export interface AlertSenderOptions {
  mailer: Mailer;
  config: Pick<Config, 'publicUrl'>;
  logger: Logger;
  pollMs?: number;
  /** false: no polling, only runOnce() (tests). Default true. */
  loop?: boolean;
}

export function startAlertSender(options: AlertSenderOptions): AlertSender {
  const deps = { mailer: options.mailer, config: options.config, logger: options.logger };
  const polling = startPolling('alerts', options.pollMs ?? ALERT_POLL_MS, () => runAlertPass(deps), options.logger, options.loop !== false);
  return { runOnce: (now) => runAlertPass(deps, now), stop: () => polling.stop() };
}

export interface RunningJob {
  /** Stops polling, waits up to `timeoutMs` for the pass in flight, closes the mailer. */
  stop(timeoutMs: number): Promise<'stopped' | 'timeout'>;
}

/** Stops a job, waiting at most `timeoutMs` for the pass in flight. */
export async function stopBounded(job: { stop(): Promise<void> }, timeoutMs: number): Promise<'stopped' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const outcome = await Promise.race([job.stop().then(() => 'stopped' as const), timeout]);
  clearTimeout(timer);
  return outcome;
}

/** Stops a job within `timeoutMs`, then closes its mailer whatever happened. */
export async function stopWithin(job: { stop(): Promise<void> }, mailer: Mailer, timeoutMs: number): Promise<'stopped' | 'timeout'> {
  const outcome = await stopBounded(job, timeoutMs);
  await mailer.close();
  return outcome;
}

export function runAlerts(config: Config, logger: Logger): RunningJob {
  const mailer = createMailer(config, logger);
  const sender = startAlertSender({ mailer, config, logger });
  return { stop: (timeoutMs) => stopWithin(sender, mailer, timeoutMs) };
}
