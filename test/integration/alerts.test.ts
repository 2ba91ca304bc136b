/**
 * Alerts to quality leads against a real SMTP server on loopback: pending responses (no
 * to the information question, CSAT ≤ 2) make one email per lead of their site, listing
 * them with links to the comments page; a lead gets at most one email per 15 minutes (the
 * batch that must wait stays pending, then goes); admins and disabled leads get none; a
 * refused send is tried again; the background loop sends without being asked.
 */
import { setUserDisabled } from '../../server/auth/users';
import { AlertLead } from '../../server/alerts/model';
import { startAlertSender, type AlertSender } from '../../server/alerts';
import type { Config } from '../../server/config';
import { createMailer, type Mailer } from '../../server/mail';
import { testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { PUBLIC_URL, logger, receivedBy } from '../helpers/dispatch';
import { seedResponse, seedWorld, storedResponse } from '../helpers/seed-responses';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture';
import { createStaff } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const MINUTE = 60_000;
let smtp: SmtpCapture;
let mailer: Mailer;
let config: Config;
let sender: AlertSender;
const lead = { abv: '', cas: '', all: '', drx: '', admin: '', disabled: '' };
const ids = { abv: '', cas: '', all: '', drx: '' };

beforeAll(async () => {
  await seedWorld();
  smtp = await startSmtpCapture();
  config = testConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'Retour <retour@example.com>', PUBLIC_URL });
  mailer = createMailer(config, logger);
  sender = startAlertSender({ mailer, config, logger, loop: false });
  const abv = await createStaff({ role: 'quality', sites: ['ABV'], locale: 'en', email: 'lea@example.com' });
  const cas = await createStaff({ role: 'quality', sites: ['CAS'], locale: 'fr', email: 'karim@example.com' });
  const all = await createStaff({ role: 'quality', sites: [], locale: 'en', email: 'head@example.com' });
  const drx = await createStaff({ role: 'quality', sites: ['DRX'], locale: 'en', email: 'dreux@example.com' });
  const admin = await createStaff({ role: 'admin', locale: 'en', email: 'admin@example.com' });
  const disabled = await createStaff({ role: 'quality', sites: ['ABV'], locale: 'en', email: 'gone@example.com' });
  await setUserDisabled(disabled.user.id, true, { type: 'system' });
  Object.assign(lead, { abv: abv.email, cas: cas.email, all: all.email, drx: drx.email, admin: admin.email, disabled: disabled.email });
  Object.assign(ids, { abv: abv.user.id, cas: cas.user.id, all: all.user.id, drx: drx.user.id });
});
afterAll(async () => {
  await mailer.close();
  await smtp.stop();
});

// Each test has its own day, later than the previous one's, so 15-minute windows never overlap.
let dayOffset = 0;
function clock(): Date {
  dayOffset += 1;
  return new Date(Date.UTC(2026, 10, 1 + dayOffset, 9));
}
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);
const mailsTo = (address: string) => receivedBy(smtp, address);

describe('a batch of pending responses', () => {
  it('sends one email per lead of the site listing every response, with links to the comments, then marks them sent', async () => {
    const T = clock();
    const a = await seedResponse({ info: 'no', missing: 'Nobody could tell me <when> my refund comes.\nStill waiting.', csat: 3 }, { site: 'ABV', alert: 'pending', at: at(T, -5 * MINUTE) });
    const b = await seedResponse({ info: 'yes', csat: 1, comment: 'Rude agent' }, { site: 'ABV', alert: 'pending', agent: 'b.durand', at: at(T, -4 * MINUTE) });
    const c = await seedResponse({ info: 'yes', csat: 2 }, { site: 'ABV', alert: 'pending', at: at(T, -3 * MINUTE) });
    const d = await seedResponse({ info: 'no', missing: 'Pas de réponse sur ma facture' }, { site: 'CAS', queue: 'billing', alert: 'pending', at: at(T, -2 * MINUTE) });
    const quiet = await seedResponse({ info: 'yes', csat: 5, comment: 'Great' }, { site: 'ABV', at: at(T, -MINUTE) });

    expect(await sender.runOnce(T)).toEqual({ sent: 3, settled: 4 });

    const [abv, ...moreAbv] = mailsTo(lead.abv);
    expect(moreAbv).toHaveLength(0);
    expect(abv!.parsed.subject).toBe('Retour: 3 customers need a follow-up (Abbeville)');
    const text = abv!.parsed.text ?? '';
    for (const id of [a, b, c]) expect(text).toContain(`${PUBLIC_URL}/reports/comments?response=${id}`);
    expect(text).not.toContain(d);
    expect(text).not.toContain(quiet);
    expect(text).toContain('Abbeville · business-support · b.durand');
    expect(text).toContain('Did not get the information they needed · Satisfaction 3/5');
    expect(text).toContain('“Nobody could tell me <when> my refund comes. Still waiting.”');
    expect(text).toContain('Satisfaction 1/5');
    // 08:55 UTC is 09:55 in Abbeville: dates in the site's time zone.
    expect(text).toContain('Abbeville · business-support · a.martin · Nov 2, 2026, 9:55 AM');
    expect(abv!.parsed.html).toContain('Nobody could tell me &lt;when&gt; my refund comes.');
    // Handlebars writes "=" in attributes as &#x3D;, which every HTML reader decodes.
    expect(String(abv!.parsed.html).replace(/&#x3D;/g, '=')).toContain(`href="${PUBLIC_URL}/reports/comments?response=${a}"`);

    const [cas] = mailsTo(lead.cas);
    expect(cas!.parsed.subject).toBe('Retour : 1 client à recontacter (Casablanca)');
    expect(cas!.parsed.text).toContain('« Pas de réponse sur ma facture »');
    expect(cas!.parsed.text).toContain(d);

    // The lead of every site hears of all four, in one email.
    const [all, ...moreAll] = mailsTo(lead.all);
    expect(moreAll).toHaveLength(0);
    expect(all!.parsed.subject).toBe('Retour: 4 customers need a follow-up (Abbeville, Casablanca)');

    expect(mailsTo(lead.admin)).toHaveLength(0);
    expect(mailsTo(lead.disabled)).toHaveLength(0);
    expect(mailsTo(lead.drx)).toHaveLength(0);
    for (const id of [a, b, c, d]) expect((await storedResponse(id)).alert).toBe('sent');
    expect((await storedResponse(quiet)).alert).toBe('none');
    // Marking the alert sent is not the customer's update: the comments keep their order.
    expect((await storedResponse(a)).updatedAt).toEqual(at(T, -5 * MINUTE));
    expect(await sender.runOnce(at(T, MINUTE))).toEqual({ sent: 0, settled: 0 });
  });
});

describe('at most one email per lead per 15 minutes', () => {
  it('keeps a second batch pending until 15 minutes after the lead’s last alert, then sends only the new responses', async () => {
    const T = clock();
    const sentBefore = smtp.received.length;
    const first = await seedResponse({ info: 'no' }, { site: 'ABV', alert: 'pending', at: T });
    await sender.runOnce(T);
    expect(smtp.received.length - sentBefore).toBe(2); // lea and head
    const abvMails = mailsTo(lead.abv).length;

    const second = await seedResponse({ info: 'yes', csat: 1, comment: 'Again no answer' }, { site: 'ABV', alert: 'pending', at: at(T, 5 * MINUTE) });
    expect(await sender.runOnce(at(T, 5 * MINUTE))).toEqual({ sent: 0, settled: 0 });
    expect(await sender.runOnce(at(T, 15 * MINUTE - 1000))).toEqual({ sent: 0, settled: 0 });
    expect((await storedResponse(second)).alert).toBe('pending');
    expect(mailsTo(lead.abv)).toHaveLength(abvMails);

    expect(await sender.runOnce(at(T, 15 * MINUTE))).toEqual({ sent: 2, settled: 1 });
    const latest = mailsTo(lead.abv).at(-1)!;
    expect(latest.parsed.subject).toBe('Retour: 1 customer needs a follow-up (Abbeville)');
    expect(latest.parsed.text).toContain(second);
    expect(latest.parsed.text).not.toContain(first);
    expect((await storedResponse(second)).alert).toBe('sent');
    const state = await AlertLead.findOne({ user: ids.abv }).lean();
    expect(state).toMatchObject({ lastAlertAt: at(T, 15 * MINUTE), alerted: [] });
  });

  it('alerts a lead who may hear now at once, and keeps the response pending for the lead who must wait', async () => {
    const T = clock();
    await seedResponse({ info: 'no' }, { site: 'CAS', queue: 'billing', alert: 'pending', at: T });
    await sender.runOnce(T); // karim and head hear now
    const drxMails = mailsTo(lead.drx).length;
    const headMails = mailsTo(lead.all).length;

    const dreux = await seedResponse({ info: 'no', missing: 'Horaires ?' }, { site: 'DRX', alert: 'pending', at: at(T, 2 * MINUTE) });
    expect(await sender.runOnce(at(T, 2 * MINUTE))).toEqual({ sent: 1, settled: 0 });
    expect(mailsTo(lead.drx)).toHaveLength(drxMails + 1);
    expect(mailsTo(lead.all)).toHaveLength(headMails);
    expect((await storedResponse(dreux)).alert).toBe('pending');

    // Later passes do not tell the Dreux lead twice; head hears once the 15 minutes are up.
    expect(await sender.runOnce(at(T, 10 * MINUTE))).toEqual({ sent: 0, settled: 0 });
    expect(await sender.runOnce(at(T, 15 * MINUTE))).toEqual({ sent: 1, settled: 1 });
    expect(mailsTo(lead.drx)).toHaveLength(drxMails + 1);
    expect(mailsTo(lead.all).at(-1)!.parsed.text).toContain(dreux);
    expect((await storedResponse(dreux)).alert).toBe('sent');
  });
});

describe('what is not alerted', () => {
  it('drops the alert of a response whose answers no longer call for one, without an email', async () => {
    const T = clock();
    const before = smtp.received.length;
    const changed = await seedResponse({ info: 'yes', csat: 4 }, { site: 'ABV', alert: 'pending', at: T });
    expect(await sender.runOnce(T)).toEqual({ sent: 0, settled: 0 });
    expect(smtp.received.length).toBe(before);
    expect((await storedResponse(changed)).alert).toBe('none');
  });
});

describe('when the mail server refuses', () => {
  it('keeps the responses pending and the lead free to be alerted at the next pass', async () => {
    const T = clock();
    smtp.rejectRcpt.set(lead.abv, 451);
    const id = await seedResponse({ info: 'no' }, { site: 'ABV', alert: 'pending', at: T });
    const abvMails = mailsTo(lead.abv).length;
    expect(await sender.runOnce(T)).toEqual({ sent: 1, settled: 0 }); // head only
    expect((await storedResponse(id)).alert).toBe('pending');
    expect(await AlertLead.findOne({ user: ids.abv }).lean()).toMatchObject({ alerted: [] });

    smtp.rejectRcpt.delete(lead.abv);
    // One minute later, not fifteen: the refused email did not count.
    expect(await sender.runOnce(at(T, MINUTE))).toEqual({ sent: 1, settled: 1 });
    expect(mailsTo(lead.abv)).toHaveLength(abvMails + 1);
    expect((await storedResponse(id)).alert).toBe('sent');
  });
});

describe('the background loop', () => {
  it('sends pending alerts by itself every poll and stops when asked', async () => {
    const looping = startAlertSender({ mailer, config, logger, pollMs: 50 });
    try {
      // Far in the future of every other test: the 15-minute windows are over.
      await AlertLead.updateMany({}, { $set: { lastAlertAt: new Date('2020-01-01T00:00:00Z') } });
      const id = await seedResponse({ info: 'no', missing: 'Loop' }, { site: 'DRX', alert: 'pending', at: new Date() });
      const deadline = Date.now() + 10_000;
      while ((await storedResponse(id)).alert !== 'sent' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect((await storedResponse(id)).alert).toBe('sent');
      expect(mailsTo(lead.drx).at(-1)!.parsed.text).toContain(id);
    } finally {
      await looping.stop();
    }
  });
});
