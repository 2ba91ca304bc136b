/**
 * Answers keep the reporting rollups current in the same request: the bucket of the call
 * (day, site, queue, agent, reason, template) counts each response once, partial or
 * complete, and follows changed answers; what the saves counted equals a recount from
 * the responses, concurrent submits included.
 */
import request from 'supertest';
import { recountBuckets, type BucketKey } from '../../server/rollups';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { FULL_JSON, responses, rollups, seedSurveyWorld, surveyLink } from '../helpers/survey';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);
beforeAll(seedSurveyWorld);

const { app } = createTestApp();
const json = (token: string, body: object) => request(app).post(`/s/${token}`).set('Accept', 'application/json').send(body);

const COUNTERS = ['responses', 'completed', 'infoYes', 'infoNo', 'csatN', 'csatSum', 'csatTop2', 'csatLow', 'npsN', 'npsSum', 'npsPromoters', 'npsDetractors', 'texts'];

async function bucketOfAgent(agent: string): Promise<BucketKey & Record<string, unknown>> {
  const response = await responses().findOne({ agent });
  if (!response) throw new Error(`no response of ${agent}`);
  return { day: response.day, site: 'ABV', queue: 'business-support', agent, reason: 'billing', template: 'post-call' };
}

async function counters(agent: string): Promise<Record<string, number>> {
  const doc = await rollups().findOne(await bucketOfAgent(agent));
  return Object.fromEntries(COUNTERS.map((c) => [c, Number(doc?.[c] ?? 0)]));
}

const zero = Object.fromEntries(COUNTERS.map((c) => [c, 0]));

describe('rollups kept by the survey', () => {
  it('counts a partial answer, then the submit, then changed answers, in the call’s bucket', async () => {
    const { token } = await surveyLink({ agent: 'agent.steps', reason: 'billing' });
    await json(token, { answers: { info: 'no' }, partial: true }).expect(200);
    expect(await counters('agent.steps')).toEqual({ ...zero, responses: 1, infoNo: 1 });

    await json(token, { answers: FULL_JSON }).expect(200);
    expect(await counters('agent.steps')).toEqual({ ...zero, responses: 1, completed: 1, infoNo: 1, csatN: 1, csatSum: 4, csatTop2: 1, npsN: 1, npsSum: 9, npsPromoters: 1, texts: 1 });

    await json(token, { answers: { info: 'yes', csat: 2, nps: 3 } }).expect(200);
    expect(await counters('agent.steps')).toEqual({ ...zero, responses: 1, completed: 1, infoYes: 1, csatN: 1, csatSum: 2, csatLow: 1, npsN: 1, npsSum: 3, npsDetractors: 1 });
    expect(await responses().findOne({ agent: 'agent.steps' })).toMatchObject({ rollupPending: false });
  });

  it('counts one response for concurrent submits of one link', async () => {
    const { token } = await surveyLink({ agent: 'agent.race', reason: 'billing' });
    await Promise.all([json(token, { answers: FULL_JSON }), json(token, { answers: FULL_JSON }), json(token, { answers: { csat: 5 }, partial: true })]);
    expect(await responses().countDocuments({ agent: 'agent.race' })).toBe(1);
    const counted = await counters('agent.race');
    expect(counted).toMatchObject({ responses: 1, completed: 1, infoNo: 1, csatN: 1 });
    expect(counted.csatSum === 4 || counted.csatSum === 5).toBe(true);
  });

  it('counts what a recount from the responses counts, after many saves, some at the same time', async () => {
    const links = await Promise.all(Array.from({ length: 12 }, () => surveyLink({ agent: 'agent.many', reason: 'billing' })));
    const saves = links.flatMap(({ token }, i) => [
      () => json(token, { answers: { info: i % 2 ? 'yes' : 'no' }, partial: true }),
      () => json(token, { answers: { ...FULL_JSON, csat: 1 + (i % 5), nps: i % 11, info: i % 3 ? 'yes' : 'no' } }),
      () => json(token, { answers: { comment: i % 4 ? '' : 'more', csat: 1 + ((i + 2) % 5) }, partial: true }),
    ]);
    for (let from = 0; from < saves.length; from += 6) await Promise.all(saves.slice(from, from + 6).map((save) => save()));
    const incremental = await counters('agent.many');
    expect(incremental.responses).toBe(12);
    await recountBuckets([await bucketOfAgent('agent.many')]);
    expect(await counters('agent.many')).toEqual(incremental);
    expect(await responses().countDocuments({ agent: 'agent.many', rollupPending: true })).toBe(0);
  });
});
