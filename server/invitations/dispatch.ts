/**
 * Sending one claimed email and recording what happened: skip it (suppressed address,
 * expired invitation), send it, or classify the failure — a refused recipient (hard
 * bounce: failed + suppression), a temporary refusal of this message (retry with backoff,
 * then failed), or a mail server that cannot be reached (an outage: not the invitation's
 * fault, not counted, the worker pauses). The loop around it is worker.ts.
 */
import { scrubText, type Logger } from '../logger';
import { MailError, type Mailer } from '../mail';
import { suppressAddress } from '../suppressions';
import { canRetry, retryDelay, type RetryPolicy } from './backoff';
import type { Claimed, Settler } from './claims';
import type { EmailBuilder } from './email';
import type { SuppressionCheck } from './suppression-check';

export type SendResult = 'sent' | 'retry' | 'failed' | 'bounced' | 'outage' | 'suppressed' | 'expired' | 'cancelled';

export interface DispatchDeps {
  mailer: Mailer;
  logger: Logger;
  buildEmail: EmailBuilder;
  settler: Settler;
  isSuppressed: SuppressionCheck;
  retry: RetryPolicy;
  random: () => number;
}

/** Replies to these commands judge this recipient or this message; anything else is our session or server. */
const MESSAGE_COMMANDS = /^(RCPT|DATA|BDAT|\.)/i;

/** How a send failure is handled. */
export function classifyFailure(err: unknown): 'bounce' | 'retry' | 'outage' {
  if (!(err instanceof MailError)) return 'retry';
  if (!err.temporary) return 'bounce';
  return err.responseCode !== undefined && MESSAGE_COMMANDS.test(err.command ?? 'RCPT') ? 'retry' : 'outage';
}

/** Sends the claimed email; `now` is the claim's time; `pauseMs` is where an outage puts it back. */
export async function dispatch(deps: DispatchDeps, claimed: Claimed, now: Date, pauseMs: number): Promise<SendResult> {
  const { doc, kind } = claimed;
  const attempt = kind === 'invitation' ? doc.attempts : doc.reminderAttempts;
  const due = kind === 'invitation' ? 'nextAttemptAt' : 'reminderAt';
  // Everything that ends this email for good clears its due time.
  const end = (set: Record<string, unknown>) => ({ set: { ...set, [due]: null, ...(kind === 'invitation' ? { reminderAt: null } : {}) } });

  if (doc.expiresAt <= now) {
    deps.settler.record(claimed, end({ state: 'expired' }), false);
    return 'expired';
  }
  if (await deps.isSuppressed(doc.customer.email)) {
    const set = kind === 'invitation' ? { state: 'suppressed' } : {};
    deps.settler.record(claimed, end(set), false);
    return kind === 'invitation' ? 'suppressed' : 'cancelled';
  }

  let failure: { error: unknown } | undefined;
  let templateVersionId: string | undefined;
  try {
    const built = await deps.buildEmail(claimed);
    templateVersionId = built.templateVersionId;
    await deps.mailer.send(built.mail);
  } catch (error) {
    failure = { error };
  }
  // Outside the try: once the email is out, a failure to record it must not count as a failed send.
  if (!failure) {
    const set: Record<string, unknown> =
      kind === 'invitation'
        ? { state: 'sent', sentAt: now, nextAttemptAt: null, lastError: null, templateVersionId, reminderAt: shiftedReminder(claimed, now) }
        : { reminderSentAt: now, reminderAt: null };
    deps.settler.record(claimed, { set }, true);
    return 'sent';
  }

  const { error } = failure;
  const lastError = describe(error);
  const how = classifyFailure(error);
  const log = { invitation: String(doc._id), kind, attempt, how, reason: lastError };
  if (how === 'bounce') {
    deps.logger.warn(log, 'email refused for good: address suppressed');
    await suppressAddress(doc.customer.email, 'bounced', 'smtp');
    const set = kind === 'invitation' ? { state: 'failed', lastError } : { lastError };
    deps.settler.record(claimed, end(set), false);
    return 'bounced';
  }
  if (how === 'outage') {
    deps.logger.warn(log, 'mail server unavailable: the email waits');
    const update = { set: { [due]: new Date(now.getTime() + pauseMs), lastError }, inc: { [kind === 'invitation' ? 'attempts' : 'reminderAttempts']: -1 } };
    deps.settler.record(claimed, update, false);
    return 'outage';
  }
  if (!(error instanceof MailError)) deps.logger.error({ ...log, err: error }, 'email could not be prepared');
  if (canRetry(attempt, deps.retry)) {
    const update = { set: { [due]: new Date(now.getTime() + retryDelay(attempt, deps.retry, deps.random)), lastError } };
    deps.logger.info(log, 'email refused for now: retrying later');
    deps.settler.record(claimed, update, false);
    return 'retry';
  }
  deps.logger.warn(log, 'email still refused after the last attempt: giving up');
  const set = kind === 'invitation' ? { state: 'failed', lastError } : { lastError };
  deps.settler.record(claimed, end(set), false);
  return 'failed';
}

/** The reminder keeps its distance from the email it follows: a late send moves it by the delay; none past expiry. */
function shiftedReminder({ doc }: Claimed, now: Date): Date | null {
  if (!doc.reminderAt || doc.reminderSentAt || doc.unsubscribedAt) return null;
  const late = Math.max(0, now.getTime() - doc.sendAt.getTime());
  const at = new Date(doc.reminderAt.getTime() + late);
  return at < doc.expiresAt ? at : null;
}

/** Stored as lastError: servers often quote the recipient, so addresses are scrubbed. */
function describe(err: unknown): string {
  const text = err instanceof MailError ? `${err.responseCode ?? err.command ?? 'no reply'}: ${err.message}` : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return scrubText(text).slice(0, 500);
}
