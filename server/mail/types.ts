/**
 * The mail contract every transport honours: what a message is (OutgoingMail) and what
 * a transport does (Mailer). Transports live in smtp.ts and outbox.ts; errors in mail-error.ts.
 */

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  /** What the message is for, e.g. 'invitation', 'reminder'; kept by the outbox, logged by SMTP. */
  tag?: string;
}

export interface Mailer {
  kind: 'smtp' | 'outbox';
  /** Resolves once the message is accepted (SMTP 250) or stored; rejects with a MailError. */
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  /** Closes pooled connections; sends after close() fail. */
  close(): Promise<void>;
}
