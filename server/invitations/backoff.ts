/**
 * The retry policy for a temporary send failure: exponential backoff with jitter, capped,
 * for a limited number of attempts. Pure: the worker passes the attempt count and a random
 * source (tests pass a fixed one).
 */

export interface RetryPolicy {
  /** Delay before the second attempt, before jitter. */
  baseMs: number;
  /** Longest delay between attempts. */
  capMs: number;
  /** Attempts in all (the first included); after the last temporary failure, 'failed'. */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 60_000, capMs: 60 * 60_000, maxAttempts: 8 };

/**
 * Milliseconds to wait after failed attempt number `attempt` (1 for the first): base × 2^(attempt−1),
 * capped, then "equal jitter" — half fixed, half random — so retries of a batch that failed
 * together spread out without ever coming back sooner than half the step.
 */
export function retryDelay(attempt: number, policy: RetryPolicy = DEFAULT_RETRY, random: () => number = Math.random): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(step / 2 + (step / 2) * random());
}

/** Whether a temporary failure at attempt number `attempt` leaves attempts to try. */
export function canRetry(attempt: number, policy: RetryPolicy = DEFAULT_RETRY): boolean {
  return attempt < policy.maxAttempts;
}

/**
 * How long the worker pauses after the mail server could not be reached at all (refused,
 * timed out): doubling from `minMs` per consecutive outage, capped at `maxMs`, jittered the
 * same way, so a down server gets one probe per pause instead of one per invitation.
 */
export function outagePause(consecutive: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const step = Math.min(maxMs, Math.max(minMs, minMs * 2 ** Math.max(0, Math.min(consecutive - 1, 30))));
  return Math.round(step / 2 + (step / 2) * random());
}
