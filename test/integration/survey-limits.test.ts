/**
 * Abuse and privacy on the survey: answers are rate-limited per survey link and per client
 * address (429 page or JSON), bodies are size-limited, and survey tokens never reach the
 * logs, whatever the outcome of the request.
 */
import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp } from '../../server/app';
import { createLogger } from '../../server/logger';
import { SURVEY_LIMITS } from '../../server/survey';
import { testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { expire, FULL_FORM, FULL_JSON, responses, seedSurveyWorld, surveyLink } from '../helpers/survey';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);
beforeAll(seedSurveyWorld);

/** A fresh app (fresh rate-limit counters) whose log lines are kept. */
function appWithLogs(env: Record<string, string> = {}) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const config = testConfig(env);
  const logger = createLogger({ logLevel: 'debug' }, sink);
  const app = createApp({ config, logger, health: () => ({ status: 'ok', db: 'embedded' }) });
  return { app, lines };
}

describe('rate limits', () => {
  it('answers 429 once a link has posted too many answers in a minute, as a page or JSON', async () => {
    const { app } = appWithLogs();
    const { token, id } = await surveyLink({ locale: 'en' });
    for (let i = 0; i < SURVEY_LIMITS.perLink; i++) {
      const saved = await request(app).post(`/s/${token}`).set('Accept', 'application/json').send({ answers: { csat: 1 + (i % 5) }, partial: true }).expect(200);
      // The per-link limit, the one a page's autosaves can reach, is the one announced.
      expect(saved.headers['ratelimit-policy']).toBe(`${SURVEY_LIMITS.perLink};w=60`);
      expect(saved.headers.ratelimit).toMatch(new RegExp(`^limit=${SURVEY_LIMITS.perLink}, remaining=${SURVEY_LIMITS.perLink - 1 - i}, reset=\\d+$`));
    }
    const page = await request(app).post(`/s/${token}?lang=en`).type('form').send(FULL_FORM);
    expect(page.status).toBe(429);
    expect(page.text).toContain('Too many attempts');
    expect(page.headers['retry-after']).toMatch(/^\d+$/);
    const body = await request(app).post(`/s/${token}`).set('Accept', 'application/json').send({ answers: FULL_JSON });
    expect(body.status).toBe(429);
    expect(body.body.error.code).toBe('RATE_LIMITED');
    expect(await responses().findOne({ invitationId: id })).toMatchObject({ complete: false });
    // Reading the survey is not limited by answering.
    expect((await request(app).get(`/s/${token}`)).status).toBe(200);
  });

  it('limits the answers one address posts, across links', async () => {
    const { app } = appWithLogs();
    const posts = Array.from({ length: SURVEY_LIMITS.perAddress }, (_, i) => `${String(i).padStart(4, '0')}${'x'.repeat(39)}`);
    for (const fake of posts) await request(app).post(`/s/${fake}`).type('form').send({}).expect(404);
    const { token, id } = await surveyLink();
    const res = await request(app).post(`/s/${token}`).type('form').send(FULL_FORM);
    expect(res.status).toBe(429);
    expect(res.text).toContain('Trop de tentatives');
    expect(await responses().countDocuments({ invitationId: id })).toBe(0);
  });

  it('tells customers apart behind the trusted proxy by their forwarded address', async () => {
    const { app } = appWithLogs({ TRUST_PROXY: 'loopback' });
    const from = (address: string, token: string) => request(app).post(`/s/${token}`).set('X-Forwarded-For', address).type('form');
    const posts = Array.from({ length: SURVEY_LIMITS.perAddress }, (_, i) => `${String(i).padStart(4, '0')}${'y'.repeat(39)}`);
    for (const fake of posts) await from('203.0.113.7', fake).send({}).expect(404);
    const busy = await surveyLink();
    expect((await from('203.0.113.7', busy.token).send(FULL_FORM)).status).toBe(429);
    const other = await surveyLink();
    expect((await from('198.51.100.20', other.token).send(FULL_FORM)).status).toBe(303);
  });

  it('counts an IPv6 customer by their /56 network, as one household or phone gets many addresses', async () => {
    const { app } = appWithLogs({ TRUST_PROXY: 'loopback' });
    const from = (address: string, token: string) => request(app).post(`/s/${token}`).set('X-Forwarded-For', address).type('form');
    const posts = Array.from({ length: SURVEY_LIMITS.perAddress }, (_, i) => `${String(i).padStart(4, '0')}${'v'.repeat(39)}`);
    for (const [i, fake] of posts.entries()) await from(`2001:db8:1:1${(i % 256).toString(16).padStart(2, '0')}::${i + 1}`, fake).send({}).expect(404);
    const busy = await surveyLink();
    const refused = await from('2001:db8:1:1ff::beef', busy.token).send(FULL_FORM);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect((await from('2001:db8:1:200::1', busy.token).send(FULL_FORM)).status).toBe(303);
  });

  it('refuses a body over 100 kB with 413', async () => {
    const { app } = appWithLogs();
    const { token } = await surveyLink();
    const res = await request(app).post(`/s/${token}`).set('Accept', 'application/json').send({ answers: { comment: 'x'.repeat(110_000) } });
    expect(res.status).toBe(413);
  });
});

describe('logs', () => {
  it('never contain a survey token, whatever happened to the request', async () => {
    const { app, lines } = appWithLogs();
    const { token } = await surveyLink({ locale: 'en' });
    const closed = await surveyLink();
    await expire(closed.oid);
    await request(app).get(`/s/${token}?a=info:no`).expect(200);
    await request(app).post(`/s/${token}`).set('Accept', 'application/json').send({ answers: { info: 'no' }, partial: true }).expect(200);
    await request(app).post(`/s/${token}`).type('form').send({ ...FULL_FORM, csat: '12' }).expect(422);
    await request(app).post(`/s/${token}`).type('form').send(FULL_FORM).expect(303);
    await request(app).get(`/s/${token}`).expect(200);
    await request(app).get(`/s/${closed.token}`).expect(410);
    await request(app).post(`/s/${closed.token}`).set('Accept', 'application/json').send({ answers: FULL_JSON }).expect(410);
    await request(app).get(`/s/${'Z'.repeat(43)}`).expect(404);
    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(text).toContain('/s/[redacted]');
    for (const secret of [token, closed.token, 'Z'.repeat(43)]) expect(text).not.toContain(secret);
  });
});
