/**
 * Submits that arrive together share their writes (the rollup counts, the cleared pending
 * flags or the group's counting mark, the invitations marked answered) and each still
 * answers only once its own are done: after a burst of concurrent submits of different
 * links, and double submits of a few, the rollups equal a rebuild from the records and
 * nothing is left pending. Both ways a group is written: in one command across
 * collections (MongoDB 8, the embedded engine) and collection by collection (older
 * servers); and a command cut short at its rollup write, whose mark the start repairs.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { canWriteAcross, forceWriteAcross, type ClientWrite } from '../../server/db';
import { countsSettled, markCountedMany, saveAnswers, type SaveAnswersInput } from '../../server/responses';
import { findSurvey, recordAnswers } from '../../server/survey/service';
import { getPublished } from '../../server/templates';
type PublishedVersion = Awaited<ReturnType<typeof getPublished>>;
import { CountingMark, DailyRollup, RESPONSE_COUNTERS, bucketId, rebuildRollups, reconcilePendingRollups, type BucketKey, type RollupRecord } from '../../server/rollups';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { FULL_JSON, invitations, responses, seedSurveyWorld, surveyLink } from '../helpers/survey';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);
beforeAll(seedSurveyWorld);

/** The response counters of every bucket that has responses, by bucket. */
async function responseTable(): Promise<Record<string, Record<string, number>>> {
  const rows = await DailyRollup.find({ responses: { $gt: 0 } }).lean<(RollupRecord & BucketKey)[]>();
  const entries = rows.map((doc) => [bucketId(doc), Object.fromEntries(RESPONSE_COUNTERS.map((c) => [c, Number(doc[c] ?? 0)]))] as const);
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** A full save of answers to a response of its own on 2026-11-27, as the survey makes one. */
function fullSave(invitationId: string, agent: string, version: PublishedVersion): SaveAnswersInput {
  return {
    context: {
      invitationId,
      callId: `call-${invitationId}`,
      externalId: `pbx-${invitationId}`,
      site: 'ABV',
      queue: 'support',
      agent,
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
  };
}

it('writes a group in one command on the embedded engine', async () => {
  expect(await canWriteAcross()).toBe(true);
});

describe.each([
  ['in one command across collections', null],
  ['collection by collection', false],
])('concurrent submits, %s', (_way, force) => {
  // Names of this way's records: the two ways share the database.
  const tag = force === false ? 'staged' : 'once';
  // An app of its own: the per-address limit counts each way's submits apart.
  const { app } = createTestApp();
  const json = (token: string, body: object) => request(app).post(`/s/${token}`).set('Accept', 'application/json').send(body);
  beforeAll(() => forceWriteAcross(force));
  afterAll(() => forceWriteAcross(null));

  it('count 50 different links and a few double submits exactly as a rebuild does', async () => {
    // Five agents: several submits of one bucket meet in one write.
    const links = await Promise.all(Array.from({ length: 50 }, (_, i) => surveyLink({ agent: `agent.burst.${tag}.${i % 5}`, reason: 'billing' })));
    const doubled = await Promise.all(Array.from({ length: 4 }, () => surveyLink({ agent: `agent.burst.${tag}.twice`, reason: 'billing' })));
    const answers = (i: number) => ({ ...FULL_JSON, info: i % 3 ? 'yes' : 'no', csat: 1 + (i % 5), nps: i % 11, comment: i % 4 ? '' : `Merci ${i}` });

    const submits = [
      ...links.map(({ token }, i) => json(token, { answers: answers(i) })),
      ...doubled.flatMap(({ token }, i) => [json(token, { answers: answers(i) }), json(token, { answers: answers(i + 1) })]),
      json(doubled[0]!.token, { answers: { csat: 2 }, partial: true }),
    ];
    const answered = await Promise.all(submits);
    expect(answered.map((r) => r.status)).toEqual(submits.map(() => 200));

    expect(await responses().countDocuments({ agent: { $regex: `^agent\\.burst\\.${tag}\\.` } })).toBe(54);
    await countsSettled();
    expect(await responses().countDocuments({ rollupPending: true })).toBe(0);
    expect(await CountingMark.countDocuments({ invitations: { $in: [...links, ...doubled].map((l) => l.id) } })).toBe(0);
    const ids = [...links, ...doubled].map((l) => l.oid);
    expect(await invitations().countDocuments({ _id: { $in: ids }, state: 'answered', answeredAt: { $ne: null } })).toBe(54);

    const incremental = await responseTable();
    const burst = Object.entries(incremental).filter(([id]) => id.includes(`agent.burst.${tag}.`));
    expect(burst).toHaveLength(6);
    expect(burst.reduce((n, [, c]) => n + (c.responses ?? 0), 0)).toBe(54);

    await DailyRollup.deleteMany({});
    await rebuildRollups();
    expect(await responseTable()).toEqual(incremental);
  });

  it('takes counted saves off responses exactly, twice for a response counted twice in one group', async () => {
    const pending = (invitationId: string, uncounted: number) => ({ invitationId: `${tag}-${invitationId}`, rollupPending: true, rollupUncounted: uncounted });
    await responses().insertMany([pending('mark-twice', 2), pending('mark-once-of-two', 2), pending('mark-once', 1), pending('mark-untouched', 1)]);

    await markCountedMany(['mark-twice', 'mark-once-of-two', 'mark-twice', 'mark-once'].map((id) => `${tag}-${id}`));

    const state = async (invitationId: string) => responses().findOne({ invitationId: `${tag}-${invitationId}` }, { projection: { _id: 0, rollupPending: 1, rollupUncounted: 1 } });
    expect(await state('mark-twice')).toEqual({ rollupPending: false, rollupUncounted: 0 });
    // A save still uncounted keeps its response pending.
    expect(await state('mark-once-of-two')).toEqual({ rollupPending: true, rollupUncounted: 1 });
    expect(await state('mark-once')).toEqual({ rollupPending: false, rollupUncounted: 0 });
    expect(await state('mark-untouched')).toEqual({ rollupPending: true, rollupUncounted: 1 });
    // Bare records, not responses a rebuild could count.
    await responses().deleteMany({ invitationId: { $regex: `^${tag}-mark-` } });
  });

  it('fails only the submit whose own alongside write failed; the others of its group are saved and counted', async () => {
    const version = await getPublished('post-call');
    const prefix = `group-${tag}-`;
    const scratch = mongoose.connection.db!.collection<{ key: string }>('alongside_scratch');
    await scratch.createIndex({ key: 1 }, { unique: true });
    await scratch.insertOne({ key: `${prefix}taken` });
    const alongside = (key: string): ClientWrite => ({ namespace: `${scratch.dbName}.${scratch.collectionName}`, name: 'insertOne', document: { key } });
    const save = (invitationId: string, write: ClientWrite): SaveAnswersInput => ({ ...fullSave(invitationId, `agent.${prefix}`, version), alongside: write });

    // Made in one tick: one group. The second one's write collides with a document already there.
    const outcomes = await Promise.allSettled([
      saveAnswers(save(`${prefix}first`, alongside(`${prefix}first`))),
      saveAnswers(save(`${prefix}failing`, alongside(`${prefix}taken`))),
      saveAnswers(save(`${prefix}last`, alongside(`${prefix}last`))),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 11000, message: expect.stringMatching(/^E11000 duplicate key error/) });
    expect(outcomes[0]).toMatchObject({ value: { complete: true, revision: 1 } });
    expect((await scratch.find({ key: { $regex: `^${prefix}` } }).toArray()).map((d) => d.key).sort()).toEqual([`${prefix}first`, `${prefix}last`, `${prefix}taken`]);
    // The answers themselves were stored and counted: a retry finds them and changes nothing in the counts.
    await countsSettled();
    expect(await responses().countDocuments({ invitationId: { $regex: `^${prefix}` }, complete: true, rollupPending: false, rollupUncounted: 0 })).toBe(3);
    const bucket = await DailyRollup.findOne({ day: '2026-11-27', site: 'ABV', queue: 'support', agent: `agent.${prefix}`, reason: 'billing' }).lean<RollupRecord>();
    expect(bucket?.responses).toBe(3);
  });

  it('writes a save whose response was made meanwhile on its own, and the rest of its group as usual', async () => {
    const links = await Promise.all(Array.from({ length: 4 }, () => surveyLink({ agent: `agent.meanwhile.${tag}`, reason: 'billing' })));
    // The second link already has a response (a partial save): a submit that expects none collides with it.
    await json(links[1]!.token, { answers: { csat: 2 }, partial: true }).expect(200);
    await countsSettled();
    const surveys = await Promise.all(links.map((link) => findSurvey(link.token, { withResponse: false })));
    expect(surveys.map((survey) => survey.invitation.state)).toEqual(['sent', 'sent', 'sent', 'sent']);

    // In one tick: one group, whose second save expects no response and finds one.
    const saved = await Promise.all(surveys.map((survey) => recordAnswers(survey, { answers: { ...FULL_JSON, csat: 5 }, complete: true, channel: 'web', locale: 'fr' })));

    expect(saved.map((s) => s.revision)).toEqual([1, 2, 1, 1]);
    await countsSettled();
    expect(await responses().countDocuments({ invitationId: { $in: links.map((l) => l.id) }, complete: true, csat: 5, rollupPending: false })).toBe(4);
    expect(await invitations().countDocuments({ _id: { $in: links.map((l) => l.oid) }, state: 'answered' })).toBe(4);
    expect(await CountingMark.countDocuments({ invitations: { $in: links.map((l) => l.id) } })).toBe(0);
    // Each response counted once, the one saved twice with its last answers.
    const bucket = await DailyRollup.findOne({ agent: `agent.meanwhile.${tag}`, reason: 'billing', level: null }).lean<RollupRecord>();
    expect(bucket).toMatchObject({ responses: 4, completed: 4 });
  });

  it('answers once the save is counted in the rollups; taking it off its response follows', async () => {
    const { token, id } = await surveyLink({ agent: `agent.after.${tag}`, reason: 'billing' });
    await json(token, { answers: FULL_JSON }).expect(200);
    // Counted before the answer: a report read now includes it.
    const bucket = await DailyRollup.findOne({ agent: `agent.after.${tag}`, reason: 'billing' }).lean<RollupRecord>();
    expect(bucket?.responses).toBe(1);

    await countsSettled();
    expect(await responses().findOne({ invitationId: id }, { projection: { _id: 0, rollupPending: 1, rollupUncounted: 1 } })).toEqual({ rollupPending: false, rollupUncounted: 0 });
  });
});

describe('a group written in one command whose rollup write fails', () => {
  it('stores the answers unflagged, keeps its counting mark, and the start recounts the responses the mark names', async () => {
    const version = await getPublished('post-call');
    const agent = 'agent.marked';
    // A bucket whose counter cannot be added to: the command stops at its rollup write.
    await DailyRollup.collection.insertOne({ day: '2026-11-27', site: 'ABV', queue: 'support', agent, reason: 'billing', template: version.key, responses: 'broken' });
    const ids = ['marked-first', 'marked-second'];

    const outcomes = await Promise.allSettled(ids.map((id) => saveAnswers(fullSave(id, agent, version))));

    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(await responses().countDocuments({ invitationId: { $in: ids }, complete: true, rollupPending: false, rollupUncounted: 0 })).toBe(2);
    expect(await CountingMark.countDocuments({ invitations: { $all: ids } })).toBe(1);

    expect(await reconcilePendingRollups()).toBe(2);
    const bucket = await DailyRollup.findOne({ agent, reason: 'billing', level: null }).lean<RollupRecord>();
    expect(bucket).toMatchObject({ responses: 2, completed: 2 });
    expect(await CountingMark.countDocuments()).toBe(0);
    expect(await reconcilePendingRollups()).toBe(0);
  });
});
