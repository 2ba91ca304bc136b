/**
 * The SMTP transport (SMTP_URL set): a pooled Nodemailer transport with short timeouts,
 * so a dead or silent server fails fast as a temporary MailError instead of holding the
 * dispatch worker for minutes. The transport runs on a thread of its own (smtp-thread.ts):
 * composing and encoding each message costs more CPU than anything else in a send, and
 * there it neither holds up the app's requests nor waits behind them.
 */
import type { Worker } from 'node:worker_threads';
import { scrubText, type Logger } from '../logger';
import { startModuleThread } from '../threads';
import { toMailError, type MailError } from './mail-error';
import type { ThreadFailure, ThreadReply, ThreadRequest, ThreadSettings } from './smtp-thread';
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

/** How long close() lets the thread end its SMTP sessions before stopping it. */
const CLOSE_TIMEOUT_MS = 5_000;

/** A failure without an SMTP reply, as Nodemailer reports a lost connection: temporary. */
function connectionError(message: string): MailError {
  return toMailError(Object.assign(new Error(message), { code: 'ECONNECTION' }));
}

function fromThread(failure: ThreadFailure): MailError {
  return toMailError(Object.assign(new Error(failure.message), failure));
}

export function createSmtpMailer(url: string, from: string, logger: Logger, options: SmtpOptions = {}): Mailer {
  const settings: ThreadSettings = { url, from, ...DEFAULTS, ...options };
  const pending = new Map<number, { resolve: (messageId: string) => void; reject: (err: MailError) => void }>();
  let lastId = 0;
  let thread: Worker | null = null;
  let closed = false;

  /** Started on the first send; a thread that died is replaced by the next send. */
  function started(): Worker {
    if (thread) return thread;
    const worker = startModuleThread(require.resolve('./smtp-thread'), { workerData: settings });
    worker.on('message', (reply: ThreadReply) => {
      const waiter = pending.get(reply.id);
      if (!waiter) return;
      pending.delete(reply.id);
      // Idle, the thread keeps nobody alive; a send in flight does.
      if (pending.size === 0) worker.unref();
      if ('failure' in reply) waiter.reject(fromThread(reply.failure));
      else waiter.resolve(reply.messageId);
    });
    const lost = (why: string) => {
      if (thread === worker) thread = null;
      for (const waiter of pending.values()) waiter.reject(connectionError(why));
      pending.clear();
    };
    worker.on('error', (err) => {
      logger.error({ err }, 'the SMTP thread failed');
      lost(`The SMTP thread failed: ${err.message}`);
    });
    worker.on('exit', () => lost('The SMTP transport is closed.'));
    worker.unref();
    thread = worker;
    return worker;
  }

  function sendOnThread(request: Extract<ThreadRequest, { type: 'send' }>): Promise<string> {
    return new Promise((resolve, reject) => {
      const worker = started();
      // Posted first: a message that cannot be copied to the thread throws here and leaves nothing pending.
      worker.postMessage(request satisfies ThreadRequest);
      pending.set(request.id, { resolve, reject });
      worker.ref();
    });
  }

  return {
    kind: 'smtp',
    async send(mail) {
      if (closed) throw connectionError('The SMTP transport is closed.');
      try {
        const messageId = await sendOnThread({ type: 'send', id: ++lastId, mail });
        logger.debug({ messageId, tag: mail.tag }, 'email accepted by the SMTP server');
        return { messageId };
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
      const worker = thread;
      if (!worker) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.ref();
      worker.postMessage({ type: 'close' } satisfies ThreadRequest);
      const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
