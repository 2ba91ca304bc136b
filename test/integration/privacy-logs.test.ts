/**
 * No customer address, name or link token in the logs. The main flows run against an app
 * whose logger writes everything (level trace) to a capture: ingest through the API (with
 * a call refused for its address), the dispatch worker sending to a real SMTP server on
 * loopback whose refusals quote the address (a 550 bounce, a 451 retried later), the survey
 * page and its answers, an unknown
 * link, unsubscribing, and the staff erasure form (with a bad address first). Then no line
 * holds any of them, nor the API key; the lines that matter are there.
 */
import { Writable } from 'node:stream';
import { Router } from 'express';
import request from 'supertest';
import { createApp } from '../../server/app';
import { createLogger } from '../../server/logger';
import { createMailer, type Mailer } from '../../server/mail';
import { hashEmail } from '../../server/suppressions';
import { testConfig } from '../helpers/app';
import { callsTestKit, makeCall } from '../helpers/calls';
import { useTestDatabase } from '../helpers/database';
import { PUBLIC_URL, receivedBy, surveyToken, testWorker } from '../helpers/dispatch';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture';
import { createApiKey, csrfFrom, signIn, createStaff } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

// The sites, queue and survey template, made through the kit's own app.
const { queue } = callsTestKit();

const lines: Record<string, unknown>[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});
const logger = createLogger({ logLevel: 'trace' }, capture);

const CUSTOMERS = {
  answers: { email: 'Claire.Dubois@example.fr', name: 'Claire Dubois' },
  bounces: { email: 'bruno.rejet@example.fr', name: 'Bruno Rejet' },
  later: { email: 'rita.retard@example.fr', name: 'Rita Retard' },
  leaves: { email: 'ulysse.depart@example.fr', name: 'Ulysse Départ' },
  invalid: { email: 'ines.invalide@', name: 'Inès Invalide' },
};
const secrets: string[] = [];

let smtp: SmtpCapture;
let mailer: Mailer;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  await queue('business-support', 'ABV', { quietHours: null, delayMinutes: 30, quarantineDays: 0 });
  smtp = await startSmtpCapture();
  smtp.rejectRcpt.set(CUSTOMERS.bounces.email, 550);
  smtp.rejectRcpt.set(CUSTOMERS.later.email, 451);
  smtp.quoteRecipient = true;
  const config = testConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'Retour <surveys@example.com>', PUBLIC_URL });
  mailer = createMailer(config, logger);
  // The app on plain http (its cookies are not Secure, so the test's agent keeps them); links in emails say https.
  app = createApp({ config: testConfig(), logger, health: () => ({ status: 'ok', db: 'embedded' }) });
  const key = await createApiKey('telephony');
  secrets.push(key);

  // Ingest: four calls taken, one refused for its address.
  const posted = await request(app)
    .post('/api/v1/calls')
    .set('Authorization', `Bearer ${key}`)
    .send({ calls: Object.values(CUSTOMERS).map((customer) => makeCall({ customer })) });
  expect(posted.status).toBe(202);
  expect(posted.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['scheduled', 'scheduled', 'scheduled', 'scheduled', 'invalid']);

  // Dispatch: sent, bounced for good, refused for now and tried again later.
  const worker = testWorker(mailer, config, { logger });
  await worker.runOnce(new Date(Date.now() + 3_600_000));
  await worker.runOnce(new Date(Date.now() + 2 * 3_600_000));
  const tokenOf = (address: string) => surveyToken(receivedBy(smtp, address)[0]?.parsed.text);
  const answerToken = tokenOf(CUSTOMERS.answers.email);
  const leaveToken = tokenOf(CUSTOMERS.leaves.email);
  secrets.push(answerToken, leaveToken);

  // The survey: opened from the email's one-click answer, saved by its script, submitted as a form.
  expect((await request(app).get(`/s/${answerToken}?a=info:no`)).status).toBe(200);
  expect((await request(app).post(`/s/${answerToken}`).send({ answers: { info: 'no' }, partial: true, channel: 'email-click' })).status).toBe(200);
  const form = { info: 'no', missing: 'Claire Dubois here, the opening hours', csat: '2', nps: '3', comment: 'Write to Claire.Dubois@example.fr' };
  expect((await request(app).post(`/s/${answerToken}`).type('form').send(form)).status).toBe(303);
  expect((await request(app).get(`/s/${answerToken}x`)).status).toBe(404);

  // Unsubscribing: the page, then the one-click POST.
  expect((await request(app).get(`/u/${leaveToken}`)).status).toBe(200);
  expect((await request(app).post(`/u/${leaveToken}`).type('form').send({ 'List-Unsubscribe': 'One-Click' })).status).toBeLessThan(400);

  // The staff erasure form: a bad address, then the preview and the erasure of the first customer.
  const { email, password } = await createStaff({ role: 'admin' });
  const admin = await signIn(app, email, password);
  const token = async () => csrfFrom((await admin.get('/admin/privacy')).text);
  expect((await admin.post('/admin/privacy/preview').type('form').send({ _csrf: await token(), email: CUSTOMERS.invalid.email })).status).toBe(422);
  expect((await admin.post('/admin/privacy/preview').type('form').send({ _csrf: await token(), email: CUSTOMERS.answers.email })).status).toBe(200);
  expect((await admin.post('/admin/privacy/erase').type('form').send({ _csrf: await token(), email: CUSTOMERS.answers.email, confirm: 'yes' })).status).toBe(303);
});

afterAll(async () => {
  await mailer.close();
  await smtp.stop();
});

describe('the logs of the main flows', () => {
  const text = () => JSON.stringify(lines).toLowerCase();
  const messages = () => lines.map((l) => String(l.msg));

  it('hold one line per request and what the dispatch worker did', () => {
    expect(lines.length).toBeGreaterThan(15);
    expect(messages()).toEqual(expect.arrayContaining(['email refused for good: address suppressed', 'email refused for now: retrying later', 'email not sent', 'email accepted by the SMTP server']));
    // The mail server's refusals quoted the address: the lines keep the reply, without it.
    expect(lines.filter((l) => String(l.reason).includes('<[email]>: Mailbox unavailable'))).toHaveLength(2);
    const urls = lines.map((l) => (l.req as { url?: string } | undefined)?.url).filter(Boolean);
    expect(urls).toEqual(expect.arrayContaining(['/api/v1/calls', '/s/[redacted]?a=info:no', '/u/[redacted]', '/admin/privacy/erase']));
  });

  it('never hold a customer’s address, its hash, or their name', () => {
    for (const { email, name } of Object.values(CUSTOMERS)) {
      expect(text()).not.toContain(email.toLowerCase());
      expect(text()).not.toContain(email.split('@')[0]!.toLowerCase());
      expect(text()).not.toContain(name.toLowerCase());
      expect(text()).not.toContain(hashEmail(email));
    }
  });

  it('never hold a survey link’s token or the API key', () => {
    for (const secret of secrets) expect(JSON.stringify(lines)).not.toContain(secret);
  });
});

describe('the logger', () => {
  it('removes addresses from any text field, however deep, and leaves other values alone', () => {
    const out: string[] = [];
    const log = createLogger({ logLevel: 'info' }, new Writable({ write: (c: Buffer, _e, done) => (out.push(c.toString()), done()) }));
    log.warn({ reply: '550 5.1.1 <claire@example.fr>: Recipient address rejected', engine: { rows: [{ to: ['x.y@example.com'] }] }, count: 3 }, 'relay');
    expect(out.join('')).not.toMatch(/claire@example\.fr|x\.y@example\.com/);
    expect(JSON.parse(out.join(''))).toMatchObject({ reply: '550 5.1.1 <[email]>: Recipient address rejected', engine: { rows: [{ to: ['[email]'] }] }, count: 3 });
  });

  it('logs a failed request’s database error by its type, message and code, without the documents it carries', async () => {
    const out: string[] = [];
    const log = createLogger({ logLevel: 'info' }, new Writable({ write: (c: Buffer, _e, done) => (out.push(c.toString()), done()) }));
    const failing = Router().get('/failing-insert', () => {
      const err = Object.assign(new Error('Document failed validation'), { code: 121, writeErrors: [{ op: { customer: { email: 'claire@example.fr' } } }] });
      throw Object.assign(err, { loop: err });
    });
    const res = await request(createApp({ config: testConfig(), logger: log, health: () => ({ status: 'ok', db: 'embedded' }), routers: [failing] })).get('/failing-insert');
    expect(res.status).toBe(500);
    const logged = out.join('');
    expect(logged).not.toMatch(/claire@example\.fr|unable to serialize/);
    expect(logged).toContain('"message":"Document failed validation"');
    expect(logged).toContain('"code":121');
  });
});
