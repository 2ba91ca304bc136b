/**
 * The demo at half size in a fresh embedded database (demo-start.test.ts loads the full
 * one through the real process): what it holds (sites, queues and
 * their relocation, agents, six months of calls, answers, callbacks, comments, partial
 * answers, suppressions, open invitations), rollups that agree with it, the demo logins,
 * and a second load that changes nothing.
 */
import request from 'supertest';
import { AuditEntry } from '../../server/audit/model';
import { User } from '../../server/auth/user-model';
import { CallModel } from '../../server/calls/model';
import { DEMO_LOGINS, loadDemo, type DemoLoadResult } from '../../server/demo';
import { monthsBefore } from '../../server/demo/plan';
import { Invitation } from '../../server/invitations/model';
import { listQueues, relocations } from '../../server/queues';
import { ResponseModel } from '../../server/responses';
import { COARSE, DailyRollup } from '../../server/rollups';
import { listSites } from '../../server/sites';
import { Suppression } from '../../server/suppressions/model';
import { zonedParts } from '../../server/time/local-time';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { csrfFrom } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const NOW = new Date('2026-03-10T14:20:00Z');
const MOVE = monthsBefore(NOW, 4);
/** Half the full demo's 30,000 calls. */
const SIZE = 0.5;
let first: DemoLoadResult;

beforeAll(async () => {
  first = await loadDemo({ size: SIZE, now: NOW });
}, 120_000);

type Answer = { site: string; queue: string; callEndedAt: Date; gotInformation: boolean | null; callId: string };
const infoRate = (rows: Answer[]) => rows.filter((r) => r.gotInformation === true).length / rows.length;

describe('the demo loaded into an empty database', () => {
  it('has Casablanca, Abbeville and Dreux', async () => {
    const sites = await listSites();
    expect(sites.map((s) => [s.code, s.name, s.timezone, s.locale])).toEqual([
      ['ABV', 'Abbeville', 'Europe/Paris', 'fr'],
      ['CAS', 'Casablanca', 'Africa/Casablanca', 'fr'],
      ['DRX', 'Dreux', 'Europe/Paris', 'fr'],
    ]);
  });

  it('relocated business support from CAS to ABV four months ago, and residential support to Dreux when it opened', async () => {
    const moves = await relocations({}, NOW);
    expect(moves.map((m) => [m.queue, m.fromSite, m.toSite, m.at.toISOString(), m.scheduled])).toEqual([
      ['business-support', 'CAS', 'ABV', MOVE.toISOString(), false],
      ['residential-support', 'ABV', 'DRX', monthsBefore(NOW, 3).toISOString(), false],
    ]);
    expect(await AuditEntry.countDocuments({ action: 'queue.relocate' })).toBe(2);
  });

  it('starts and moves every queue at midnight where it goes, as the relocation form does', async () => {
    const zones = new Map((await listSites()).map((s) => [s.code, s.timezone]));
    const starts = (await listQueues(NOW)).flatMap((q) => q.assignments.map((a) => [q.code, a.site, zonedParts(a.from, zones.get(a.site) ?? 'UTC').time]));
    expect(starts.length).toBe(5);
    for (const [queue, site, time] of starts) expect({ queue, site, time }).toEqual({ queue, site, time: '00:00' });
  });

  it('has about 30,000 calls at full size (15,000 at half) by 25 agents over six months ending at the load time', async () => {
    expect(first.counts).toMatchObject({ sites: 3, queues: 3, agents: 25 });
    const calls = await CallModel.countDocuments();
    expect(calls).toBe(first.counts?.calls);
    expect(calls).toBeGreaterThan(27_000 * SIZE);
    expect(calls).toBeLessThan(33_000 * SIZE);
    expect((await CallModel.distinct('agent')).sort()).toHaveLength(25);
    expect((await CallModel.distinct('queue')).sort()).toEqual(['billing', 'business-support', 'residential-support']);
    expect(await CallModel.distinct('reason')).toEqual(expect.arrayContaining(['billing', 'contract', 'outage', 'moving', 'cancellation']));
    const [oldest] = await CallModel.find().sort({ endedAt: 1 }).limit(1).lean();
    const [newest] = await CallModel.find().sort({ endedAt: -1 }).limit(1).lean();
    expect(oldest!.endedAt.getTime()).toBeGreaterThanOrEqual(monthsBefore(NOW, 6).getTime());
    expect(newest!.endedAt.getTime()).toBeLessThanOrEqual(NOW.getTime());
    expect(NOW.getTime() - newest!.endedAt.getTime()).toBeLessThan(86_400_000);
    // Calls are credited to the site that had the queue then.
    expect(await CallModel.countDocuments({ queue: 'business-support', site: 'CAS', endedAt: { $gte: MOVE } })).toBe(0);
    expect(await CallModel.countDocuments({ queue: 'business-support', site: 'ABV', endedAt: { $lt: MOVE } })).toBe(0);
  });

  it('decides surveys by the real rules: scheduled, sampled out, quarantined call backs, suppressed', async () => {
    const outcomes = await CallModel.distinct('decision.outcome');
    expect(outcomes.sort()).toEqual(['quarantined', 'sampled_out', 'scheduled', 'suppressed']);
    expect(await Invitation.countDocuments()).toBe(await CallModel.countDocuments({ 'decision.outcome': 'scheduled' }));
  });

  it('has a response rate between 25 and 35 %, with partial one-click answers among them', async () => {
    const sent = await Invitation.countDocuments({ sentAt: { $ne: null } });
    const responses = await ResponseModel.countDocuments();
    expect(responses / sent).toBeGreaterThanOrEqual(0.25);
    expect(responses / sent).toBeLessThanOrEqual(0.35);
    const partial = await ResponseModel.find({ complete: false }).lean();
    expect(partial.length).toBeGreaterThan(50);
    for (const r of partial.slice(0, 50)) {
      expect(Object.keys(r.answers as object)).toEqual(['info']);
      expect(r).toMatchObject({ channel: 'email-click', csat: null, submittedAt: null, rollupPending: false });
    }
  });

  it('shows a lower information rate at Casablanca before the move than at Abbeville after it', async () => {
    const rows = await ResponseModel.find({ queue: 'business-support' }, { site: 1, queue: 1, callEndedAt: 1, gotInformation: 1, callId: 1 }).lean<Answer[]>();
    const before = rows.filter((r) => r.site === 'CAS' && r.callEndedAt < MOVE);
    const after = rows.filter((r) => r.site === 'ABV' && r.callEndedAt >= MOVE);
    expect(before.length).toBeGreaterThan(150);
    expect(after.length).toBeGreaterThan(150);
    expect(infoRate(after) - infoRate(before)).toBeGreaterThan(0.1);
    const allSites = await ResponseModel.find({}, { site: 1, callEndedAt: 1, gotInformation: 1 }).lean<Answer[]>();
    expect(infoRate(allSites.filter((r) => r.site === 'CAS' && r.callEndedAt < MOVE))).toBeLessThan(
      infoRate(allSites.filter((r) => r.site === 'ABV' && r.callEndedAt >= MOVE)),
    );
  });

  it('has customers who did not get the information call back more within 7 days', async () => {
    const answers = await ResponseModel.find({ gotInformation: { $ne: null } }, { gotInformation: 1, callId: 1 }).lean<Answer[]>();
    const calledBack = new Set(
      (await CallModel.find({ calledBack: true }, { _id: 1 }).lean()).map((c) => String(c._id)),
    );
    const rate = (info: boolean) => {
      const rows = answers.filter((a) => a.gotInformation === info);
      return rows.filter((a) => calledBack.has(a.callId)).length / rows.length;
    };
    expect(rate(false)).toBeGreaterThan(2 * rate(true));
    // The call backs are there as calls: same customer, same queue, within 7 days.
    const sample = await CallModel.findOne({ calledBack: true }).lean();
    const next = await CallModel.findOne({
      customerHash: sample!.customerHash,
      queue: sample!.queue,
      endedAt: { $gt: sample!.endedAt, $lte: new Date(sample!.endedAt.getTime() + 7 * 86_400_000) },
    }).lean();
    expect(next).not.toBeNull();
  });

  it('has mostly French comments that read like customers, some English, and CSAT that follows the information answer', async () => {
    const texts = await ResponseModel.find({ text: { $ne: null } }, { text: 1, locale: 1 }).lean();
    expect(texts.length).toBeGreaterThan(300);
    const english = texts.filter((t) => t.locale === 'en');
    expect(english.length).toBeGreaterThan(10);
    expect(english.length / texts.length).toBeLessThan(0.15);
    expect(new Set(texts.map((t) => t.text)).size).toBeGreaterThan(150);
    expect(texts.some((t) => /délai de résiliation/.test(t.text as string))).toBe(true);
    const mean = async (info: boolean) => {
      const rows = await ResponseModel.find({ gotInformation: info, csat: { $ne: null } }, { csat: 1 }).lean();
      return rows.reduce((s, r) => s + (r.csat as number), 0) / rows.length;
    };
    expect((await mean(true)) - (await mean(false))).toBeGreaterThan(1.2);
  });

  it('has a few unsubscribes and bounces, invitations still open, and some still to be sent', async () => {
    expect((await Suppression.distinct('reason')).sort()).toEqual(['bounced', 'unsubscribed']);
    expect(await Suppression.countDocuments()).toBeLessThan(200);
    expect(await Invitation.countDocuments({ state: { $in: ['sent', 'opened'] }, expiresAt: { $gt: NOW } })).toBeGreaterThan(25);
    expect(await Invitation.countDocuments({ state: 'failed' })).toBeGreaterThan(0);
    // Emails the dispatch worker sends once the app runs (the outbox fills at start).
    const due = await Invitation.find({ state: 'scheduled' }).lean();
    expect(due.length).toBeGreaterThan(0);
    for (const inv of due) expect(inv.nextAttemptAt).toEqual(inv.sendAt);
    expect(await Invitation.countDocuments({ reminderAt: { $ne: null, $lte: NOW } })).toBe(0);
  });

  it('has rollups that count exactly the calls, invitations and responses', async () => {
    // Both levels: the detailed buckets and the coarse ones each count everything once.
    const sums = await DailyRollup.aggregate<Record<string, number>>([
      { $group: { _id: { $eq: ['$agent', COARSE] }, surveyed: { $sum: '$surveyed' }, invited: { $sum: '$invited' }, responses: { $sum: '$responses' }, infoNo: { $sum: '$infoNo' }, callbacks: { $sum: '$callbacks' } } },
    ]);
    expect(sums).toHaveLength(2);
    const [sum, other] = sums.map(({ _id: _level, ...counters }) => counters);
    expect(other).toEqual(sum);
    expect(sum).toMatchObject({
      surveyed: await Invitation.countDocuments(),
      invited: await Invitation.countDocuments({ sentAt: { $ne: null } }),
      responses: await ResponseModel.countDocuments(),
      infoNo: await ResponseModel.countDocuments({ gotInformation: false }),
      callbacks: await CallModel.countDocuments({ 'decision.outcome': 'scheduled', calledBack: true }),
    });
    expect(await ResponseModel.countDocuments({ rollupPending: true })).toBe(0);
  });

  it('lets the demo admin and the demo quality lead sign in and land on the overview report', async () => {
    const { app } = createTestApp();
    for (const login of DEMO_LOGINS) {
      const agent = request.agent(app);
      const page = await agent.get('/login');
      const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), email: login.email, password: login.password });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/reports');
    }
    const quality = await User.findOne({ email: DEMO_LOGINS[1]!.email }).lean();
    expect(quality).toMatchObject({ role: 'quality', sites: ['ABV', 'DRX'] });
    expect(await ResponseModel.countDocuments({ 'handled.by': String(quality!._id), site: { $in: ['ABV', 'DRX'] } })).toBeGreaterThan(0);
  });

  it('changes nothing when loaded again, and says so', async () => {
    const count = () =>
      Promise.all([CallModel, Invitation, ResponseModel, Suppression, DailyRollup, User, AuditEntry].map((m) => (m as typeof CallModel).countDocuments()));
    const before = await count();
    const again = await loadDemo({ size: SIZE, now: new Date() });
    expect(again).toMatchObject({ changed: false, state: 'loaded', counts: first.counts });
    expect(again.loadedAt).toEqual(first.loadedAt);
    expect(await count()).toEqual(before);
  });
});
