/**
 * Erasure on request through the real paths (ingest API, dispatch worker to the outbox, the
 * survey page, an alert email to the site's quality lead): /admin/privacy first shows what
 * would be erased and changes nothing; confirming erases everything about the address,
 * whatever its case and spaces (identity and words gone from calls, invitations, responses
 * and the outbox; links closed), keeps it suppressed as a hash only, leaves reports and
 * rollups consistent, and is audited without the address. A quality lead is refused, a form
 * without its CSRF token changes nothing, a bad address is a 422 with the form kept.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { startAlertSender } from '../../server/alerts';
import { createMailer } from '../../server/mail';
import { rebuildRollups, reconcilePendingRollups } from '../../server/rollups';
import { hashEmail, isSuppressed } from '../../server/suppressions';
import { localDate } from '../../server/time/local-time';
import { testConfig } from '../helpers/app';
import { callsTestKit, makeCall } from '../helpers/calls';
import { useTestDatabase } from '../helpers/database';
import { PUBLIC_URL, logger, testWorker } from '../helpers/dispatch';
import { answer, collectionsHolding, expectOnlyTextsRemoved, ingest, outboxToken, rollupTable, sendDue, surveyAnswers } from '../helpers/privacy';
import { createStaff, csrfFrom, loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app, api, queue, calls, invitations } = callsTestKit();
const responses = () => mongoose.connection.collection('responses');
const outbox = () => mongoose.connection.collection('outboxmessages');
const audit = () => mongoose.connection.collection('auditentries');

const CLAIRE = { email: 'claire.dubois@example.fr', name: 'Claire Dubois', words: 'Claire here: call me back on 06 11 22 33 44' };
const PAUL = { email: 'paul.martin@example.fr', name: 'Paul Martin', words: 'Paul thanks the agent' };
const ASKED_AS = '  CLAIRE.Dubois@EXAMPLE.fr ';
const NOW = Date.now();
const PERIOD = `from=${localDate(new Date(NOW - 7 * 86_400_000), 'Europe/Paris')}&to=${localDate(new Date(NOW), 'Europe/Paris')}`;
const tokens: Record<'answered' | 'open', string> = { answered: '', open: '' };

let admin: Awaited<ReturnType<typeof loginAs>>;

/** The privacy page's form token for this agent. */
async function csrf(agent: request.Agent): Promise<string> {
  return csrfFrom((await agent.get('/admin/privacy')).text);
}

async function reports(agent: request.Agent) {
  const page = await agent.get(`/reports?${PERIOD}&lang=en`);
  expect(page.status).toBe(200);
  // Charts get a fresh id at each rendering.
  return (/<main[\s\S]*<\/main>/.exec(page.text)?.[0] ?? '').replace(/chart-[0-9a-f]{8}/g, 'chart-id');
}

beforeAll(async () => {
  await queue('business-support', 'ABV', { quietHours: null, delayMinutes: 30, quarantineDays: 0 });
  const config = testConfig({ PUBLIC_URL });
  const mailer = createMailer(config, logger);
  // Claire called twice (the address written two ways); Paul once.
  expect(
    await ingest(
      api,
      makeCall({ endedAt: new Date(NOW - 3 * 3_600_000).toISOString(), customer: { email: 'Claire.Dubois@Example.fr', name: CLAIRE.name } }),
      makeCall({ endedAt: new Date(NOW - 2 * 3_600_000).toISOString(), agent: 'b.durand', customer: { email: CLAIRE.email, name: CLAIRE.name } }),
      makeCall({ customer: { email: PAUL.email, name: PAUL.name } }),
    ),
  ).toEqual(['scheduled', 'scheduled', 'scheduled']);
  expect(await sendDue(testWorker(mailer, config))).toBe(3);
  tokens.answered = await outboxToken('Claire.Dubois@Example.fr');
  tokens.open = await outboxToken(CLAIRE.email);
  await answer(app, tokens.answered, surveyAnswers(CLAIRE.words));
  await answer(app, await outboxToken(PAUL.email), { info: 'yes', csat: 5, nps: 10, comment: PAUL.words });
  // Claire did not get the information: the site's quality lead gets an alert quoting her.
  await createStaff({ role: 'quality', sites: ['ABV'], email: 'lea.lead@example.com' });
  expect((await startAlertSender({ mailer, config, logger, loop: false }).runOnce()).sent).toBe(1);
  admin = await loginAs(app, { role: 'admin' });
});

describe('before anything is erased', () => {
  it('answers a quality lead 403 and an anonymous visitor with the sign-in page', async () => {
    const lead = await loginAs(app, { role: 'quality', sites: ['ABV'] });
    expect((await lead.agent.get('/admin/privacy')).status).toBe(403);
    const form = { _csrf: await lead.csrf(), email: CLAIRE.email, confirm: 'yes' };
    expect((await lead.agent.post('/admin/privacy/preview').type('form').send(form)).status).toBe(403);
    expect((await lead.agent.post('/admin/privacy/erase').type('form').send(form)).status).toBe(403);
    const anonymous = await request(app).get('/admin/privacy');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Fadmin%2Fprivacy');
    expect(await calls().countDocuments({ customerHash: hashEmail(CLAIRE.email) })).toBe(2);
  });

  it('refuses an erasure form without the CSRF token and changes nothing', async () => {
    const res = await admin.agent.post('/admin/privacy/erase').type('form').send({ email: CLAIRE.email, confirm: 'yes' });
    expect(res.status).toBe(403);
    expect(await calls().countDocuments({ customerHash: hashEmail(CLAIRE.email) })).toBe(2);
    expect(await isSuppressed(CLAIRE.email)).toBeNull();
  });

  it('answers a bad address with 422, the message beside the field and the value kept', async () => {
    const res = await admin.agent.post('/admin/privacy/preview?lang=en').type('form').send({ _csrf: await csrf(admin.agent), email: 'claire.dubois@' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter a valid email address, such as client@example.fr.');
    expect(res.text).toContain('value="claire.dubois@"');
    const unconfirmed = await admin.agent.post('/admin/privacy/erase?lang=en').type('form').send({ _csrf: await csrf(admin.agent), email: CLAIRE.email });
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.text).toContain('Confirm the erasure with the Erase button');
    expect(await calls().countDocuments({ customerHash: hashEmail(CLAIRE.email) })).toBe(2);
  });

  it('shows what would be erased, whatever the case and spaces of the address, and changes nothing', async () => {
    const res = await admin.agent.post('/admin/privacy/preview?lang=en').type('form').send({ _csrf: await csrf(admin.agent), email: ASKED_AS });
    expect(res.status).toBe(200);
    const facts = [...res.text.matchAll(/<dt>([^<]+)<\/dt><dd>([^<]+)<\/dd>/g)].map((m) => [m[1], m[2]]);
    expect(facts).toEqual([
      ['Calls', '2'],
      ['Survey invitations', '2'],
      ['Responses', '1'],
      ['Emails in the outbox (sent to this address, or quoting their answers)', '3'],
    ]);
    expect(res.text).toContain('not on the list yet');
    expect(res.text).toContain('only as a SHA-256 hash');
    expect(res.text).toContain('<input type="hidden" name="email" value="CLAIRE.Dubois@EXAMPLE.fr">');
    expect(await collectionsHolding(CLAIRE.words)).toEqual(['outboxmessages', 'responses']);
    expect(await isSuppressed(CLAIRE.email)).toBeNull();
  });
});

describe('erasing everything about an address', () => {
  let before: { reports: string; rollups: Awaited<ReturnType<typeof rollupTable>> };

  beforeAll(async () => {
    before = { reports: await reports(admin.agent), rollups: await rollupTable() };
    const res = await admin.agent.post('/admin/privacy/erase').type('form').send({ _csrf: await csrf(admin.agent), email: ASKED_AS, confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/privacy?erased=1');
  });

  it('says it is done and lists the erasure with its counts', async () => {
    const page = await admin.agent.get('/admin/privacy?erased=1&lang=en');
    expect(page.text).toContain('The erasure is done');
    expect(page.text).toContain('calls: 2, invitations: 2, responses: 1, outbox emails: 3');
  });

  it('leaves the address, the name and the words nowhere but as the suppression hash', async () => {
    expect(await collectionsHolding(CLAIRE.email)).toEqual([]);
    expect(await collectionsHolding(CLAIRE.name)).toEqual([]);
    expect(await collectionsHolding('06 11 22 33 44')).toEqual([]);
    expect(await collectionsHolding(hashEmail(CLAIRE.email))).toEqual(['auditentries', 'suppressions']);
    // Paul is untouched.
    expect(await collectionsHolding(PAUL.email)).toEqual(['calls', 'invitations', 'outboxmessages']);
    expect(await collectionsHolding(PAUL.words)).toEqual(['responses']);
  });

  it('keeps the calls, the answered invitation and the scored answers, anonymous', async () => {
    const erased = await calls().find({ 'customer.email': null }).toArray();
    expect(erased.map((c) => c.agent).sort()).toEqual(['a.martin', 'b.durand']);
    expect(erased.every((c) => c.customerHash === null && c.customer.name === null && c.decision.outcome === 'scheduled')).toBe(true);
    const response = await responses().findOne({ callId: { $in: erased.map((c) => String(c._id)) } });
    expect(response).toMatchObject({ answers: { info: 'no', csat: 2, nps: 3 }, text: null, customerHash: null, gotInformation: false, rollupPending: false });
    expect(await invitations().findOne({ _id: new mongoose.Types.ObjectId(response?.invitationId) })).toMatchObject({ state: 'answered' });
  });

  it('closes the open invitation and the links of both emails', async () => {
    const open = await invitations().findOne({ 'customer.email': null, state: { $ne: 'answered' } });
    expect(open).toMatchObject({ state: 'suppressed', nextAttemptAt: null, reminderAt: null });
    for (const token of [tokens.answered, tokens.open]) {
      expect((await request(app).get(`/s/${token}`)).status).toBe(404);
      expect((await request(app).post(`/s/${token}`).send({ answers: { info: 'yes' } })).status).toBe(404);
      expect((await request(app).get(`/u/${token}`)).status).toBe(404);
    }
  });

  it('changes no report figure, and the rollups are what a rebuild gives', async () => {
    expect(await reports(admin.agent)).toBe(before.reports);
    const after = await rollupTable();
    // Only the comment's words left: its bucket and its coarse bucket count one text fewer.
    expectOnlyTextsRemoved(before.rollups, after, 2);
    await rebuildRollups();
    expect(await rollupTable()).toEqual(after);
  });

  it('is audited with who, when and the counts, under the address hash and never the address', async () => {
    const entries = await audit().find({ action: 'privacy.erase' }).toArray();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: { type: 'user', label: admin.user.email },
      target: { type: 'customer', id: hashEmail(CLAIRE.email) },
      after: { calls: 2, invitations: 2, responses: 1, outbox: 3, suppression: 'added' },
      at: expect.any(Date),
    });
    expect(JSON.stringify(await audit().find({}).toArray()).toLowerCase()).not.toContain('claire');
  });

  it('keeps the address suppressed: a new call is not surveyed', async () => {
    expect(await isSuppressed(ASKED_AS)).toBe('erasure');
    expect(await outbox().countDocuments({ to: PAUL.email })).toBe(1);
    expect(await ingest(api, makeCall({ customer: { email: CLAIRE.email } }))).toEqual(['suppressed']);
    // The new call is kept for the statistics, without the address or the name.
    expect(await collectionsHolding(CLAIRE.email)).toEqual([]);
  });

  it('finds nothing more the second time, says the address is already suppressed, and audits that too', async () => {
    const preview = await admin.agent.post('/admin/privacy/preview?lang=en').type('form').send({ _csrf: await csrf(admin.agent), email: CLAIRE.email });
    // The call posted after the erasure is the only record left, without a survey.
    expect([...preview.text.matchAll(/<dd>(\d+)<\/dd>/g)].map((m) => m[1])).toEqual(['1', '0', '0', '0']);
    expect(preview.text).toContain('already on the list (the customer asked for their data to be erased)');
    await admin.agent.post('/admin/privacy/erase').type('form').send({ _csrf: await csrf(admin.agent), email: CLAIRE.email, confirm: 'yes' });
    const last = await audit().find({ action: 'privacy.erase' }).sort({ at: -1 }).limit(1).next();
    expect(last?.after).toEqual({ calls: 1, invitations: 0, responses: 0, outbox: 0, suppression: 'erasure' });
    expect(await collectionsHolding(CLAIRE.email)).toEqual([]);
  });

  it('counts only its own change on a response a crash left pending, which the recount at start then settles', async () => {
    // Paul's last save was written, then the process died before counting it: the counters are off.
    await responses().updateOne({ text: PAUL.words }, { $set: { rollupPending: true, rollupUncounted: 1 } });
    const drift = await mongoose.connection.collection('rollups').updateMany({ agent: { $in: ['a.martin', ' *'] }, texts: { $gt: 0 } }, { $inc: { texts: 3 } });
    expect(drift.modifiedCount).toBe(2);
    const res = await admin.agent.post('/admin/privacy/erase').type('form').send({ _csrf: await csrf(admin.agent), email: PAUL.email, confirm: 'yes' });
    expect(res.status).toBe(303);
    // His words are gone and counted as gone; the crashed save still waits for its recount.
    expect(await responses().findOne({ callId: { $exists: true }, rollupPending: true })).toMatchObject({ text: null, customerHash: null, rollupUncounted: 1 });
    expect(Object.values(await rollupTable()).reduce((n, c) => n + c.texts, 0)).toBe(6);
    expect(await reconcilePendingRollups()).toBe(1);
    const counted = await rollupTable();
    expect(Object.values(counted).reduce((n, c) => n + c.texts, 0)).toBe(0);
    await rebuildRollups();
    expect(await rollupTable()).toEqual(counted);
  });
});
