/**
 * The SMTP thread: owns the pooled Nodemailer transport and does what a send costs in CPU
 * (composing and encoding the MIME message, the SMTP conversation) away from the app's
 * thread. Loaded by smtp.ts as a worker thread; messages in, outcomes out, by id. Errors
 * go back as the fields toMailError classifies, never as text to parse.
 */
import { parentPort, workerData } from 'node:worker_threads';
import nodemailer from 'nodemailer';
import type { OutgoingMail } from './types';

export interface ThreadSettings {
  url: string;
  from: string;
  maxConnections: number;
  connectionTimeout: number;
  greetingTimeout: number;
  socketTimeout: number;
}

export type ThreadRequest = { type: 'send'; id: number; mail: OutgoingMail } | { type: 'close' };

/** What Nodemailer attaches to a failure, copied field by field (an Error does not cross threads intact). */
export interface ThreadFailure {
  message: string;
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
}

export type ThreadReply = { id: number; messageId: string } | { id: number; failure: ThreadFailure };

function failureOf(err: unknown): ThreadFailure {
  const e = (err ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    message: typeof e.message === 'string' && e.message ? e.message : String(err),
    code: text(e.code),
    command: text(e.command),
    responseCode: typeof e.responseCode === 'number' ? e.responseCode : undefined,
    response: text(e.response),
  };
}

if (parentPort) {
  const port = parentPort;
  const settings = workerData as ThreadSettings;
  const transport = nodemailer.createTransport({
    url: settings.url,
    pool: true,
    maxConnections: settings.maxConnections,
    maxMessages: 100,
    connectionTimeout: settings.connectionTimeout,
    greetingTimeout: settings.greetingTimeout,
    socketTimeout: settings.socketTimeout,
    // The dispatch worker owns retries: a message the connection dropped fails back to it once.
    maxRequeues: 0,
  });
  port.on('message', (request: ThreadRequest) => {
    if (request.type === 'close') {
      transport.close();
      // After the refusals of queued messages (promise callbacks) have been posted back.
      setImmediate(() => port.close());
      return;
    }
    const { id, mail } = request;
    transport.sendMail({ from: settings.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers }).then(
      (info: { messageId: string }) => port.postMessage({ id, messageId: info.messageId } satisfies ThreadReply),
      (err: unknown) => port.postMessage({ id, failure: failureOf(err) } satisfies ThreadReply),
    );
  });
}
