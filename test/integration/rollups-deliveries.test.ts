/**
 * The delivery counters through the real ingest API and dispatch worker (SMTP on
 * loopback): surveyed per call scheduled, on the call's local day at its site; callbacks
 * (same customer and queue within 7 days after), whichever call arrives first, inside one
 * batch, at the 7-day boundary, counted once under concurrent batches; invited once per
 * invitation whose first email went out; and a rebuild from the records gives the same.
 */
import { Types } from 'mongoose';
import { claimDue, createSettler } from '../../server/invitations/claims';
import { markAnswered } from '../../server/invitations';
import { createMailer, type Mailer } from '../../server/mail';
import {
  COARSE_LEVEL,
  DailyRollup,
  DELIVERY_COUNTERS,
  RESPONSE_COUNTERS,
  bucketId,
  coarseOf,
  isCoarse,
  rebuildIfNoCoarseLevel,
  rebuildRollups,
  type BucketKey,
  type Counters,
  type RollupRecord,
} from '../../server/rollups';
import { localDate } from '../../server/time/local-time';
import { testConfig } from '../helpers/app';
import { callsTestKit, makeCall } from '../helpers/calls';
import { useTestDatabase } from '../helpers/database';
import { PUBLIC_URL, logger, receivedBy, testWorker } from '../helpers/dispatch';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp-capture';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { api, queue, calls, invitations } = callsTestKit();

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Math.floor(Date.now() / SECOND) * SECOND;
const iso = (ms: number) => new Date(ms).toISOString();
const parisDay = (ms: number) => localDate(new Date(ms), 'Europe/Paris');

let smtp: SmtpCapture;
let mailer: Mailer;
let config: ReturnType<typeof testConfig>;

beforeAll(async () => {
  // Callbacks are easiest to see on a queue that surveys every call: no quarantine, links valid 30 days.
  await queue('callbacks', 'ABV', { quietHours: null, quarantineDays: 0, expiryDays: 30 });
  smtp = await startSmtpCapture();
  config = testConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'Retour <surveys@example.com>', PUBLIC_URL });
  mailer = createMailer(config, logger);
});
afterAll(async () => {
  await mailer.close();
  await smtp.stop();
});

async function post(...batch: Record<string, unknown>[]) {
  const res = await api.post({ calls: batch });
  expect(res.status).toBe(202);
  return (res.body.results as { outcome: string }[]).map((r) => r.outcome);
}

const COUNTERS = [...DELIVERY_COUNTERS, ...RESPONSE_COUNTERS];

/** A bucket's counters, those it never had (absent from the document) as the zero they are. */
function counters(doc: RollupRecord): Counters {
  return Object.fromEntries(COUNTERS.map((c) => [c, doc[c] ?? 0])) as Counters;
}

/** The counters of the ABV bucket of a queue, agent and day (reason `billing`, template `post-call`, as makeCall sends). */
async function bucket(queueCode: string, agent: string, day: string): Promise<Counters | null> {
  const doc = await DailyRollup.findOne({ day, site: 'ABV', queue: queueCode, agent, reason: 'billing', template: 'post-call' }).lean<RollupRecord>();
  return doc && counters(doc);
}

async function calledBack(externalId: unknown): Promise<boolean> {
  return (await calls().findOne({ externalId }))?.calledBack;
}

describe('surveyed', () => {
  it('counts each stored scheduled call once, in the bucket of its local day at the site', async () => {
    // 23:30 UTC is already the next day in Paris.
    const end = Date.UTC(new Date(NOW - 2 * DAY).getUTCFullYear(), new Date(NOW - 2 * DAY).getUTCMonth(), new Date(NOW - 2 * DAY).getUTCDate(), 23, 30);
    const batch = Array.from({ length: 4 }, () => makeCall({ agent: 'agent.surveyed', endedAt: iso(end) }));
    const repeated = { ...batch[0] };
    expect(await post(...batch, repeated, makeCall({ agent: 'agent.surveyed', queue: 'nowhere' }))).toEqual(['scheduled', 'scheduled', 'scheduled', 'scheduled', 'duplicate', 'invalid']);

    const day = parisDay(end);
    expect(day).not.toBe(iso(end).slice(0, 10));
    expect(await bucket('business-support', 'agent.surveyed', day)).toMatchObject({ surveyed: 4, callbacks: 0, invited: 0, responses: 0 });
    const stored = await calls().findOne({ externalId: batch[0]!.externalId });
    expect(stored).toMatchObject({ day, templateKey: 'post-call', calledBack: false });
    const invitation = await invitations().findOne({ callId: String(stored?._id) });
    expect(invitation).toMatchObject({ day, callEndedAt: new Date(end) });

    // Posted again: duplicates, counted nowhere.
    expect(await post(...batch)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect((await bucket('business-support', 'agent.surveyed', day))?.surveyed).toBe(4);
  });

  it('does not count calls that were not surveyed', async () => {
    await queue('sampled', 'ABV', { quietHours: null, samplingRate: 0 });
    expect(await post(makeCall({ queue: 'sampled', agent: 'agent.sampled', endedAt: iso(NOW - HOUR) }))).toEqual(['sampled_out']);
    expect(await DailyRollup.countDocuments({ queue: 'sampled' })).toBe(0);
  });
});

describe('callbacks', () => {
  it('makes a surveyed call a callback when its customer calls the queue again, even if that call is quarantined, and counts it once', async () => {
    const customer = { email: 'rappel@example.fr' };
    const first = makeCall({ agent: 'agent.cb', customer, endedAt: iso(NOW - 5 * DAY) });
    expect(await post(first)).toEqual(['scheduled']);
    expect(await post(makeCall({ agent: 'agent.cb2', customer, endedAt: iso(NOW - 2 * DAY) }))).toEqual(['quarantined']);
    expect(await calledBack(first.externalId)).toBe(true);
    expect(await bucket('business-support', 'agent.cb', parisDay(NOW - 5 * DAY))).toMatchObject({ surveyed: 1, callbacks: 1 });

    // A third call within the week changes nothing: the first is already a callback.
    expect(await post(makeCall({ agent: 'agent.cb2', customer, endedAt: iso(NOW - DAY) }))).toEqual(['quarantined']);
    expect((await bucket('business-support', 'agent.cb', parisDay(NOW - 5 * DAY)))?.callbacks).toBe(1);
  });

  it('counts a call ending exactly 7 days later, not one a second later, nor one at the same moment or on another queue', async () => {
    const T = NOW - 20 * DAY;
    const who = (name: string) => ({ email: `${name}@example.fr` });
    const firsts = {
      week: makeCall({ queue: 'callbacks', agent: 'agent.boundary', customer: who('week'), endedAt: iso(T) }),
      late: makeCall({ queue: 'callbacks', agent: 'agent.boundary', customer: who('late'), endedAt: iso(T) }),
      same: makeCall({ queue: 'callbacks', agent: 'agent.boundary', customer: who('same'), endedAt: iso(T) }),
      other: makeCall({ queue: 'callbacks', agent: 'agent.boundary', customer: who('other'), endedAt: iso(T) }),
    };
    expect(await post(...Object.values(firsts))).toEqual(['scheduled', 'scheduled', 'scheduled', 'scheduled']);
    await post(
      makeCall({ queue: 'callbacks', agent: 'agent.later', customer: who('week'), endedAt: iso(T + 7 * DAY) }),
      makeCall({ queue: 'callbacks', agent: 'agent.later', customer: who('late'), endedAt: iso(T + 7 * DAY + SECOND) }),
      makeCall({ queue: 'callbacks', agent: 'agent.later', customer: who('same'), endedAt: iso(T) }),
      makeCall({ queue: 'business-support', agent: 'agent.later', customer: who('other'), endedAt: iso(NOW - HOUR) }),
    );
    expect({
      week: await calledBack(firsts.week.externalId),
      late: await calledBack(firsts.late.externalId),
      same: await calledBack(firsts.same.externalId),
      other: await calledBack(firsts.other.externalId),
    }).toEqual({ week: true, late: false, same: false, other: false });
    expect(await bucket('callbacks', 'agent.boundary', parisDay(T))).toMatchObject({ surveyed: 4, callbacks: 1 });
  });

  it('makes a new call a callback at once when the later call arrived first', async () => {
    const T = NOW - 15 * DAY;
    const customer = { email: 'desordre@example.fr' };
    const later = makeCall({ queue: 'callbacks', agent: 'agent.order', customer, endedAt: iso(T + 2 * DAY) });
    const earlier = makeCall({ queue: 'callbacks', agent: 'agent.order', customer, endedAt: iso(T) });
    expect(await post(later)).toEqual(['scheduled']);
    expect(await post(earlier)).toEqual(['scheduled']);
    expect(await calledBack(earlier.externalId)).toBe(true);
    expect(await calledBack(later.externalId)).toBe(false);
    expect(await bucket('callbacks', 'agent.order', parisDay(T))).toMatchObject({ surveyed: 1, callbacks: 1 });
    expect(await bucket('callbacks', 'agent.order', parisDay(T + 2 * DAY))).toMatchObject({ surveyed: 1, callbacks: 0 });
  });

  it('finds a callback between two calls of one batch', async () => {
    // 09:00 UTC, twelve days ago: the call an hour later is on the same day in Paris whenever the test runs.
    const T = Math.floor((NOW - 12 * DAY) / DAY) * DAY + 9 * HOUR;
    const customer = { email: 'lot@example.fr' };
    const first = makeCall({ queue: 'callbacks', agent: 'agent.batch', customer, endedAt: iso(T) });
    const again = makeCall({ queue: 'callbacks', agent: 'agent.batch', customer, endedAt: iso(T + HOUR) });
    expect(await post(again, first)).toEqual(['scheduled', 'scheduled']);
    expect(await calledBack(first.externalId)).toBe(true);
    expect(await calledBack(again.externalId)).toBe(false);
    expect(await bucket('callbacks', 'agent.batch', parisDay(T))).toMatchObject({ surveyed: 2, callbacks: 1 });
  });

  it('counts a callback once when two batches reveal it at the same time', async () => {
    const T = NOW - 10 * DAY;
    const customer = { email: 'concurrent@example.fr' };
    const first = makeCall({ queue: 'callbacks', agent: 'agent.race', customer, endedAt: iso(T) });
    await post(first);
    await Promise.all([
      post(makeCall({ queue: 'callbacks', agent: 'agent.race2', customer, endedAt: iso(T + DAY) })),
      post(makeCall({ queue: 'callbacks', agent: 'agent.race2', customer, endedAt: iso(T + 2 * DAY) })),
    ]);
    expect(await calledBack(first.externalId)).toBe(true);
    expect((await bucket('callbacks', 'agent.race', parisDay(T)))?.callbacks).toBe(1);
  });

  it('finds the callback between two calls posted at the same time in different requests', async () => {
    const T = NOW - 9 * DAY;
    const customer = { email: 'simultane@example.fr' };
    const first = makeCall({ queue: 'callbacks', agent: 'agent.together', customer, endedAt: iso(T) });
    const again = makeCall({ queue: 'callbacks', agent: 'agent.together', customer, endedAt: iso(T + 3 * DAY) });
    // Neither request's lookup, made before storing, can see the other's call: the overlap is noticed and looked at again.
    expect(await Promise.all([post(first), post(again)])).toEqual([['scheduled'], ['scheduled']]);
    expect(await calledBack(first.externalId)).toBe(true);
    expect(await bucket('callbacks', 'agent.together', parisDay(T))).toMatchObject({ surveyed: 1, callbacks: 1 });
  });
});

describe('invited', () => {
  it('counts each invitation once when its first email goes out, not its reminder nor a refused address', async () => {
    const end = NOW - HOUR;
    const batch = ['un', 'deux', 'refus'].map((name) => makeCall({ agent: 'agent.invited', customer: { email: `${name}.invite@example.fr` }, endedAt: iso(end) }));
    smtp.rejectRcpt.set('refus.invite@example.fr', 550);
    expect(await post(...batch)).toEqual(['scheduled', 'scheduled', 'scheduled']);
    const worker = testWorker(mailer, config);
    await worker.runOnce(new Date(NOW + HOUR));
    expect(receivedBy(smtp, 'un.invite@example.fr')).toHaveLength(1);
    expect(await bucket('business-support', 'agent.invited', parisDay(end))).toMatchObject({ surveyed: 3, invited: 2 });

    // The reminders (3 days later) and later polls add nothing.
    await worker.runOnce(new Date(NOW + 4 * DAY));
    expect(receivedBy(smtp, 'un.invite@example.fr')).toHaveLength(2);
    await worker.runOnce(new Date(NOW + 4 * DAY + HOUR));
    expect((await bucket('business-support', 'agent.invited', parisDay(end)))?.invited).toBe(2);
  });

  it('counts only the sends whose outcome was written when others in the burst were refused', async () => {
    const end = NOW - 2 * HOUR;
    const answered = makeCall({ agent: 'agent.burst', customer: { email: 'answered.burst@example.fr' }, endedAt: iso(end) });
    const sent = makeCall({ agent: 'agent.burst', customer: { email: 'sent.burst@example.fr' }, endedAt: iso(end) });
    await post(answered, sent);
    const at = new Date(NOW + 2 * HOUR);
    const settler = createSettler(() => undefined);
    const claims = [await claimDue('invitation', 'worker-a', at, 60_000), await claimDue('invitation', 'worker-a', at, 60_000)];
    const ours = claims.filter((c): c is NonNullable<typeof c> => c !== null);
    const answeredId = String((await invitations().findOne({ externalId: answered.externalId }))?._id);
    const sentId = String((await invitations().findOne({ externalId: sent.externalId }))?._id);
    expect(ours.map((c) => String(c.doc._id)).sort()).toEqual([answeredId, sentId].sort());
    // The customer answers with the first token while the email is on its way: that outcome is refused.
    await markAnswered(answeredId);
    for (const claimed of ours) settler.record(claimed, { set: { state: 'sent', sentAt: at, nextAttemptAt: null } }, true);
    await settler.flush();
    expect((await invitations().findOne({ _id: new Types.ObjectId(answeredId) }))?.state).toBe('answered');
    expect(await bucket('business-support', 'agent.burst', parisDay(end))).toMatchObject({ surveyed: 2, invited: 1 });
  });
});

describe('rebuilding from the records', () => {
  async function table() {
    const rows = await DailyRollup.find({}).lean<(RollupRecord & BucketKey)[]>();
    const entries = rows.map((doc) => [bucketId(doc), counters(doc)] as const);
    return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
  }

  it('gives the counters kept as calls and emails came, from scratch and over damaged buckets', async () => {
    const incremental = await table();
    expect(Object.keys(incremental).length).toBeGreaterThan(8);

    await DailyRollup.deleteMany({});
    expect(await rebuildRollups()).toEqual({ buckets: Object.keys(incremental).length });
    expect(await table()).toEqual(incremental);

    // A bucket with nothing behind it goes away; a wrong counter is set right.
    await DailyRollup.collection.insertOne({ day: '2001-01-01', site: 'ABV', queue: 'gone', agent: '', reason: '', template: 'post-call', surveyed: 3, responses: 2 });
    await DailyRollup.updateOne({ agent: 'agent.invited' }, { $inc: { invited: 5, callbacks: 1, csatN: 2 } });
    await rebuildRollups();
    expect(await table()).toEqual(incremental);
  });

  it('keeps each coarse bucket equal to the sum of its detailed ones, and adds the level once to a database without it', async () => {
    const incremental = await table();
    const rows = await DailyRollup.find({}).lean<(RollupRecord & BucketKey)[]>();
    const summed = new Map<string, Counters>();
    for (const doc of rows.filter((d) => !isCoarse(d))) {
      const sum = summed.get(bucketId(coarseOf(doc))) ?? (Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counters);
      for (const c of COUNTERS) sum[c] += counters(doc)[c];
      summed.set(bucketId(coarseOf(doc)), sum);
    }
    const coarse = rows.filter((d) => isCoarse(d));
    expect(coarse.length).toBeGreaterThan(1);
    expect(coarse.every((d) => d.level === COARSE_LEVEL)).toBe(true);
    expect(Object.fromEntries(coarse.map((d) => [bucketId(d), counters(d)]))).toEqual(Object.fromEntries(summed));

    expect(await rebuildIfNoCoarseLevel()).toBe(false);
    await DailyRollup.deleteMany({ level: COARSE_LEVEL });
    expect(await rebuildIfNoCoarseLevel()).toBe(true);
    expect(await table()).toEqual(incremental);
  });
});
