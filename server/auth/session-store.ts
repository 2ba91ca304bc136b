/**
 * Sessions in MongoDB: an express-session Store on a Mongoose model, so it shares the
 * app's connection (and buffers until it is open). A session document holds the session
 * as JSON and its expiry; reads ignore expired ones and a TTL index removes them.
 */
import { Store, type SessionData } from 'express-session';
import mongoose, { Schema } from 'mongoose';

const sessionSchema = new Schema(
  {
    _id: { type: String, required: true },
    data: { type: String, required: true },
    expires: { type: Date, required: true },
  },
  { versionKey: false },
);
sessionSchema.index({ expires: 1 }, { expireAfterSeconds: 0 });

export const SessionRecord = mongoose.model('Session', sessionSchema);

type Done = (err?: unknown) => void;

/** Used when a session has no cookie expiry (never with Retour's cookie settings). */
const FALLBACK_TTL_MS = 2 * 3600 * 1000;

function expiryOf(session: SessionData): Date {
  const expires = session.cookie?.expires;
  return expires ? new Date(expires) : new Date(Date.now() + FALLBACK_TTL_MS);
}

export class MongooseSessionStore extends Store {
  override get(sid: string, done: (err: unknown, session?: SessionData | null) => void): void {
    SessionRecord.findOne({ _id: sid, expires: { $gt: new Date() } })
      .lean<{ data: string }>()
      .then((doc) => done(null, doc ? (JSON.parse(doc.data) as SessionData) : null), done);
  }

  override set(sid: string, session: SessionData, done?: Done): void {
    SessionRecord.updateOne(
      { _id: sid },
      { $set: { data: JSON.stringify(session), expires: expiryOf(session) } },
      { upsert: true },
    ).then(() => done?.(), (err: unknown) => done?.(err));
  }

  override touch(sid: string, session: SessionData, done?: Done): void {
    SessionRecord.updateOne({ _id: sid }, { $set: { expires: expiryOf(session) } }).then(
      () => done?.(),
      (err: unknown) => done?.(err),
    );
  }

  override destroy(sid: string, done?: Done): void {
    SessionRecord.deleteOne({ _id: sid }).then(() => done?.(), (err: unknown) => done?.(err));
  }
}
