/**
 * Retention through the real paths: calls posted to the ingest API, invitations sent by the
 * dispatch worker (outbox), answers given on the survey page. Past RETENTION_MONTHS a pass
 * erases the customers' addresses, names, words and address hashes from calls, invitations
 * and responses, in batches, once (idempotent, audited); answers and reports stay as they
 * were, the rollups equal a rebuild; calls within the retention are untouched; the outbox
 * goes once past it; the setting is validated and shown on the admin page.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { loadConfig } from '../../server/config';
import { createMailer } from '../../server/mail';
import { OutboxMessage } from '../../server/mail/outbox-model';
import { retentionCutoff, runRetention, runRetentionPass } from '../../server/privacy';
import { rebuildRollups } from '../../server/rollups';
import { hashEmail } from '../../server/suppressions';
import { localDate } from '../../server/time/local-time';
import { testConfig } from '../helpers/app';
import { callsTestKit, makeCall } from '../helpers/calls';
import { useTestDatabase } from '../helpers/database';
import { PUBLIC_URL, logger, testWorker } from '../helpers/dispatch';
import { answer, collectionsHolding, expectOnlyTextsRemoved, ingest, outboxToken, rollupTable, sendDue, surveyAnswers } from '../helpers/privacy';
import { createApiKey, loginAs } from '../helpers/staff';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app, api, queue, calls, invitations } = callsTestKit();
const responses = () => mongoose.connection.collection('responses');
const audit = () => mongoose.connection.collection('auditentries');

const DAY = 86_400_000;
const NOW = Date.now();
const ended = (daysAgo: number) => new Date(NOW - daysAgo * DAY).toISOString();
/** A moment 24 months ahead less 25 days: calls that ended 50 days ago are past a 24-month retention, yesterday's are not. */
const LATER = (() => {
  const d = new Date(NOW);
  d.setUTCMonth(d.getUTCMonth() + 24);
  return new Date(d.getTime() - 25 * DAY);
})();
const PERIOD = `from=${localDate(new Date(NOW - 60 * DAY), 'Europe/Paris')}&to=${localDate(new Date(NOW), 'Europe/Paris')}`;

const OLD = [
  { email: 'Old.Commenter@Example.fr', name: 'Odile Ancienne', words: 'Call me on 06 12 34 56 78, Odile' },
  { email: 'old.happy@example.fr', name: 'Henri Content' },
  { email: 'old.silent@example.fr', name: 'Sylvie Muette' },
];
const RECENT = { email: 'recent.commenter@example.fr', name: 'Rachel Recente', words: 'Recent words of Rachel' };
const tokens = new Map<string, string>();

let summaryKey = '';
const summary = () => request(app).get(`/api/v1/reports/summary?${PERIOD}`).set('Authorization', `Bearer ${summaryKey}`);

async function overview(agent: request.Agent): Promise<string> {
  const res = await agent.get(`/reports?${PERIOD}&lang=en`);
  expect(res.status).toBe(200);
  // Charts get a fresh id at each rendering.
  return (/<main[\s\S]*<\/main>/.exec(res.text)?.[0] ?? '').replace(/chart-[0-9a-f]{8}/g, 'chart-id');
}

beforeAll(async () => {
  await queue('business-support', 'ABV', { quietHours: null, delayMinutes: 30, expiryDays: 60, quarantineDays: 30 });
  summaryKey = await createApiKey('bi');
  const config = testConfig({ PUBLIC_URL });
  const worker = testWorker(createMailer(config, logger), config);
  const [commenter, happy, silent] = OLD;
  expect(
    await ingest(
      api,
      makeCall({ endedAt: ended(50), agent: 'a.martin', customer: { email: commenter!.email, name: commenter!.name } }),
      // The same customer again the next day: quarantined, stored without an invitation.
      makeCall({ endedAt: ended(49), agent: 'b.durand', customer: { email: commenter!.email, name: commenter!.name } }),
      makeCall({ endedAt: ended(50), agent: 'b.durand', customer: { email: happy!.email, name: happy!.name } }),
      makeCall({ endedAt: ended(48), agent: 'a.martin', customer: { email: silent!.email, name: silent!.name } }),
      makeCall({ endedAt: ended(1), agent: 'a.martin', customer: { email: RECENT.email, name: RECENT.name } }),
    ),
  ).toEqual(['scheduled', 'quarantined', 'scheduled', 'scheduled', 'scheduled']);
  expect(await sendDue(worker, new Date(NOW + 2 * DAY))).toBe(4);
  for (const c of [...OLD, RECENT]) tokens.set(c.email, await outboxToken(c.email));
  await answer(app, tokens.get(commenter!.email)!, surveyAnswers(commenter!.words));
  await answer(app, tokens.get(happy!.email)!, surveyAnswers());
  await answer(app, tokens.get(RECENT.email)!, surveyAnswers(RECENT.words));
});

describe('a retention pass', () => {
  let before: { overview: string; summary: unknown; rollups: Awaited<ReturnType<typeof rollupTable>> };
  let agent: request.Agent;

  beforeAll(async () => {
    ({ agent } = await loginAs(app, { role: 'admin' }));
    before = { overview: await overview(agent), summary: (await summary()).body, rollups: await rollupTable() };
  });

  it('reads calls through an index that holds only those still naming their customer', async () => {
    const indexes = await calls().indexes();
    expect(indexes).toContainEqual(expect.objectContaining({ key: { endedAt: 1 }, partialFilterExpression: { 'customer.email': { $type: 'string' } } }));
  });

  it('erases, in batches, the customers of calls past the retention and nothing else, then finds nothing more', async () => {
    const pass = await runRetentionPass({ months: 24, now: LATER, batchSize: 2 });
    // The outbox copies of their invitations go too, though sent later than the calls ended.
    expect(pass).toMatchObject({ calls: 4, invitations: 3, responses: 2, outbox: 3, finished: true, full: true });
    expect(pass.cutoff).toEqual(retentionCutoff(LATER, 24));
    expect(await runRetentionPass({ months: 24, now: LATER, batchSize: 2 })).toMatchObject({ calls: 0, invitations: 0, responses: 0, outbox: 0 });
  });

  it('leaves no address, name, words or address hash of theirs in any collection', async () => {
    for (const customer of OLD) {
      expect(await collectionsHolding(customer.email)).toEqual([]);
      expect(await collectionsHolding(customer.name)).toEqual([]);
      expect(await collectionsHolding(hashEmail(customer.email))).toEqual([]);
    }
    expect(await collectionsHolding('06 12 34 56 78')).toEqual([]);
    // Within the retention: all still there.
    expect(await collectionsHolding(RECENT.email)).toEqual(['calls', 'invitations', 'outboxmessages']);
    expect(await collectionsHolding(RECENT.words)).toEqual(['responses']);
  });

  it('keeps what reports need: the call, its decision, the invitation’s states and the scored answers', async () => {
    const call = await calls().findOne({ 'customer.email': null, agent: 'a.martin', endedAt: new Date(ended(50)) });
    expect(call).toMatchObject({ customer: { email: null, name: null, locale: 'fr' }, customerHash: null, site: 'ABV', queue: 'business-support', reason: 'billing' });
    expect(call?.decision.outcome).toBe('scheduled');
    expect(call?.externalId).toEqual(expect.any(String));
    const invitation = await invitations().findOne({ callId: String(call?._id) });
    expect(invitation).toMatchObject({ customer: { email: null, name: null }, state: 'answered', lastError: null });
    const response = await responses().findOne({ invitationId: String(invitation?._id) });
    expect(response).toMatchObject({ customerHash: null, text: null, gotInformation: false, csat: 2, nps: 3, complete: true, rollupPending: false });
    expect(response?.answers).toEqual({ info: 'no', csat: 2, nps: 3 });
    // The invitation nobody answered is closed; the recent customer's response is untouched.
    const silent = await calls().findOne({ agent: 'a.martin', endedAt: new Date(ended(48)) });
    expect(await invitations().findOne({ callId: String(silent?._id) })).toMatchObject({ state: 'expired', nextAttemptAt: null, reminderAt: null });
    expect(await responses().findOne({ text: { $regex: RECENT.words } })).toMatchObject({ customerHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('closes the links of the emails already sent: the survey and unsubscribe pages find nothing', async () => {
    const token = tokens.get(OLD[1]!.email)!;
    expect((await request(app).get(`/s/${token}`)).status).toBe(404);
    expect((await request(app).get(`/u/${token}`)).status).toBe(404);
    expect((await request(app).get(`/s/${tokens.get(RECENT.email)}`)).status).toBe(200);
  });

  it('changes no figure of the reports, and leaves rollups a rebuild gives again', async () => {
    expect(await overview(agent)).toBe(before.overview);
    expect((await summary()).body).toEqual(before.summary);
    const after = await rollupTable();
    // Only the comment's words left: its bucket and its coarse bucket count one text fewer.
    expectOnlyTextsRemoved(before.rollups, after, 2);
    await rebuildRollups();
    expect(await rollupTable()).toEqual(after);
  });

  it('is recorded once in the audit log with its counts, and shown on the admin privacy page', async () => {
    const entries = await audit().find({ action: 'privacy.retention' }).toArray();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: { type: 'system' }, after: { months: 24, calls: 4, invitations: 3, responses: 2, outbox: 3 } });
    const page = await agent.get('/admin/privacy?lang=en');
    expect(page.status).toBe(200);
    expect(page.text).toContain('24 months after the call');
    expect(page.text).toContain('Last check');
    expect(page.text).toContain('calls: 4, invitations: 3, responses: 2, outbox emails: 3');
  });

  it('reads only newly aged calls each hour, and once a day finds a call stored already past the retention', async () => {
    // Ended 40 days ago, posted now: before the point the last pass reached.
    expect(await ingest(api, makeCall({ endedAt: ended(40), agent: 'late.import', customer: { email: 'late@example.fr', name: 'Lucie Tardive' } }))).toEqual(['scheduled']);
    const hourly = await runRetentionPass({ months: 24, now: new Date(LATER.getTime() + 3_600_000) });
    expect(hourly).toMatchObject({ full: false, calls: 0 });
    const daily = await runRetentionPass({ months: 24, now: new Date(LATER.getTime() + 25 * 3_600_000) });
    expect(daily).toMatchObject({ full: true, calls: 1, invitations: 1, responses: 0 });
    expect(await collectionsHolding('late@example.fr')).toEqual([]);
    expect(await invitations().findOne({ agent: 'late.import' })).toMatchObject({ state: 'expired', customer: { email: null } });
  });

  it('later erases the recent customer too, and deletes outbox emails older than the retention', async () => {
    const muchLater = new Date(LATER.getTime() + 60 * DAY);
    await OutboxMessage.create({ from: 'Retour <surveys@example.com>', to: 'lead@example.com', subject: 'Digest', text: 'Last week', html: '<p>Last week</p>' });
    expect(await OutboxMessage.countDocuments()).toBe(2);
    expect(await runRetentionPass({ months: 24, now: muchLater })).toMatchObject({ calls: 1, invitations: 1, responses: 1, outbox: 2 });
    expect(await OutboxMessage.countDocuments()).toBe(0);
    expect(await collectionsHolding(RECENT.email)).toEqual([]);
    expect(await collectionsHolding(RECENT.words)).toEqual([]);
  });
});

describe('the retention job and its setting', () => {
  it('runs a pass when started and stops at once when asked', async () => {
    const job = runRetention({ retentionMonths: 24 }, logger, { pollMs: 60_000 });
    expect(await job.runOnce(LATER)).toMatchObject({ calls: 0, finished: true });
    expect(await job.stop(5_000)).toBe('stopped');
  });

  it('keeps 24 months by default and refuses what is not a whole number of months from 3 to 120', () => {
    expect(loadConfig({ DATA_DIR: makeTempDir() }).retentionMonths).toBe(24);
    expect(loadConfig({ DATA_DIR: makeTempDir(), RETENTION_MONTHS: '36' }).retentionMonths).toBe(36);
    for (const bad of ['1', '121', '2.5', 'forever']) {
      expect(() => loadConfig({ DATA_DIR: makeTempDir(), RETENTION_MONTHS: bad })).toThrow(/RETENTION_MONTHS must be a whole number of months from 3 to 120/);
    }
  });

  it('counts months on the calendar, keeping the day within shorter months', () => {
    expect(retentionCutoff(new Date('2028-03-31T10:00:00Z'), 1).toISOString()).toBe('2028-02-29T10:00:00.000Z');
    expect(retentionCutoff(new Date('2028-03-15T10:00:00Z'), 24).toISOString()).toBe('2026-03-15T10:00:00.000Z');
  });
});
