/**
 * The digest sender as part of a process: its mailer from config, a pass every minute
 * (cheap when nothing is due: the leads, the sites and one lookup of the week's log), and
 * a bounded stop. Started beside the dispatch worker (server/main.ts, scripts/worker.ts).
 */
import { startPolling, stopWithin, type RunningJob } from '../alerts';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createMailer, type Mailer } from '../mail';
import { runDigestPass } from './sender';

export const DIGEST_POLL_MS = 60_000;

export interface DigestSender {
  /** One pass at `now` (default: the clock); resolves with the number of digests sent. */
  runOnce(now?: Date): Promise<number>;
  stop(): Promise<void>;
}

export interface DigestSenderOptions {
  mailer: Mailer;
  config: Pick<Config, 'publicUrl'>;
  logger: Logger;
  pollMs?: number;
  /** false: no polling, only runOnce() (tests). Default true. */
  loop?: boolean;
}

export function startDigestSender(options: DigestSenderOptions): DigestSender {
  const deps = { mailer: options.mailer, config: options.config, logger: options.logger };
  const polling = startPolling('digest', options.pollMs ?? DIGEST_POLL_MS, () => runDigestPass(deps), options.logger, options.loop !== false);
  return { runOnce: (now) => runDigestPass(deps, now), stop: () => polling.stop() };
}

export function runDigest(config: Config, logger: Logger): RunningJob {
  const mailer = createMailer(config, logger);
  const sender = startDigestSender({ mailer, config, logger });
  return { stop: (timeoutMs) => stopWithin(sender, mailer, timeoutMs) };
}
