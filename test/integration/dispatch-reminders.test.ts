/**
 * Reminders and expiry through the dispatch worker, against a real SMTP server on
 * loopback: one reminder to a customer who has not answered (never after an unsubscribe
 * or an answer, never twice), a late first email pushing its reminder back, and unanswered
 * invitations expiring after the configured days.
 */
import { findInvitationByToken, markAnswered, markOpened, markUnsubscribed } from '../../server/invitations';
import type { Config } from '../../server/config';
import type { Mailer } from '../../server/mail';
import { useTestDatabase } from '../helpers/database';
import { DAY, at, receivedBy, schedule, startSmtpWorld, stored, surveyToken, testWorker, type SmtpWorld } from '../helpers/dispatch';
import type { SmtpCapture } from '../helpers/smtp-capture';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

let world: SmtpWorld;
let smtp: SmtpCapture;
let mailer: Mailer;
let config: Config;

beforeAll(async () => {
  world = await startSmtpWorld();
  ({ smtp, mailer, config } = world);
});
afterAll(() => world.stop());

// Each test has its own month, later than the previous one's.
let month = 0;
function clock(): Date {
  month += 1;
  return new Date(Date.UTC(2032, month, 1, 9));
}

/** An invitation sent at T, with its reminder three days later and its end after seven. */
async function sentInvitation(email: string, T: Date, locale: 'fr' | 'en' = 'fr') {
  const invitation = await schedule(email, T, { reminderAt: at(T, 3 * DAY), locale });
  await testWorker(mailer, config).runOnce(T);
  expect(receivedBy(smtp, email)).toHaveLength(1);
  return invitation;
}

describe('the reminder', () => {
  it('goes once, after the planned days, to a customer who has not answered, with a link to the same invitation', async () => {
    const T = clock();
    const worker = testWorker(mailer, config);
    const { id } = await sentInvitation('forgetful@example.co.uk', T, 'en');
    await markOpened(id);
    expect(await worker.runOnce(at(T, 3 * DAY - 1000))).toBe(0);
    expect(await worker.runOnce(at(T, 3 * DAY))).toBe(1);
    expect(await worker.runOnce(at(T, 4 * DAY))).toBe(0);

    const [invitation, reminder, ...more] = receivedBy(smtp, 'forgetful@example.co.uk');
    expect(more).toHaveLength(0);
    expect(reminder!.parsed.subject).toBe('Reminder: one question about your recent call');
    expect(reminder!.parsed.text).toContain('Did you get the information you needed?');
    const token = surveyToken(reminder!.parsed.text);
    expect(token).not.toBe(surveyToken(invitation!.parsed.text));
    expect(await findInvitationByToken(token)).toMatchObject({ id, state: 'opened' });
    expect(await stored(id)).toMatchObject({ state: 'opened', reminderSentAt: at(T, 3 * DAY), reminderAt: null, lease: null });
  });

  it('is not sent once the customer unsubscribed', async () => {
    const T = clock();
    const { id } = await sentInvitation('unsubscribed@example.fr', T);
    await markUnsubscribed(id, at(T, DAY));
    expect(await testWorker(mailer, config).runOnce(at(T, 3 * DAY))).toBe(0);
    expect(receivedBy(smtp, 'unsubscribed@example.fr')).toHaveLength(1);
    expect(await stored(id)).toMatchObject({ state: 'sent', reminderSentAt: null });
  });

  it('is not sent once the customer answered', async () => {
    const T = clock();
    const { id } = await sentInvitation('answered@example.fr', T);
    await markAnswered(id, at(T, DAY));
    expect(await testWorker(mailer, config).runOnce(at(T, 3 * DAY))).toBe(0);
    expect(receivedBy(smtp, 'answered@example.fr')).toHaveLength(1);
    expect((await stored(id)).state).toBe('answered');
  });

  it('keeps its distance from an email that went out late', async () => {
    const T = clock();
    const { id } = await schedule('late@example.fr', T, { reminderAt: at(T, 3 * DAY) });
    await testWorker(mailer, config).runOnce(at(T, DAY));
    expect(await stored(id)).toMatchObject({ state: 'sent', sentAt: at(T, DAY), reminderAt: at(T, 4 * DAY) });
  });
});

describe('expiry', () => {
  it('expires unanswered invitations after the configured days, sent or never sent, and leaves answered ones alone', async () => {
    const T = clock();
    const worker = testWorker(mailer, config);
    const opened = await sentInvitation('silent@example.fr', T);
    await markOpened(opened.id);
    const answered = await sentInvitation('replied@example.fr', T);
    await markAnswered(answered.id, at(T, DAY));
    const unsent = await schedule('never@example.fr', at(T, 7 * DAY), { expiresAt: at(T, 7 * DAY + 1000) });

    await worker.runOnce(at(T, 7 * DAY - 1000));
    expect((await stored(opened.id)).state).toBe('opened');
    smtp.rejectRcpt.set('never@example.fr', 451);
    await worker.runOnce(at(T, 7 * DAY));
    await worker.runOnce(at(T, 7 * DAY + 1000));

    expect(await stored(opened.id)).toMatchObject({ state: 'expired', reminderAt: null });
    expect(await stored(unsent.id)).toMatchObject({ state: 'expired', nextAttemptAt: null });
    expect((await stored(answered.id)).state).toBe('answered');
    expect(receivedBy(smtp, 'never@example.fr')).toHaveLength(0);
  });
});
