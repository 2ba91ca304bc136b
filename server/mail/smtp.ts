/**
 * The SMTP transport (SMTP_URL set): a pooled Nodemailer transport with short timeouts,
 * so a dead or silent server fails fast as a temporary MailError instead of holding the
 * dispatch worker for minutes.
 */
import nodemailer from 'nodemailer';
import { scrubText, type Logger } from '../logger';
import { toMailError } from './mail-error';
import type { Mailer } from './types';

export interface SmtpOptions {
  /** Milliseconds to open the TCP connection. */
  connectionTimeout?: number;
  /** Milliseconds to wait for the server's greeting once connected. */
  greetingTimeout?: number;
  /** Milliseconds of silence before an open connection is given up. */
  socketTimeout?: number;
  maxConnections?: number;
}

const DEFAULTS: Required<SmtpOptions> = {
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 30_000,
  maxConnections: 5,
};

export function createSmtpMailer(url: string, from: string, logger: Logger, options: SmtpOptions = {}): Mailer {
  const settings = { ...DEFAULTS, ...options };
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: settings.maxConnections,
    maxMessages: 100,
    connectionTimeout: settings.connectionTimeout,
    greetingTimeout: settings.greetingTimeout,
    socketTimeout: settings.socketTimeout,
    // The dispatch worker owns retries: a message the connection dropped fails back to it once.
    maxRequeues: 0,
  });
  let closed = false;
  return {
    kind: 'smtp',
    async send(mail) {
      if (closed) throw toMailError(Object.assign(new Error('The SMTP transport is closed.'), { code: 'ECONNECTION' }));
      try {
        const info = await transport.sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          headers: mail.headers,
        });
        logger.debug({ messageId: info.messageId, tag: mail.tag }, 'email accepted by the SMTP server');
        return { messageId: info.messageId };
      } catch (err) {
        const error = toMailError(err);
        // Fields only: the server's reply often quotes the recipient's address.
        const { temporary, responseCode, command } = error;
        logger.warn({ tag: mail.tag, temporary, responseCode, command, reason: scrubText(error.message) }, 'email not sent');
        throw error;
      }
    },
    async close() {
      closed = true;
      transport.close();
    },
  };
}
