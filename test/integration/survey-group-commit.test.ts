/**
 * Submits that arrive together share their writes (the rollup counts, the cleared pending
 * flags, the invitations marked answered) and each still answers only once its own are
 * done: after a burst of concurrent submits of different links, and double submits of a
 * few, the rollups equal a rebuild from the records and nothing is left pending.
 */
import request from 'supertest';
import { countsSettled, markCountedMany, saveAnswers, type SaveAnswersInput } from '../../server/responses';
import { getPublished } from '../../server/templates';
import { DailyRollup, RESPONSE_COUNTERS, bucketId, rebuildRollups, type BucketKey, type RollupRecord } from '../../server/rollups';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { FULL_JSON, invitations, responses, seedSurveyWorld, surveyLink } from '../helpers/survey';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);
beforeAll(seedSurveyWorld);

const { app } = createTestApp();
const json = (token: string, body: object) => request(app).post(`/s/${token}`).set('Accept', 'application/json').send(body);

/** The response counters of every bucket that has responses, by bucket. */
async function responseTable(): Promise<Record<string, Record<string, number>>> {
  const rows = await DailyRollup.find({ responses: { $gt: 0 } }).lean<(RollupRecord & BucketKey)[]>();
  const entries = rows.map((doc) => [bucketId(doc), Object.fromEntries(RESPONSE_COUNTERS.map((c) => [c, Number(doc[c] ?? 0)]))] as const);
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

describe('concurrent submits', () => {
  it('count 50 different links and a few double submits exactly as a rebuild does', async () => {
    // Five agents: several submits of one bucket meet in one write.
    const links = await Promise.all(Array.from({ length: 50 }, (_, i) => surveyLink({ agent: `agent.burst.${i % 5}`, reason: 'billing' })));
    const doubled = await Promise.all(Array.from({ length: 4 }, () => surveyLink({ agent: 'agent.burst.twice', reason: 'billing' })));
    const answers = (i: number) => ({ ...FULL_JSON, info: i % 3 ? 'yes' : 'no', csat: 1 + (i % 5), nps: i % 11, comment: i % 4 ? '' : `Merci ${i}` });

    const submits = [
      ...links.map(({ token }, i) => json(token, { answers: answers(i) })),
      ...doubled.flatMap(({ token }, i) => [json(token, { answers: answers(i) }), json(token, { answers: answers(i + 1) })]),
      json(doubled[0]!.token, { answers: { csat: 2 }, partial: true }),
    ];
    const answered = await Promise.all(submits);
    expect(answered.map((r) => r.status)).toEqual(submits.map(() => 200));

    expect(await responses().countDocuments({ agent: /^agent\.burst\./ })).toBe(54);
    await countsSettled();
    expect(await responses().countDocuments({ rollupPending: true })).toBe(0);
    const ids = [...links, ...doubled].map((l) => l.oid);
    expect(await invitations().countDocuments({ _id: { $in: ids }, state: 'answered', answeredAt: { $ne: null } })).toBe(54);

    const incremental = await responseTable();
    const burst = Object.entries(incremental).filter(([id]) => id.includes('agent.burst.'));
    expect(burst).toHaveLength(6);
    expect(burst.reduce((n, [, c]) => n + (c.responses ?? 0), 0)).toBe(54);

    await DailyRollup.deleteMany({});
    await rebuildRollups();
    expect(await responseTable()).toEqual(incremental);
  });

  it('takes counted saves off responses exactly, twice for a response counted twice in one group', async () => {
    const pending = (invitationId: string, uncounted: number) => ({ invitationId, rollupPending: true, rollupUncounted: uncounted });
    await responses().insertMany([pending('mark-twice', 2), pending('mark-once-of-two', 2), pending('mark-once', 1), pending('mark-untouched', 1)]);

    await markCountedMany(['mark-twice', 'mark-once-of-two', 'mark-twice', 'mark-once']);

    const state = async (invitationId: string) => responses().findOne({ invitationId }, { projection: { _id: 0, rollupPending: 1, rollupUncounted: 1 } });
    expect(await state('mark-twice')).toEqual({ rollupPending: false, rollupUncounted: 0 });
    // A save still uncounted keeps its response pending.
    expect(await state('mark-once-of-two')).toEqual({ rollupPending: true, rollupUncounted: 1 });
    expect(await state('mark-once')).toEqual({ rollupPending: false, rollupUncounted: 0 });
    expect(await state('mark-untouched')).toEqual({ rollupPending: true, rollupUncounted: 1 });
  });

  it('fails only the submit whose own follow-up failed; the others of its group are saved and counted', async () => {
    const version = await getPublished('post-call');
    const save = (invitationId: string, whenStored: () => Promise<void>): SaveAnswersInput => ({
      context: {
        invitationId,
        callId: `call-${invitationId}`,
        externalId: `pbx-${invitationId}`,
        site: 'ABV',
        queue: 'support',
        agent: 'agent.group',
        reason: 'billing',
        callEndedAt: new Date('2026-11-27T09:00:00Z'),
        day: '2026-11-27',
        customerHash: `hash-${invitationId}`,
        templateKey: version.key,
        templateVersionId: version.id,
        locale: 'fr',
      },
      definition: version.definition,
      answers: { ...FULL_JSON },
      complete: true,
      channel: 'web',
      whenStored,
    });
    const stored = () => Promise.resolve();

    // Made in one tick: one group.
    const outcomes = await Promise.allSettled([
      saveAnswers(save('group-first', stored)),
      saveAnswers(save('group-failing', () => Promise.reject(new Error('the invitation could not be marked')))),
      saveAnswers(save('group-last', stored)),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((outcomes[1] as PromiseRejectedResult).reason as Error).message).toBe('the invitation could not be marked');
    expect(outcomes[0]).toMatchObject({ value: { complete: true, revision: 1 } });
    // The answers themselves were stored and counted: a retry finds them and changes nothing in the counts.
    await countsSettled();
    expect(await responses().countDocuments({ invitationId: /^group-/, complete: true, rollupPending: false, rollupUncounted: 0 })).toBe(3);
    const bucket = await DailyRollup.findOne({ day: '2026-11-27', site: 'ABV', queue: 'support', agent: 'agent.group', reason: 'billing' }).lean<RollupRecord>();
    expect(bucket?.responses).toBe(3);
  });

  it('answers once the save is counted in the rollups; taking it off its response follows', async () => {
    const { token, id } = await surveyLink({ agent: 'agent.after', reason: 'billing' });
    await json(token, { answers: FULL_JSON }).expect(200);
    // Counted before the answer: a report read now includes it.
    const bucket = await DailyRollup.findOne({ agent: 'agent.after', reason: 'billing' }).lean<RollupRecord>();
    expect(bucket?.responses).toBe(1);

    await countsSettled();
    expect(await responses().findOne({ invitationId: id }, { projection: { _id: 0, rollupPending: 1, rollupUncounted: 1 } })).toEqual({ rollupPending: false, rollupUncounted: 0 });
  });
});
