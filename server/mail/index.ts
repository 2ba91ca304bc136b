/**
 * Mail, the public surface: the transport chosen from config (SMTP when SMTP_URL is set,
 * else the outbox), MailError for the retry policy, email rendering from views/emails/,
 * the invitation/reminder message builder and the outbox reads. Routes are in routes.ts.
 */
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createOutboxMailer } from './outbox';
import { createSmtpMailer } from './smtp';
import type { Mailer } from './types';

export type { OutgoingMail, Mailer } from './types';
export { MailError, toMailError } from './mail-error';
export { renderEmail } from './render';
export { buildInvitationEmail, invitationLinks, type InvitationEmailInput, type InvitationLinks } from './invitation-email';
export { listOutbox, countOutbox, getOutboxMessage, createOutboxMailer, type OutboxEntry } from './outbox';
export { createSmtpMailer, type SmtpOptions } from './smtp';

/** SMTP_URL set → pooled SMTP transport; unset → the outbox (messages stored in MongoDB). */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom'>, logger: Logger): Mailer {
  return config.smtpUrl
    ? createSmtpMailer(config.smtpUrl, config.mailFrom, logger)
    : createOutboxMailer(config.mailFrom, logger);
}
