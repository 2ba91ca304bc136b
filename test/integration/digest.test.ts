/**
 * The weekly digest against a real SMTP server on loopback: each quality lead gets, on
 * Monday at 08:00 in their sites' time zone, last week's figures per site (from the
 * rollups, with intervals; small samples marked) and up to five notable comments; once
 * per lead and week whatever restarts; a refused send is tried again; late within a day.
 */
import { startDigestSender, dueWeek, type DigestSender } from '../../server/digest';
import { DigestLog } from '../../server/digest/model';
import type { Config } from '../../server/config';
import { createMailer, type Mailer } from '../../server/mail';
import { seedRollups } from '../helpers/reports';
import { createSite } from '../../server/sites';
import { testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { PUBLIC_URL, logger, receivedBy } from '../helpers/dispatch';
import { seedResponse, seedWorld } from '../helpers/seed-responses';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture';
import { createStaff } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

let smtp: SmtpCapture;
let mailer: Mailer;
let config: Config;
let sender: DigestSender;
const lead = { abv: '', toronto: '', both: '', cas: '', admin: '' };
const ids: Record<string, string> = {};

/** Reported week: Monday 16 to Sunday 22 November 2026; due Monday 23 at 08:00 local. */
const at = (iso: string) => new Date(iso);

async function rollup(day: string, site: string, counters: Record<string, number>) {
  await seedRollups([{ day, site, ...counters }]);
}

beforeAll(async () => {
  await seedWorld();
  await createSite('TOR', { name: 'Toronto', country: 'CA', timezone: 'America/Toronto', locale: 'en' }, { type: 'system' });
  smtp = await startSmtpCapture();
  config = testConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'Retour <retour@example.com>', PUBLIC_URL });
  mailer = createMailer(config, logger);
  sender = startDigestSender({ mailer, config, logger, loop: false });
  lead.abv = (await createStaff({ role: 'quality', sites: ['ABV'], locale: 'en', email: 'lea@example.com' })).email;
  lead.toronto = (await createStaff({ role: 'quality', sites: ['TOR'], locale: 'en', email: 'tom@example.com' })).email;
  lead.both = (await createStaff({ role: 'quality', sites: ['ABV', 'TOR'], locale: 'en', email: 'both@example.com' })).email;
  lead.cas = (await createStaff({ role: 'quality', sites: ['CAS'], locale: 'fr', email: 'karim@example.com' })).email;
  lead.admin = (await createStaff({ role: 'admin', email: 'admin@example.com' })).email;

  // Abbeville's week: 100 answers over two days, 70 got the information; outside the week: ignored.
  await rollup('2026-11-16', 'ABV', { surveyed: 120, invited: 110, responses: 60, completed: 58, infoYes: 40, infoNo: 20, csatN: 50, csatSum: 190, csatTop2: 32, callbacks: 12 });
  await rollup('2026-11-22', 'ABV', { surveyed: 100, invited: 90, responses: 40, completed: 40, infoYes: 30, infoNo: 10, csatN: 40, csatSum: 160, csatTop2: 28, callbacks: 10 });
  await rollup('2026-11-15', 'ABV', { invited: 1000, responses: 1000, infoYes: 0, infoNo: 1000 });
  await rollup('2026-11-23', 'ABV', { invited: 1000, responses: 1000, infoYes: 0, infoNo: 1000 });
  // Casablanca: too few answers to read.
  await rollup('2026-11-18', 'CAS', { surveyed: 10, invited: 10, responses: 8, completed: 8, infoYes: 5, infoNo: 3, csatN: 8, csatSum: 30, csatTop2: 5 });

  // Notable comments of the week at Abbeville: six, of which the five newest are shown.
  for (let i = 0; i < 6; i += 1) {
    ids[`no${i}`] = await seedResponse({ info: 'no', missing: `Missing detail number ${i}` }, { site: 'ABV', day: '2026-11-17', at: at(`2026-11-17T1${i}:00:00Z`) });
  }
  ids.low = await seedResponse({ info: 'yes', csat: 1, comment: 'Rude & slow' }, { site: 'ABV', day: '2026-11-20', at: at('2026-11-20T09:00:00Z') });
  ids.happy = await seedResponse({ info: 'yes', csat: 5, comment: 'Perfect' }, { site: 'ABV', day: '2026-11-21', at: at('2026-11-21T09:00:00Z') });
  ids.before = await seedResponse({ info: 'no', missing: 'Last week' }, { site: 'ABV', day: '2026-11-14', at: at('2026-11-14T09:00:00Z') });
});
afterAll(async () => {
  await mailer.close();
  await smtp.stop();
});

const mailsTo = (address: string) => receivedBy(smtp, address);

describe('when the digest is due', () => {
  it('is the week before, on Monday from 08:00 in the zone, for a day', () => {
    expect(dueWeek(at('2026-11-23T06:59:00Z'), ['Europe/Paris'])).toBeNull();
    expect(dueWeek(at('2026-11-23T07:00:00Z'), ['Europe/Paris'])).toMatchObject({ week: '2026-W47', from: '2026-11-16', to: '2026-11-22', dueAt: at('2026-11-23T07:00:00Z') });
    expect(dueWeek(at('2026-11-24T07:00:00Z'), ['Europe/Paris'])).toMatchObject({ week: '2026-W47' });
    expect(dueWeek(at('2026-11-24T07:01:00Z'), ['Europe/Paris'])).toBeNull();
    // Sites in two zones: once 08:00 has come in both.
    expect(dueWeek(at('2026-11-23T12:59:00Z'), ['Europe/Paris', 'America/Toronto'])).toBeNull();
    expect(dueWeek(at('2026-11-23T13:00:00Z'), ['Europe/Paris', 'America/Toronto'])).toMatchObject({ week: '2026-W47', dueAt: at('2026-11-23T13:00:00Z') });
    // Summer time: 08:00 in Paris is 06:00 UTC.
    expect(dueWeek(at('2026-06-15T06:00:00Z'), ['Europe/Paris'])).toMatchObject({ from: '2026-06-08', to: '2026-06-14' });
  });
});

describe('sending the digest', () => {
  it('sends nothing before Monday 08:00 in the site’s zone', async () => {
    expect(await sender.runOnce(at('2026-11-23T06:59:00Z'))).toBe(0);
    expect(smtp.received).toHaveLength(0);
  });

  it('sends each lead of a Paris-time site their digest at 08:00 Paris time, with the week’s figures and notable comments', async () => {
    expect(await sender.runOnce(at('2026-11-23T07:00:00Z'))).toBe(2);
    expect(mailsTo(lead.toronto)).toHaveLength(0);
    expect(mailsTo(lead.both)).toHaveLength(0);
    expect(mailsTo(lead.admin)).toHaveLength(0);

    const [mail, ...more] = mailsTo(lead.abv);
    expect(more).toHaveLength(0);
    expect(mail!.parsed.subject).toBe('Retour: your week from Nov 16, 2026 to Nov 22, 2026');
    const text = mail!.parsed.text ?? '';
    expect(text).toContain('Abbeville (ABV)');
    expect(text).toContain('Responses: 100');
    expect(text).toContain('Response rate: 50% (95% CI 43%–57%, n = 200)');
    expect(text).toContain('Got the information they needed: 70% (95% CI 60%–78%, n = 100)');
    expect(text).toContain('Satisfied (4-5 out of 5): 67% (95% CI 56%–76%, n = 90) · mean 3.9/5');
    expect(text).toContain('Called back within 7 days: 10% (95% CI 7%–15%, n = 220)');
    expect(text).not.toContain('not enough answers');
    expect(text).toContain(`${PUBLIC_URL}/reports?from=2026-11-16&to=2026-11-22`);
    // The five newest notable comments of the week, the low score first.
    expect(text).toContain(`${PUBLIC_URL}/reports/comments?response=${ids.low}`);
    for (const i of [5, 4, 3, 2]) expect(text).toContain(`Missing detail number ${i}`);
    expect(text).not.toContain('Missing detail number 1');
    expect(text).not.toContain('Missing detail number 0');
    expect(text).not.toContain('Perfect');
    expect(text).not.toContain('Last week');
    expect(mail!.parsed.html).toContain('Rude &amp; slow');

    // Casablanca's lead, in French, with too few answers marked as such.
    const [cas] = mailsTo(lead.cas);
    // Intl writes French percentages with a no-break space.
    expect(cas!.parsed.subject).toBe('Retour : votre semaine du 16 nov. 2026 au 22 nov. 2026');
    expect(cas!.parsed.text).toMatch(/Ont obtenu l’information : 63\u00a0% \(IC 95 % 31\u00a0%–86\u00a0%, n = 8\) \(pas assez de réponses\)/);
    expect(cas!.parsed.text).toContain('Aucun client n’a dit avoir manqué d’information ni être mécontent cette semaine.');
  });

  it('never sends a week’s digest twice, even from a restarted sender', async () => {
    expect(await sender.runOnce(at('2026-11-23T07:30:00Z'))).toBe(0);
    const restarted = startDigestSender({ mailer, config, logger, loop: false });
    expect(await restarted.runOnce(at('2026-11-23T09:00:00Z'))).toBe(0);
    expect(mailsTo(lead.abv)).toHaveLength(1);
    expect(await DigestLog.find({ week: '2026-W47', state: 'sent' }).countDocuments()).toBe(2);
  });

  it('sends the leads of a Toronto site at 08:00 Toronto time, and a lead of both zones then', async () => {
    expect(await sender.runOnce(at('2026-11-23T12:59:00Z'))).toBe(0);
    expect(await sender.runOnce(at('2026-11-23T13:00:00Z'))).toBe(2);
    expect(mailsTo(lead.toronto)).toHaveLength(1);
    const [both] = mailsTo(lead.both);
    expect(both!.parsed.text).toContain('Abbeville (ABV)');
    expect(both!.parsed.text).toContain('Toronto (TOR)');
    expect(both!.parsed.text).toContain('Responses: 0');
  });
});

describe('when the mail server refuses', () => {
  it('drops the claim and sends at the next pass, once', async () => {
    smtp.rejectRcpt.set(lead.abv, 451);
    const before = mailsTo(lead.abv).length;
    expect(await sender.runOnce(at('2026-11-30T07:00:00Z'))).toBe(1); // karim only
    // Karim's is logged; Léa's claim was dropped with the refusal.
    expect(await DigestLog.countDocuments({ week: '2026-W48' })).toBe(1);
    smtp.rejectRcpt.delete(lead.abv);
    expect(await sender.runOnce(at('2026-11-30T07:01:00Z'))).toBe(1);
    expect(await sender.runOnce(at('2026-11-30T07:02:00Z'))).toBe(0);
    expect(mailsTo(lead.abv)).toHaveLength(before + 1);
  });
});

describe('a digest missed while the app was down', () => {
  it('goes out late within a day of its time, and not after', async () => {
    // Monday 7 December: nobody ran at 08:00, neither in Paris (07:00Z) nor in Toronto (13:00Z).
    // Tuesday 07:01Z: Paris's digests are more than a day late, Toronto's 18 hours.
    expect(await sender.runOnce(at('2026-12-08T07:01:00Z'))).toBe(2);
    expect(mailsTo(lead.toronto)).toHaveLength(2);
    expect(await sender.runOnce(at('2026-12-08T08:00:00Z'))).toBe(0);
    expect(await DigestLog.find({ week: '2026-W49' }).countDocuments()).toBe(2);
  });
});
