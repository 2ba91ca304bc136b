/**
 * The outbox transport (no SMTP_URL): send() stores the message in MongoDB so the whole
 * flow works offline, and the reads behind /admin/outbox and GET /api/v1/outbox.
 */
import mongoose from 'mongoose';
import type { Logger } from '../logger';
import { toMailError } from './mail-error';
import { OutboxMessage, type OutboxRecord } from './outbox-model';
import type { Mailer } from './types';

export const OUTBOX_MAX_LIMIT = 200;
const DEFAULT_LIMIT = 50;

export interface OutboxEntry {
  id: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  tag: string | null;
  createdAt: Date;
}

export function createOutboxMailer(from: string, logger: Logger): Mailer {
  return {
    kind: 'outbox',
    async send(mail) {
      try {
        const stored = await OutboxMessage.create({ ...mail, headers: mail.headers ?? {}, tag: mail.tag ?? null, from });
        logger.debug({ messageId: stored.id, tag: mail.tag }, 'email kept in the outbox');
        return { messageId: String(stored.id) };
      } catch (err) {
        // A database hiccup: the dispatch worker retries a temporary failure.
        throw toMailError(err);
      }
    },
    async close() {},
  };
}

/** Stored messages, newest first: at most `limit` (1-200, default 50), created before `before`, after `skip` others. */
export async function listOutbox(opts: { limit?: number; before?: Date; skip?: number } = {}): Promise<OutboxEntry[]> {
  const limit = Math.min(Math.max(Math.trunc(opts.limit ?? DEFAULT_LIMIT), 1), OUTBOX_MAX_LIMIT);
  const filter = opts.before ? { createdAt: { $lt: opts.before } } : {};
  const docs = await OutboxMessage.find(filter)
    .sort({ createdAt: -1, _id: -1 })
    .skip(Math.max(opts.skip ?? 0, 0))
    .limit(limit)
    .lean<OutboxRecord[]>();
  return docs.map(toEntry);
}

export async function countOutbox(): Promise<number> {
  return OutboxMessage.countDocuments();
}

/** One stored message, or null for an unknown or malformed id. */
export async function getOutboxMessage(id: string): Promise<OutboxEntry | null> {
  if (!mongoose.isValidObjectId(id)) return null;
  const doc = await OutboxMessage.findById(id).lean<OutboxRecord>();
  return doc ? toEntry(doc) : null;
}

function toEntry(doc: OutboxRecord): OutboxEntry {
  return {
    id: String(doc._id),
    from: doc.from,
    to: doc.to,
    subject: doc.subject,
    text: doc.text,
    html: doc.html,
    headers: (doc.headers ?? {}) as Record<string, string>,
    tag: doc.tag ?? null,
    createdAt: doc.createdAt,
  };
}
