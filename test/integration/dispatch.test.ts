/**
 * The dispatch worker against a real SMTP server on loopback: a due invitation goes out
 * once with both parts and working one-click links; 421/451 are retried with backoff then
 * delivered; the attempt limit; 550 fails the invitation and suppresses the address; a
 * suppressed address is skipped; two workers racing send each email once.
 */
import { findInvitationByToken } from '../../server/invitations';
import type { Config } from '../../server/config';
import { createMailer, type Mailer } from '../../server/mail';
import { isSuppressed, suppressAddress } from '../../server/suppressions';
import { getPublished } from '../../server/templates';
import { useTestDatabase } from '../helpers/database';
import { PUBLIC_URL, at, logger, receivedBy, schedule, startSmtpWorld, stored, surveyToken, testWorker, type SmtpWorld } from '../helpers/dispatch';
import type { SmtpCapture } from '../helpers/smtp-capture';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const MINUTE = 60_000;
let world: SmtpWorld;
let smtp: SmtpCapture;
let mailer: Mailer;
let config: Config;

beforeAll(async () => {
  world = await startSmtpWorld();
  ({ smtp, mailer, config } = world);
});
afterAll(() => world.stop());

// Each test has its own hour, later than the previous one's, so leftovers never get in the way.
let hour = 0;
function clock(): Date {
  hour += 1;
  return new Date(Date.UTC(2030, 0, 1, hour));
}

describe('sending a due invitation', () => {
  it('sends nothing before the invitation is due', async () => {
    const T = clock();
    const { id } = await schedule('early@example.fr', T);
    expect(await testWorker(mailer, config).runOnce(at(T, -1000))).toBe(0);
    expect(receivedBy(smtp, 'early@example.fr')).toHaveLength(0);
    expect((await stored(id)).state).toBe('scheduled');
  });

  it('delivers it once, in French, with both parts and the information question as one-click links whose token leads back to the invitation', async () => {
    const T = clock();
    const worker = testWorker(mailer, config);
    const { id, token: first } = await schedule('claire@example.fr', T);
    expect(await worker.runOnce(at(T, 1000))).toBeGreaterThanOrEqual(1);
    expect(await worker.runOnce(at(T, 2000))).toBe(0);

    const [mail, ...more] = receivedBy(smtp, 'claire@example.fr');
    expect(more).toHaveLength(0);
    expect(mail!.parsed.subject).toBe('Une question sur votre récent appel');
    expect(mail!.parsed.text).toContain('Bonjour Claire Dubois');
    expect(mail!.parsed.text).toContain('Abbeville');
    expect(mail!.parsed.text).toContain('Avez-vous obtenu l’information dont vous aviez besoin ?');
    const token = surveyToken(mail!.parsed.text);
    expect(mail!.parsed.text).toMatch(/Oui\s:\s\S+\?a=info:yes/);
    expect(mail!.parsed.text).toContain(`${PUBLIC_URL}/s/${token}?a=info:yes`);
    expect(mail!.parsed.html).toContain(`${PUBLIC_URL}/s/${token}`);
    expect(mail!.parsed.html).toContain('>Non</a>');
    expect(mail!.raw.replace(/\r?\n[ \t]+/g, ' ')).toContain(`List-Unsubscribe: <${PUBLIC_URL}/u/${token}>`);

    // The emailed token and the one createInvitation returned both lead to the invitation.
    expect(await findInvitationByToken(token)).toMatchObject({ id, state: 'sent' });
    expect(await findInvitationByToken(first)).toMatchObject({ id });
    const doc = await stored(id);
    expect(doc).toMatchObject({ state: 'sent', sentAt: at(T, 1000), attempts: 1, nextAttemptAt: null, lease: null, lastError: null });
    expect(doc.templateVersionId).toBe((await getPublished('post-call')).id);
    expect(JSON.stringify(doc)).not.toContain(token);
  });

  it('writes to an English customer in English', async () => {
    const T = clock();
    await schedule('sam@example.co.uk', T, { locale: 'en', name: 'Sam Smith' });
    await testWorker(mailer, config).runOnce(T);
    const [mail] = receivedBy(smtp, 'sam@example.co.uk');
    expect(mail!.parsed.subject).toBe('One question about your recent call');
    expect(mail!.parsed.text).toContain('Did you get the information you needed?');
    expect(mail!.parsed.text).toMatch(/Yes: \S+\?a=info:yes/);
  });
});

describe('temporary refusals', () => {
  it('retries a 451 on the recipient after a backoff, then delivers it once the server accepts', async () => {
    const T = clock();
    const worker = testWorker(mailer, config);
    const { id } = await schedule('greylisted@example.fr', T);
    smtp.rejectRcpt.set('greylisted@example.fr', 451);
    await worker.runOnce(T);
    // First retry: 1 minute, half of it jittered (the test's random is 0.5): 45 s.
    expect(await stored(id)).toMatchObject({ state: 'scheduled', attempts: 1, nextAttemptAt: at(T, 45_000), lease: null });
    expect((await stored(id)).lastError).toMatch(/^451/);

    smtp.rejectRcpt.delete('greylisted@example.fr');
    await worker.runOnce(at(T, 30_000));
    expect(receivedBy(smtp, 'greylisted@example.fr')).toHaveLength(0);
    await worker.runOnce(at(T, 45_000));
    expect(receivedBy(smtp, 'greylisted@example.fr')).toHaveLength(1);
    expect(await stored(id)).toMatchObject({ state: 'sent', attempts: 2, lastError: null, sentAt: at(T, 45_000) });
  });

  it('retries a 421 (the server closing the session) and delivers it once the server accepts', async () => {
    const T = clock();
    const worker = testWorker(mailer, config);
    const { id } = await schedule('closing@example.fr', T);
    smtp.rejectData.set('closing@example.fr', 421);
    await worker.runOnce(T);
    expect(await stored(id)).toMatchObject({ state: 'scheduled', lease: null });
    smtp.rejectData.delete('closing@example.fr');
    await worker.runOnce(at(T, 2 * MINUTE));
    await worker.runOnce(at(T, 3 * MINUTE));
    expect(receivedBy(smtp, 'closing@example.fr')).toHaveLength(1);
    expect((await stored(id)).state).toBe('sent');
  });

  it('waits longer after each refusal and marks the invitation failed after the last attempt, without suppressing the address', async () => {
    const T = clock();
    const worker = testWorker(mailer, config, { retry: { maxAttempts: 3 } });
    const { id } = await schedule('full-mailbox@example.fr', T);
    smtp.rejectRcpt.set('full-mailbox@example.fr', 452);
    await worker.runOnce(T);
    expect((await stored(id)).nextAttemptAt).toEqual(at(T, 45_000));
    await worker.runOnce(at(T, 45_000));
    expect((await stored(id)).nextAttemptAt).toEqual(at(T, 45_000 + 90_000));
    await worker.runOnce(at(T, 135_000));
    expect(await stored(id)).toMatchObject({ state: 'failed', attempts: 3, nextAttemptAt: null });
    expect((await stored(id)).lastError).toMatch(/^452/);
    expect(await isSuppressed('full-mailbox@example.fr')).toBeNull();
    expect(receivedBy(smtp, 'full-mailbox@example.fr')).toHaveLength(0);
  });
});

describe('permanent refusals and suppressions', () => {
  it('marks the invitation failed on a 550 and suppresses the address as bounced, with no retry', async () => {
    const T = clock();
    const worker = testWorker(mailer, config);
    const { id } = await schedule('gone@example.fr', T, { reminderAt: at(T, 3 * 86_400_000) });
    smtp.rejectRcpt.set('gone@example.fr', 550);
    await worker.runOnce(T);
    expect(await stored(id)).toMatchObject({ state: 'failed', attempts: 1, nextAttemptAt: null, reminderAt: null, lease: null });
    expect((await stored(id)).lastError).toMatch(/^550/);
    expect(await isSuppressed('GONE@example.fr')).toBe('bounced');

    // A later invitation to the same address is never sent.
    smtp.rejectRcpt.delete('gone@example.fr');
    const later = await schedule('gone@example.fr', at(T, 60_000));
    await worker.runOnce(at(T, 10 * MINUTE));
    expect((await stored(later.id)).state).toBe('suppressed');
    expect(receivedBy(smtp, 'gone@example.fr')).toHaveLength(0);
  });

  it('skips an address suppressed after the invitation was scheduled', async () => {
    const T = clock();
    const { id } = await schedule('changed-mind@example.fr', T);
    await suppressAddress('changed-mind@example.fr', 'unsubscribed');
    await testWorker(mailer, config).runOnce(T);
    expect(await stored(id)).toMatchObject({ state: 'suppressed', nextAttemptAt: null });
    expect(receivedBy(smtp, 'changed-mind@example.fr')).toHaveLength(0);
  });
});

describe('several workers', () => {
  it('sends each of 50 due invitations exactly once when two workers race over them', async () => {
    const T = clock();
    const addresses = Array.from({ length: 50 }, (_, i) => `race${i}@example.fr`);
    await Promise.all(addresses.map((a) => schedule(a, T)));
    const other = createMailer(config, logger);
    try {
      const one = testWorker(mailer, config, { workerId: 'worker-one' });
      const two = testWorker(other, config, { workerId: 'worker-two' });
      const [a, b] = await Promise.all([one.runOnce(T), two.runOnce(T)]);
      expect(a + b).toBe(50);
    } finally {
      await other.close();
    }
    for (const address of addresses) expect(receivedBy(smtp, address)).toHaveLength(1);
  });
});
