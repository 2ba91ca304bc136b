/**
 * Invitation records through the service, against the embedded engine: tokens (random,
 * URL-safe, stored only as a hash), one invitation per call, lookups by token, and the
 * customer-side changes (unsubscribed, answered), and the indexes earlier versions left.
 */
import { createHash } from 'node:crypto';
import { createInvitation, dropRetiredIndexes, findInvitationByToken, markAnswered, markUnsubscribed } from '../../server/invitations';
import { Invitation } from '../../server/invitations/model';
import { DAY, at, schedule, stored } from '../helpers/dispatch';
import { useTestDatabase } from '../helpers/database';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const T = new Date('2026-11-20T14:30:00Z');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('createInvitation', () => {
  it('returns a 256-bit URL-safe token and stores only its SHA-256 hash', async () => {
    const { id, token } = await schedule('claire@example.fr', T);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const doc = await stored(id);
    expect(doc.tokenHashes).toEqual([sha256(token)]);
    expect(JSON.stringify(doc)).not.toContain(token);
    expect(doc).toMatchObject({ state: 'scheduled', attempts: 0, sendAt: T, nextAttemptAt: T, site: 'ABV', agent: 'a.martin', reason: 'billing' });
  });

  it('gives every invitation a different token', async () => {
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => schedule(`many${i}@example.fr`, T).then((r) => r.token)));
    expect(new Set(tokens).size).toBe(20);
  });

  it('refuses a second invitation for the same call with a Conflict, leaving the first alone', async () => {
    const input = {
      callId: 'call-twice',
      externalId: 'pbx-twice',
      site: 'ABV',
      queue: 'business-support',
      customer: { email: 'twice@example.fr', locale: 'fr' as const },
      templateKey: 'post-call',
      sendAt: T,
      expiresAt: at(T, 7 * DAY),
    };
    await createInvitation(input);
    await expect(createInvitation(input)).rejects.toMatchObject({ status: 409, code: 'INVITATION_EXISTS' });
    expect(await Invitation.countDocuments({ callId: 'call-twice' })).toBe(1);
  });

  it('refuses an invitation that would expire before it is sent', async () => {
    await expect(schedule('late@example.fr', T, { expiresAt: at(T, -1) })).rejects.toMatchObject({ status: 422, code: 'INVITATION_DATES' });
  });

  it('plans no reminder outside the time between the email and the expiry', async () => {
    const { id } = await schedule('noreminder@example.fr', T, { reminderAt: at(T, 8 * DAY) });
    expect((await stored(id)).reminderAt).toBeNull();
    const { id: planned } = await schedule('reminder@example.fr', T, { reminderAt: at(T, 3 * DAY) });
    expect((await stored(planned)).reminderAt).toEqual(at(T, 3 * DAY));
  });
});

describe('findInvitationByToken', () => {
  it('finds the invitation with what the survey and unsubscribe pages need', async () => {
    const { id, token } = await schedule('found@example.co.uk', T, { locale: 'en', name: 'Sam Smith' });
    expect(await findInvitationByToken(token)).toEqual({
      id,
      state: 'scheduled',
      site: 'ABV',
      queue: 'business-support',
      agent: 'a.martin',
      reason: 'billing',
      // Not given: the call's end defaults to the send time, its day to that date in UTC.
      callEndedAt: T,
      day: T.toISOString().slice(0, 10),
      customer: { email: 'found@example.co.uk', name: 'Sam Smith', locale: 'en' },
      locale: 'en',
      expiresAt: at(T, 7 * DAY),
      templateKey: 'post-call',
      templateVersionId: null,
      callId: expect.any(String),
      externalId: expect.any(String),
      sentAt: null,
      unsubscribedAt: null,
    });
  });

  it('returns null for an unknown, a malformed or an empty token', async () => {
    const { token } = await schedule('unknown@example.fr', T);
    const other = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(await findInvitationByToken(other)).toBeNull();
    expect(await findInvitationByToken('../../etc')).toBeNull();
    expect(await findInvitationByToken('')).toBeNull();
  });
});

describe('customer-side changes', () => {
  it('markUnsubscribed stops the reminder but leaves the invitation open to an answer', async () => {
    const { id } = await schedule('unsub@example.fr', T, { reminderAt: at(T, 3 * DAY) });
    const when = at(T, DAY);
    await markUnsubscribed(id, when);
    await markUnsubscribed(id, at(T, 2 * DAY));
    expect(await stored(id)).toMatchObject({ state: 'scheduled', unsubscribedAt: when, reminderAt: null });
    await expect(markUnsubscribed('not-an-id')).resolves.toBeUndefined();
  });

  it('markAnswered ends the invitation: no email, no reminder, no expiry', async () => {
    const { id } = await schedule('answered@example.fr', T, { reminderAt: at(T, 3 * DAY) });
    await markAnswered(id, at(T, 1000));
    expect(await stored(id)).toMatchObject({ state: 'answered', answeredAt: at(T, 1000), nextAttemptAt: null, reminderAt: null });
  });
});

describe('indexes', () => {
  it('drops an index no query uses any more where a database still has it, and only once', async () => {
    await Invitation.init();
    await Invitation.collection.createIndex({ site: 1, sentAt: 1 });
    const names = async () => (await Invitation.collection.indexes()).map((i) => i.name);
    expect(await names()).toContain('site_1_sentAt_1');
    expect(await dropRetiredIndexes()).toEqual(['site_1_sentAt_1']);
    expect(await names()).not.toContain('site_1_sentAt_1');
    expect(await names()).toContain('nextAttemptAt_1');
    expect(await dropRetiredIndexes()).toEqual([]);
  });
});
