/**
 * The dispatch worker: polls for due invitation emails (one indexed query when idle),
 * drains them with a few concurrent lanes without sleeping while work remains, sends due
 * reminders and expires old invitations every sweep, pauses while the mail server is down,
 * and stops gracefully (sends in flight finish). Runs in the app process or alone.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Mailer } from '../mail';
import { DEFAULT_RETRY, outagePause, type RetryPolicy } from './backoff';
import { claimDue, createSettler, expireDue, type Claimed, type Kind } from './claims';
import { dispatch, type DispatchDeps } from './dispatch';
import { createEmailBuilder } from './email';
import { holdLease } from './lease';
import { createSuppressionCheck } from './suppression-check';

export interface DispatchWorkerDeps {
  mailer: Mailer;
  config: Config;
  logger: Logger;
  /** Idle polling interval; a due invitation goes out within about this long. Default 1000. */
  pollMs?: number;
  /** Names this worker's leases; defaults to host, pid and a random suffix. */
  workerId?: string;
  /**
   * Emails handled at once while draining. Default 32: each spends most of its time
   * waiting (the claim's round trip, the SMTP conversation on the mail thread), so many
   * more lanes than the SMTP pool's 5 connections keep those connections busy.
   */
  concurrency?: number;
  /** How often reminders are looked for and old invitations expired. Default 30 s. */
  sweepMs?: number;
  /** How long a claim holds an invitation before another worker may take it. Default 60 s. */
  leaseMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Longest pause between probes while the mail server is unreachable. Default 60 s. */
  maxPauseMs?: number;
  /** false: no polling loop, only runOnce() (tests, benchmarks). Default true. */
  loop?: boolean;
  random?: () => number;
}

export interface DispatchWorker {
  /** Stops polling and waits for the emails in flight. */
  stop(): Promise<void>;
  /**
   * One full poll at `now` (default: the clock): due emails until none is left, then
   * reminders and expiry. Resolves with the number of emails sent.
   */
  runOnce(now?: Date): Promise<number>;
}

interface PollResult {
  sent: number;
  outage: boolean;
  pauseMs: number;
}

export function startDispatchWorker(deps: DispatchWorkerDeps): DispatchWorker {
  const { logger } = deps;
  const owner = deps.workerId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const pollMs = deps.pollMs ?? 1000;
  const concurrency = Math.max(1, deps.concurrency ?? 32);
  const sweepMs = deps.sweepMs ?? 30_000;
  const leaseMs = deps.leaseMs ?? 60_000;
  const maxPauseMs = Math.max(pollMs, deps.maxPauseMs ?? 60_000);
  const random = deps.random ?? Math.random;
  const sender: DispatchDeps = {
    mailer: deps.mailer,
    logger,
    buildEmail: createEmailBuilder(deps.config),
    settler: createSettler((count) => logger.warn({ worker: owner, count }, 'outcomes not recorded: leases lost to other workers, or invitations answered while sending')),
    isSuppressed: createSuppressionCheck(),
    retry: { ...DEFAULT_RETRY, ...deps.retry },
    random,
  };

  let stopping = false;
  let outages = 0;
  let lastSweep = 0;
  const active = new Set<Promise<unknown>>();
  let wake: (() => void) | undefined;

  /** Claims until nothing of `kind` is due, `concurrency` emails at a time. */
  async function drain(kind: Kind, clock: () => Date, pauseMs: number): Promise<{ sent: number; outage: boolean }> {
    let sent = 0;
    let outage = false;
    const handle = async (claimed: Claimed, at: Date) => {
      // A slow server must not let the lease run out under the send (another lane would send it again).
      const release = holdLease(claimed, at, leaseMs, (err) => logger.warn({ err, worker: owner }, 'the lease of an email being sent could not be extended'));
      const outcome = await dispatch(sender, claimed, at, pauseMs).finally(release);
      if (outcome === 'sent') sent += 1;
      else if (outcome === 'outage') outage = true;
    };
    const lane = async () => {
      while (!stopping && !outage) {
        const at = clock();
        const claimed = await claimDue(kind, owner, at, leaseMs);
        if (!claimed) return;
        await handle(claimed, at);
      }
    };
    // The first email probes (the idle case costs one query, a down server one attempt);
    // the other lanes join once it went through.
    const at = clock();
    const first = await claimDue(kind, owner, at, leaseMs);
    if (!first) return { sent, outage };
    try {
      await handle(first, at);
      const results = await Promise.allSettled(Array.from({ length: concurrency }, lane));
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
    } finally {
      // Every outcome is written before the drain reports (runOnce's callers read the database next).
      await sender.settler.flush();
    }
    return { sent, outage };
  }

  async function poll(clock: () => Date, sweep: boolean): Promise<PollResult> {
    const pauseMs = outagePause(outages + 1, pollMs, maxPauseMs, random);
    const first = await drain('invitation', clock, pauseMs);
    let { sent, outage } = first;
    if (!outage && !stopping && (sweep || Date.now() - lastSweep >= sweepMs)) {
      lastSweep = Date.now();
      const reminders = await drain('reminder', clock, pauseMs);
      sent += reminders.sent;
      outage = reminders.outage;
      const expired = await expireDue(clock());
      if (expired > 0) logger.info({ expired }, 'invitations expired');
    }
    outages = outage ? outages + 1 : 0;
    if (sent > 0) logger.debug({ sent, worker: owner }, 'dispatch poll sent emails');
    return { sent, outage, pauseMs };
  }

  function track<T>(promise: Promise<T>): Promise<T> {
    active.add(promise);
    void promise.then(
      () => active.delete(promise),
      () => active.delete(promise),
    );
    return promise;
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      let delay = pollMs;
      try {
        const result = await track(poll(() => new Date(), false));
        failures = 0;
        if (result.outage) delay = result.pauseMs;
      } catch (err) {
        // The database is unreachable or refused a write: keep the process, try again later.
        failures += 1;
        delay = outagePause(failures, pollMs, maxPauseMs, random);
        logger.error({ err, worker: owner }, 'dispatch poll failed');
      }
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  const running = deps.loop === false ? Promise.resolve() : loop();
  if (deps.loop !== false) logger.info({ worker: owner, pollMs, concurrency }, 'dispatch worker started');

  return {
    async stop() {
      stopping = true;
      wake?.();
      await running;
      await Promise.allSettled([...active]);
      if (deps.loop !== false) logger.info({ worker: owner }, 'dispatch worker stopped');
    },
    async runOnce(now?: Date) {
      const clock = now ? () => now : () => new Date();
      return (await track(poll(clock, true))).sent;
    },
  };
}
