/**
 * Fixtures for the survey page tests (with useTestDatabase()): the default template and the
 * Abbeville site, survey links (invitations made through the real service, then marked
 * sent the way the dispatch worker leaves them), the stored responses, and the answers of
 * a complete default survey.
 */
import mongoose from 'mongoose';
import { getPublished } from '../../server/templates';
import { localDate } from '../../server/time/local-time';
import { DAY, schedule, seedSurveyWorld } from './dispatch';

export { seedSurveyWorld, DAY };

export const responses = () => mongoose.connection.collection('responses');
export const invitations = () => mongoose.connection.collection('invitations');
export const rollups = () => mongoose.connection.collection('rollups');

export interface LinkOptions {
  email?: string;
  locale?: 'fr' | 'en';
  /** Marked sent with the published version (the default), or left scheduled. */
  sent?: boolean;
  agent?: string;
  reason?: string;
}

let links = 0;

/** A survey link of a call that ended yesterday, open for 6 more days. */
export async function surveyLink(options: LinkOptions = {}): Promise<{ id: string; token: string; oid: mongoose.Types.ObjectId }> {
  links += 1;
  const { email = `customer.${links}@example.fr`, locale = 'fr', sent = true, ...extra } = options;
  const sendAt = new Date(Date.now() - DAY);
  const callEndedAt = new Date(sendAt.getTime() - 30 * 60_000);
  const { id, token } = await schedule(email, sendAt, { locale, callEndedAt, day: localDate(callEndedAt, 'Europe/Paris'), ...extra });
  const oid = new mongoose.Types.ObjectId(id);
  if (sent) {
    const version = await getPublished('post-call');
    await invitations().updateOne(
      { _id: oid },
      { $set: { state: 'sent', sentAt: sendAt, templateVersionId: version.id, attempts: 1, nextAttemptAt: null } },
    );
  }
  return { id, token, oid };
}

/** Closes a link: expired by date, or by the expiry sweep's state. */
export async function expire(oid: mongoose.Types.ObjectId, how: 'date' | 'state' = 'date'): Promise<void> {
  const set = how === 'date' ? { expiresAt: new Date(Date.now() - 60_000) } : { state: 'expired' };
  await invitations().updateOne({ _id: oid }, { $set: set });
}

/** Every answer of surveys/post-call.json, as a form posts them. */
export const FULL_FORM = { info: 'no', missing: 'The opening hours', csat: '4', nps: '9', comment: 'Thanks <b>a lot</b>', _unseen: '' };
/** The same as JSON. */
export const FULL_JSON = { info: 'no', missing: 'The opening hours', csat: 4, nps: 9, comment: 'Thanks <b>a lot</b>' };
