/**
 * MailError: a failed send, classified for the dispatch worker's retry policy.
 * temporary: 4xx replies, connection refused/reset, timeouts, DNS/TLS trouble and our own
 * set-up problems (auth, sender refused), which retrying later may fix.
 * permanent (temporary false): 5xx on the recipient or its message, i.e. a hard bounce.
 */

export interface MailErrorOptions {
  temporary: boolean;
  responseCode?: number;
  /** The SMTP command that was refused ('RCPT TO', 'DATA', 'CONN'...), when known. */
  command?: string;
  cause?: unknown;
}

export class MailError extends Error {
  temporary: boolean;
  responseCode?: number;
  command?: string;

  constructor(message: string, options: MailErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MailError';
    this.temporary = options.temporary;
    if (options.responseCode !== undefined) this.responseCode = options.responseCode;
    if (options.command !== undefined) this.command = options.command;
  }
}

/** What Nodemailer attaches to its errors (all optional). */
interface SmtpFailure {
  message?: unknown;
  code?: unknown;
  command?: unknown;
  responseCode?: unknown;
  response?: unknown;
}

/** Commands whose 5xx refuses this recipient or this message, not our session. */
const RECIPIENT_COMMANDS = /^(RCPT|DATA|BDAT|\.)/i;

/** Converts whatever a transport threw into a MailError (a MailError passes through). */
export function toMailError(err: unknown): MailError {
  if (err instanceof MailError) return err;
  const e = (err ?? {}) as SmtpFailure;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const command = typeof e.command === 'string' ? e.command : undefined;
  const message = typeof e.message === 'string' && e.message ? e.message : String(err);
  return new MailError(message, { temporary: isTemporary(e, responseCode, command), responseCode, command, cause: err });
}

function isTemporary(e: SmtpFailure, responseCode: number | undefined, command: string | undefined): boolean {
  if (responseCode !== undefined && responseCode >= 500 && responseCode < 600) {
    // 503 is a session-state error, not a verdict on the message (RFC 5321 §4.2.4).
    if (responseCode === 503) return true;
    // 5xx to AUTH, MAIL FROM or the greeting is our set-up, not the customer's address: retry, never suppress.
    return !(command !== undefined && RECIPIENT_COMMANDS.test(command));
  }
  if (responseCode !== undefined) return true;
  // No SMTP reply. Nodemailer refusing the envelope itself (no or malformed recipient) will not improve.
  return e.code !== 'EENVELOPE';
}
