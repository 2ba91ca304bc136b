/**
 * The dispatch worker's retry rules as pure functions: exponential backoff with jitter and
 * a cap, the attempt limit, the pause while the mail server is unreachable, how a send
 * failure is classified, and the DISPATCH_WORKER setting.
 */
import { loadConfig } from '../../server/config';
import { DEFAULT_RETRY, canRetry, outagePause, retryDelay } from '../../server/invitations/backoff';
import { classifyFailure } from '../../server/invitations/dispatch';
import { MailError } from '../../server/mail';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

afterAll(removeTempDirs);

const MINUTE = 60_000;

describe('retryDelay', () => {
  it('doubles from one minute with each failed attempt', () => {
    const fullStep = () => 1;
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, DEFAULT_RETRY, fullStep))).toEqual([1, 2, 4, 8, 16].map((m) => m * MINUTE));
  });

  it('never waits more than an hour', () => {
    expect(retryDelay(7, DEFAULT_RETRY, () => 1)).toBe(60 * MINUTE);
    expect(retryDelay(1000, DEFAULT_RETRY, () => 1)).toBe(60 * MINUTE);
  });

  it('spreads retries over the second half of each step, so a batch that failed together does not return together', () => {
    expect(retryDelay(3, DEFAULT_RETRY, () => 0)).toBe(2 * MINUTE);
    expect(retryDelay(3, DEFAULT_RETRY, () => 0.5)).toBe(3 * MINUTE);
    const delays = new Set(Array.from({ length: 50 }, () => retryDelay(3)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(2 * MINUTE);
      expect(d).toBeLessThanOrEqual(4 * MINUTE);
    }
  });
});

describe('canRetry', () => {
  it('allows eight attempts in all by default', () => {
    expect(canRetry(7)).toBe(true);
    expect(canRetry(8)).toBe(false);
    expect(canRetry(2, { ...DEFAULT_RETRY, maxAttempts: 2 })).toBe(false);
  });
});

describe('outagePause', () => {
  it('doubles from the poll interval up to its cap while the server stays unreachable', () => {
    const full = () => 1;
    expect([1, 2, 3, 4].map((n) => outagePause(n, 1000, 60_000, full))).toEqual([1000, 2000, 4000, 8000]);
    expect(outagePause(20, 1000, 60_000, full)).toBe(60_000);
  });
});

describe('classifyFailure', () => {
  const mailError = (temporary: boolean, responseCode?: number, command?: string) => new MailError('refused', { temporary, responseCode, command });

  it('treats a permanent refusal as a hard bounce', () => {
    expect(classifyFailure(mailError(false, 550, 'RCPT TO'))).toBe('bounce');
  });

  it('retries this email after a temporary refusal of the recipient or the message', () => {
    expect(classifyFailure(mailError(true, 451, 'RCPT TO'))).toBe('retry');
    expect(classifyFailure(mailError(true, 421, 'DATA'))).toBe('retry');
  });

  it('sees a refused connection, a timeout or a refused sender as the server being unavailable, not the email', () => {
    expect(classifyFailure(mailError(true, undefined, 'CONN'))).toBe('outage');
    expect(classifyFailure(mailError(true))).toBe('outage');
    expect(classifyFailure(mailError(true, 550, 'MAIL FROM'))).toBe('outage');
  });

  it('retries anything else, such as an email that could not be prepared', () => {
    expect(classifyFailure(new Error('template missing'))).toBe('retry');
  });
});

describe('DISPATCH_WORKER', () => {
  it('runs the worker in the app process by default and not with DISPATCH_WORKER=0', () => {
    expect(loadConfig({ DATA_DIR: makeTempDir() }).dispatchWorker).toBe(true);
    expect(loadConfig({ DATA_DIR: makeTempDir(), DISPATCH_WORKER: '0' }).dispatchWorker).toBe(false);
  });

  it('names the variable when its value is wrong', () => {
    expect(() => loadConfig({ DATA_DIR: makeTempDir(), DISPATCH_WORKER: 'sometimes' })).toThrow(/DISPATCH_WORKER must be 1/);
  });
});
