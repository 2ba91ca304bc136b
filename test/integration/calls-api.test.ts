/**
 * POST /api/v1/calls and GET /api/v1/calls/:externalId against the embedded engine:
 * idempotency on externalId, batch outcomes in input order (a batch keeps its valid
 * calls), limits, and the decisions as stored with their invitations.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { ingestCalls } from '../../server/calls';
import { relocateQueue } from '../../server/queues';
import { suppressAddress } from '../../server/suppressions';
import { callsTestKit, makeCall } from '../helpers/calls';
import { useTestDatabase } from '../helpers/database';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app, api, queue, calls, invitations } = callsTestKit();
const outcomes = (res: request.Response) => (res.body.results as { outcome: string }[]).map((r) => r.outcome);

describe('who may post calls', () => {
  it('answers 401 without a valid API key and stores nothing', async () => {
    const call = makeCall();
    const res = await request(app).post('/api/v1/calls').set('Authorization', 'Bearer nope').send(call);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect(await calls().countDocuments({ externalId: call.externalId })).toBe(0);
  });
});

describe('posting one call', () => {
  it('answers 202 with its outcome, stores the call with its decision and schedules the invitation', async () => {
    const call = makeCall({ endedAt: new Date(Date.now() - 60_000).toISOString() });
    const res = await api.post(call);
    expect(res.status).toBe(202);
    expect(res.body.results).toHaveLength(1);
    const [result] = res.body.results;
    expect(result).toMatchObject({ externalId: call.externalId, outcome: 'scheduled' });
    expect(result.reason).toMatch(/^scheduled: sent at \d{4}-\d{2}-\d{2} \d{2}:\d{2} Europe\/Paris$/);
    const stored = await calls().findOne({ externalId: call.externalId });
    expect(stored).toMatchObject({ site: 'ABV', queue: 'business-support', agent: 'a.martin', durationSec: 312, decision: { outcome: 'scheduled' } });
    expect(stored?.customerHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.decision.sendAt.toISOString()).toBe(result.sendAt);
    const invitation = await invitations().findOne({ callId: String(stored?._id) });
    expect(invitation).toMatchObject({ externalId: call.externalId, site: 'ABV', templateKey: 'post-call', customer: { email: (call.customer as { email: string }).email, locale: 'fr' } });
    expect(invitation?.sendAt.toISOString()).toBe(result.sendAt);
    expect(invitation?.expiresAt.getTime() - invitation?.sendAt.getTime()).toBeGreaterThanOrEqual(7 * 86_400_000 - 3_600_000);
    expect(invitation?.reminderAt).not.toBeNull();
  });

  it('answers duplicate for a repeat and changes nothing', async () => {
    const call = makeCall();
    await api.post(call);
    const before = await calls().findOne({ externalId: call.externalId });
    const invitationsBefore = await invitations().countDocuments();
    const res = await api.post({ ...call, agent: 'someone.else', customer: { email: 'other@example.fr' } });
    expect(res.status).toBe(202);
    expect(res.body.results).toEqual([{ externalId: call.externalId, outcome: 'duplicate', reason: 'already received' }]);
    expect(await calls().findOne({ externalId: call.externalId })).toEqual(before);
    expect(await invitations().countDocuments()).toBe(invitationsBefore);
  });

  it('uses the site’s language when the call gives none', async () => {
    const call = makeCall({ customer: { locale: undefined } });
    await api.post(call);
    expect((await calls().findOne({ externalId: call.externalId }))?.customer.locale).toBe('fr');
  });
});

describe('posting a batch', () => {
  it('keeps the valid calls of a batch and names what is wrong with each other one, in input order', async () => {
    const good = makeCall();
    const batch = [
      good,
      makeCall({ customer: { email: 'not-an-email' } }),
      makeCall({ queue: 'no-such-queue' }),
      makeCall({ site: 'ZZZ' }),
      { ...makeCall(), externalId: undefined },
      makeCall({ endedAt: '2026-11-20T14:03:00' }),
      makeCall({ endedAt: new Date(Date.now() + 86_400_000).toISOString() }),
      good,
    ];
    const res = await api.post({ calls: batch });
    expect(res.status).toBe(202);
    expect(res.body.results).toEqual([
      expect.objectContaining({ externalId: good.externalId, outcome: 'scheduled' }),
      { externalId: batch[1]?.externalId, outcome: 'invalid', reason: 'customer.email must be a valid email' },
      { externalId: batch[2]?.externalId, outcome: 'invalid', reason: 'queue no-such-queue is unknown' },
      { externalId: batch[3]?.externalId, outcome: 'invalid', reason: 'site ZZZ is unknown' },
      { externalId: '', outcome: 'invalid', reason: 'externalId is required' },
      { externalId: batch[5]?.externalId, outcome: 'invalid', reason: 'endedAt must be an ISO 8601 date and time with a time zone, such as 2026-11-20T14:03:00Z' },
      { externalId: batch[6]?.externalId, outcome: 'invalid', reason: 'endedAt must not be in the future' },
      { externalId: good.externalId, outcome: 'duplicate', reason: 'repeated in this batch' },
    ]);
    const ids = batch.map((c) => c.externalId).filter(Boolean);
    expect(await calls().countDocuments({ externalId: { $in: ids } })).toBe(1);
  });

  it('accepts 1,000 calls and refuses 1,001 with 413, storing none of them', async () => {
    const many = Array.from({ length: 1001 }, () => makeCall());
    const refused = await api.post({ calls: many });
    expect(refused.status).toBe(413);
    expect(refused.body.error.message).toBe('A batch holds at most 1000 calls (got 1001); send the rest in another request.');
    expect(await calls().countDocuments({ externalId: { $in: many.map((c) => c.externalId) } })).toBe(0);

    const accepted = await api.post({ calls: many.slice(0, 1000) });
    expect(accepted.status).toBe(202);
    expect(accepted.body.results).toHaveLength(1000);
    expect(new Set(outcomes(accepted))).toEqual(new Set(['scheduled']));
    expect(await invitations().countDocuments({ externalId: { $in: many.map((c) => c.externalId) } })).toBe(1000);
  });

  it('answers 400 for an empty batch or a body that is not a call', async () => {
    const empty = await api.post({ calls: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toBe('calls must be an array of 1 to 1000 calls.');
    const list = await api.post([makeCall()]);
    expect(list.status).toBe(400);
    expect(list.body.error.code).toBe('CALLS_BODY');
  });

  it('decides a large batch in input order across the parts it is stored in', async () => {
    await queue('parts-team', 'ABV', { samplingRate: 0, minPerAgentPerWeek: 2, quietHours: null });
    const batch = Array.from({ length: 600 }, () => makeCall());
    batch[3] = makeCall({ customer: { email: 'across.parts@example.fr' } });
    batch[550] = makeCall({ customer: { email: ' Across.Parts@Example.fr' } });
    batch[400] = makeCall({ externalId: batch[10]?.externalId });
    for (const i of [5, 300, 590]) batch[i] = makeCall({ queue: 'parts-team', agent: 'parts.agent' });
    const surveyedBefore = await surveyedCount();

    const res = await api.post({ calls: batch });
    const out = outcomes(res);
    expect([out[3], out[550]]).toEqual(['scheduled', 'quarantined']);
    expect(res.body.results[400]).toEqual({ externalId: batch[10]?.externalId, outcome: 'duplicate', reason: 'repeated in this batch' });
    expect([out[5], out[300], out[590]]).toEqual(['scheduled', 'scheduled', 'sampled_out']);
    expect(out.filter((o) => o === 'scheduled')).toHaveLength(597);
    const ids = batch.map((c) => c.externalId);
    expect(await calls().countDocuments({ externalId: { $in: ids } })).toBe(599);
    expect(await invitations().countDocuments({ externalId: { $in: ids } })).toBe(597);
    expect((await surveyedCount()) - surveyedBefore).toBe(597);
  });

  it('stores each call once when the same batch arrives twice at the same moment', async () => {
    const batch = Array.from({ length: 40 }, () => makeCall());
    const source = { type: 'api' as const, id: 'race' };
    const surveyedBefore = await surveyedCount();
    const [a, b] = await Promise.all([ingestCalls(batch, source), ingestCalls(batch, source)]);
    const all = [...a, ...b].map((r) => r.outcome);
    expect(all.filter((o) => o === 'scheduled')).toHaveLength(40);
    expect(all.filter((o) => o === 'duplicate')).toHaveLength(40);
    const ids = batch.map((c) => c.externalId);
    expect(await calls().countDocuments({ externalId: { $in: ids } })).toBe(40);
    expect(await invitations().countDocuments({ externalId: { $in: ids } })).toBe(40);
    // Both requests counted their calls while storing them; the one refused took its counts back.
    expect((await surveyedCount()) - surveyedBefore).toBe(40);
  });
});

/** `surveyed` summed over the detailed rollup buckets. */
async function surveyedCount(): Promise<number> {
  const [sum] = await mongoose.connection.collection('rollups').aggregate([{ $match: { level: null } }, { $group: { _id: null, n: { $sum: '$surveyed' } } }]).toArray();
  return (sum?.n as number | undefined) ?? 0;
}

describe('decisions through the API', () => {
  it('suppresses an unsubscribed address and creates no invitation', async () => {
    await suppressAddress('Gone@Example.fr', 'unsubscribed', 'test');
    const call = makeCall({ customer: { email: 'gone@example.fr' } });
    const res = await api.post(call);
    expect(res.body.results[0]).toEqual({ externalId: call.externalId, outcome: 'suppressed', reason: 'suppressed: unsubscribed' });
    expect((await calls().findOne({ externalId: call.externalId }))?.decision).toMatchObject({ outcome: 'suppressed', suppression: 'unsubscribed' });
    expect(await invitations().countDocuments({ externalId: call.externalId })).toBe(0);
  });

  it('quarantines the second call of a customer, in the same batch or a later one', async () => {
    const customer = { email: 'twice@example.fr' };
    const res = await api.post({ calls: [makeCall({ customer }), makeCall({ customer: { email: 'TWICE@example.fr ' } })] });
    expect(outcomes(res)).toEqual(['scheduled', 'quarantined']);
    const later = await api.post(makeCall({ customer }));
    expect(later.body.results[0].outcome).toBe('quarantined');
    expect(later.body.results[0].reason).toMatch(/^quarantined until \d{4}-\d{2}-\d{2} \(surveyed on \d{4}-\d{2}-\d{2}\)$/);
  });

  it('records sampled-out calls without an invitation', async () => {
    await queue('rare', 'ABV', { samplingRate: 0, quietHours: null });
    const call = makeCall({ queue: 'rare' });
    const res = await api.post(call);
    expect(res.body.results[0]).toEqual({ externalId: call.externalId, outcome: 'sampled_out', reason: 'sampled out (sampling rate 0%)' });
    expect(await calls().countDocuments({ externalId: call.externalId, 'decision.outcome': 'sampled_out' })).toBe(1);
    expect(await invitations().countDocuments({ externalId: call.externalId })).toBe(0);
  });

  it('takes an agent’s calls despite sampling until the weekly minimum, counting across requests', async () => {
    await queue('small-team', 'ABV', { samplingRate: 0, minPerAgentPerWeek: 2, quietHours: null });
    const one = await api.post({ calls: [makeCall({ queue: 'small-team', agent: 'new.agent' })] });
    const two = await api.post({ calls: [makeCall({ queue: 'small-team', agent: 'new.agent' }), makeCall({ queue: 'small-team', agent: 'new.agent' })] });
    expect([...outcomes(one), ...outcomes(two)]).toEqual(['scheduled', 'scheduled', 'sampled_out']);
    expect(two.body.results[0].reason).toContain('balanced sampling: new.agent had 1 of 2 this week');
  });

  it('moves an evening call to the next morning in the site’s time zone', async () => {
    await queue('business-support', 'ABV', { quietHours: { start: '20:00', end: '09:00' } });
    const [evening] = await ingestCalls([makeCall({ endedAt: '2026-11-20T20:00:00Z' })], { type: 'api', id: 'test' }, { now: new Date('2026-11-20T20:01:00Z') });
    await queue('business-support', 'ABV', { quietHours: null });
    expect(evening).toMatchObject({ outcome: 'scheduled', sendAt: '2026-11-21T08:00:00.000Z', reason: 'outside hours → sent at 2026-11-21 09:00 Europe/Paris' });
    expect((await invitations().findOne({ externalId: evening?.externalId }))?.sendAt.toISOString()).toBe('2026-11-21T08:00:00.000Z');
  });

  it('tags a call with the site that had its queue when it ended, unless the call names one', async () => {
    await queue('moving', 'CAS', { quietHours: null });
    const moveAt = new Date(Date.now() - 3 * 3_600_000);
    await relocateQueue('moving', 'ABV', moveAt, { type: 'system' });
    const before = makeCall({ queue: 'moving', endedAt: new Date(moveAt.getTime() - 3_600_000).toISOString() });
    const after = makeCall({ queue: 'moving', endedAt: new Date(moveAt.getTime() + 3_600_000).toISOString() });
    const named = makeCall({ queue: 'moving', site: 'cas', endedAt: new Date(moveAt.getTime() + 3_600_000).toISOString() });
    await api.post({ calls: [before, after, named] });
    const siteOf = async (c: Record<string, unknown>) => (await calls().findOne({ externalId: c.externalId }))?.site;
    expect([await siteOf(before), await siteOf(after), await siteOf(named)]).toEqual(['CAS', 'ABV', 'CAS']);
  });
});

describe('reading a call', () => {
  it('returns the call and its decision', async () => {
    const call = makeCall();
    const posted = await api.post(call);
    const res = await api.get(`/api/v1/calls/${encodeURIComponent(String(call.externalId))}`);
    expect(res.status).toBe(200);
    expect(res.body.call).toMatchObject({
      externalId: call.externalId,
      site: 'ABV',
      queue: 'business-support',
      decision: { outcome: 'scheduled', reason: posted.body.results[0].reason, sendAt: posted.body.results[0].sendAt },
    });
  });

  it('answers 404 for an unknown call', async () => {
    const res = await api.get('/api/v1/calls/never-posted');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('CALL_NOT_FOUND');
  });
});
