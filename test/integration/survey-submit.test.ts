/**
 * POST /s/:token: answers from the page's form or JSON, checked against the template
 * version, one response per invitation whatever the retries, partial saves that never
 * undo a complete response, 422 with every answer kept, the follow-up asked after a
 * submit without JavaScript, and what each response stores for reports.
 */
import request from 'supertest';
import { countsSettled } from '../../server/responses';
import { hashEmail } from '../../server/suppressions';
import { getPublished } from '../../server/templates';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { FULL_FORM, FULL_JSON, invitations, responses, seedSurveyWorld, surveyLink } from '../helpers/survey';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);
beforeAll(seedSurveyWorld);

const { app } = createTestApp();
const post = (token: string, path = '') => request(app).post(`/s/${token}${path}`);
const json = (token: string, body: object) => post(token).set('Accept', 'application/json').send(body);

describe('POST /s/:token, form-encoded', () => {
  it('stores the answers, marks the invitation answered and redirects (303) to the thank-you page', async () => {
    const { token, oid, id } = await surveyLink({ email: 'Claire.Dubois@Example.fr', locale: 'fr', agent: 'a.martin', reason: 'billing' });
    const res = await post(token, '?lang=fr').type('form').send(FULL_FORM);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/s/${token}?lang=fr`);
    const version = await getPublished('post-call');
    const invitation = await invitations().findOne({ _id: oid });
    const response = await responses().findOne({ invitationId: id });
    expect(response).toMatchObject({
      callId: invitation?.callId,
      externalId: invitation?.externalId,
      site: 'ABV',
      queue: 'business-support',
      agent: 'a.martin',
      reason: 'billing',
      callEndedAt: invitation?.callEndedAt,
      day: invitation?.day,
      customerHash: hashEmail('claire.dubois@example.fr'),
      templateKey: 'post-call',
      templateVersionId: version.id,
      locale: 'fr',
      channel: 'web',
      answers: { info: 'no', missing: 'The opening hours', csat: 4, nps: 9, comment: 'Thanks <b>a lot</b>' },
      gotInformation: false,
      csat: 4,
      nps: 9,
      ces: null,
      text: 'The opening hours\n\nThanks <b>a lot</b>',
      complete: true,
      startedAt: expect.any(Date),
      submittedAt: expect.any(Date),
      revision: 1,
      rollupPending: false,
      alert: 'pending',
    });
    expect(JSON.stringify(response)).not.toContain('@');
    expect(invitation).toMatchObject({ state: 'answered', answeredAt: expect.any(Date), reminderAt: null });
  });

  it('keeps a happy customer out of the alerts, and repeated checkboxes are not needed for radios', async () => {
    const { token, id } = await surveyLink();
    await post(token).type('form').send({ info: 'yes', csat: '5', nps: '10', comment: '', missing: '', _unseen: 'missing' }).expect(303);
    expect(await responses().findOne({ invitationId: id })).toMatchObject({ answers: { info: 'yes', csat: 5, nps: 10 }, text: null, alert: 'none', gotInformation: true });
  });

  it('re-renders with a 422, a linked error summary, the message beside each field and every answer kept', async () => {
    const { token, id } = await surveyLink({ locale: 'en' });
    const long = 'x'.repeat(2001);
    const res = await post(token, '?lang=en').type('form').send({ info: 'no', missing: 'Prices <script>', nps: '11', comment: long, _unseen: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('<title>Error: After your call · Retour</title>');
    expect(res.text).toMatch(/<div class="error-summary" role="alert" aria-labelledby="survey-errors-title" tabindex="-1" data-survey-focus>/);
    expect(res.text).toContain('<a href="#q-csat-1">How satisfied are you with your call? — Please answer this question.</a>');
    expect(res.text).toContain('<a href="#q-nps-0">How likely are you to recommend our service to a friend or colleague? — Please choose a number from 0 to 10.</a>');
    expect(res.text).toContain('<a href="#q-comment-input">Is there anything else you would like to tell us? — Please shorten your answer to 2000 characters or fewer.</a>');
    expect(res.text).toContain('<p class="field-error" id="q-csat-error">Please answer this question.</p>');
    expect(res.text).toMatch(/id="q-info-no" name="info" value="no" checked>/);
    expect(res.text).toContain('>Prices &lt;script&gt;</textarea>');
    expect(res.text).toContain(`>${long}</textarea>`);
    expect(res.text).not.toContain('<script>');
    // What was valid is kept as a partial response: nothing the customer typed is lost.
    expect(await responses().findOne({ invitationId: id })).toMatchObject({ complete: false, answers: { info: 'no', missing: 'Prices <script>' } });
  });

  it('asks the follow-up a first submit without JavaScript revealed, politely, then completes', async () => {
    const { token, id, oid } = await surveyLink({ locale: 'en' });
    const first = await post(token, '?lang=en').type('form').send({ info: 'no', missing: '', csat: '2', comment: '', _unseen: 'missing' });
    expect(first.status).toBe(200);
    expect(first.text).toContain('<h2>One more question</h2>');
    expect(first.text).toContain('<a href="#q-missing-input">What information was missing?</a>');
    expect(first.text).toMatch(/id="q-missing" data-show-if="info" data-show-if-values="no">/);
    expect(first.text).not.toContain('error-summary');
    expect(first.text).toMatch(/id="q-csat-2" name="csat" value="2" checked>/);
    expect(await responses().findOne({ invitationId: id })).toMatchObject({ complete: false, answers: { info: 'no', csat: 2 } });
    expect(await invitations().findOne({ _id: oid })).toMatchObject({ state: 'sent' });

    const second = await post(token, '?lang=en').type('form').send({ info: 'no', missing: 'When my card arrives', csat: '2', comment: '', _unseen: '' });
    expect(second.status).toBe(303);
    expect(await responses().findOne({ invitationId: id })).toMatchObject({ complete: true, answers: { info: 'no', missing: 'When my card arrives', csat: 2 }, revision: 2 });
    expect(await invitations().findOne({ _id: oid })).toMatchObject({ state: 'answered' });
  });

  it('completes at once when the answers reveal no follow-up, and drops the answer to a question they hide', async () => {
    const { token, id } = await surveyLink();
    await post(token).type('form').send({ info: 'yes', missing: 'typed before changing my mind', csat: '4', _unseen: 'missing' }).expect(303);
    const response = await responses().findOne({ invitationId: id });
    expect(response?.answers).toEqual({ info: 'yes', csat: 4 });
    expect(response?.text).toBeNull();
  });

  it('keeps the one-click channel of a page opened from the email', async () => {
    const { token, id } = await surveyLink();
    await post(token).type('form').send({ ...FULL_FORM, _channel: 'email-click' }).expect(303);
    expect(await responses().findOne({ invitationId: id })).toMatchObject({ channel: 'email-click' });
  });

  it('lets the customer change the answers until expiry: the same response, a new revision', async () => {
    const { token, id } = await surveyLink();
    await post(token).type('form').send(FULL_FORM).expect(303);
    await post(token).type('form').send({ ...FULL_FORM, info: 'yes', csat: '5' }).expect(303);
    expect(await responses().countDocuments({ invitationId: id })).toBe(1);
    expect(await responses().findOne({ invitationId: id })).toMatchObject({ answers: { info: 'yes', csat: 5, nps: 9 }, gotInformation: true, revision: 2, complete: true });
  });

  it('lets an unsubscribed customer answer the invitation they have', async () => {
    const { token, id } = await surveyLink({ email: 'gone@example.fr' });
    await request(app).post(`/u/${token}`).type('form').send({}).expect(200);
    await post(token).type('form').send(FULL_FORM).expect(303);
    expect(await responses().findOne({ invitationId: id })).toMatchObject({ complete: true });
  });
});

describe('POST /s/:token, JSON', () => {
  it('saves a partial answer (the one-click answer), then the full submit completes the same response', async () => {
    const { token, id, oid } = await surveyLink();
    const partial = await json(token, { answers: { info: 'no' }, partial: true, channel: 'email-click' });
    expect(partial.status).toBe(200);
    expect(partial.body).toEqual({ saved: true, complete: false });
    const first = await responses().findOne({ invitationId: id });
    expect(first).toMatchObject({ complete: false, answers: { info: 'no' }, gotInformation: false, channel: 'email-click', submittedAt: null, revision: 1, alert: 'pending' });
    expect(await invitations().findOne({ _id: oid })).toMatchObject({ state: 'sent' });

    const full = await json(token, { answers: FULL_JSON });
    expect(full.body).toEqual({ saved: true, complete: true });
    // Sent whole: its length, its type, and no ETag (nobody revalidates the answer to a POST).
    expect(full.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(full.text)), 'cache-control': 'no-store' });
    expect(full.headers.etag).toBeUndefined();
    const done = await responses().findOne({ invitationId: id });
    expect(done).toMatchObject({ complete: true, answers: FULL_JSON, channel: 'email-click', revision: 2, submittedAt: expect.any(Date) });
    expect(done?.startedAt).toEqual(first?.startedAt);
    expect(await invitations().findOne({ _id: oid })).toMatchObject({ state: 'answered' });
  });

  it('merges autosaves: each changes only the answers it carries, an emptied text removes its answer', async () => {
    const { token, id } = await surveyLink();
    await json(token, { answers: { info: 'no', missing: 'prices' }, partial: true }).expect(200);
    await json(token, { answers: { csat: '3' }, partial: true }).expect(200);
    expect((await responses().findOne({ invitationId: id }))?.answers).toEqual({ info: 'no', missing: 'prices', csat: 3 });
    await json(token, { answers: { missing: '', info: 'yes' }, partial: true }).expect(200);
    expect(await responses().findOne({ invitationId: id })).toMatchObject({ answers: { info: 'yes', csat: 3 }, text: null, complete: false, channel: 'web' });
  });

  it('never makes a complete response partial again: a later partial save updates only what it carries', async () => {
    const { token, id } = await surveyLink();
    await json(token, { answers: FULL_JSON }).expect(200);
    const late = await json(token, { answers: { csat: 1 }, partial: true });
    expect(late.body).toEqual({ saved: true, complete: true });
    expect(await responses().findOne({ invitationId: id })).toMatchObject({ complete: true, answers: { ...FULL_JSON, csat: 1 }, csat: 1 });
  });

  it('answers 422 INVALID_ANSWERS with one message per question, and saves nothing', async () => {
    const { token, id } = await surveyLink({ locale: 'en' });
    const res = await json(token, { answers: { info: 'maybe', csat: 4.5, nps: 3, comment: 12, colour: 'blue' } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: {
        code: 'INVALID_ANSWERS',
        message: 'Some answers are missing or invalid.',
        details: [
          { question: 'info', message: 'Please choose Yes or No.' },
          { question: 'csat', message: 'Please choose a number from 1 to 5.' },
          { question: 'comment', message: 'Please write your answer as text.' },
          { question: 'colour', message: 'This question is not part of the survey.' },
        ],
      },
    });
    expect(await responses().countDocuments({ invitationId: id })).toBe(0);
  });

  it('requires the shown required questions only for a full submit', async () => {
    const { token, id } = await surveyLink({ locale: 'en' });
    const full = await json(token, { answers: { nps: 3 } });
    expect(full.status).toBe(422);
    expect(full.body.error.details).toEqual([
      { question: 'info', message: 'Please answer this question.' },
      { question: 'csat', message: 'Please answer this question.' },
    ]);
    expect((await json(token, { answers: { nps: 3 }, partial: true })).status).toBe(200);
    expect(await responses().findOne({ invitationId: id })).toMatchObject({ complete: false, answers: { nps: 3 } });
  });

  it('rejects a body that is not { answers: {...} } with 422 BAD_SURVEY_BODY', async () => {
    const { token } = await surveyLink();
    const res = await json(token, { info: 'yes' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('BAD_SURVEY_BODY');
  });

  it('answers 404 and 410 as JSON to a JSON request', async () => {
    const unknown = await json('A'.repeat(43), { answers: FULL_JSON });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('SURVEY_NOT_FOUND');
    const { token, oid } = await surveyLink();
    await invitations().updateOne({ _id: oid }, { $set: { state: 'expired' } });
    const gone = await json(token, { answers: FULL_JSON });
    expect(gone.status).toBe(410);
    expect(gone.body.error.code).toBe('SURVEY_CLOSED');
    expect(await responses().countDocuments({ invitationId: oid.toString() })).toBe(0);
  });
});

describe('one response per invitation', () => {
  it('makes one response of a double click, a retry and a resubmit', async () => {
    const { token, id } = await surveyLink();
    for (let i = 0; i < 3; i++) await post(token).type('form').send(FULL_FORM).expect(303);
    expect(await responses().countDocuments({ invitationId: id })).toBe(1);
    await countsSettled();
    expect(await responses().findOne({ invitationId: id })).toMatchObject({ revision: 3, rollupPending: false });
  });

  it('makes one response of concurrent submits', async () => {
    const { token, id } = await surveyLink();
    const results = await Promise.all([
      json(token, { answers: FULL_JSON }),
      json(token, { answers: FULL_JSON }),
      post(token).type('form').send(FULL_FORM),
      json(token, { answers: { info: 'no' }, partial: true }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 303]);
    expect(await responses().countDocuments({ invitationId: id })).toBe(1);
    await countsSettled();
    expect(await responses().findOne({ invitationId: id })).toMatchObject({ complete: true, revision: 4, rollupPending: false });
  });

  it('records nothing once the survey has closed', async () => {
    const { token, oid } = await surveyLink({ locale: 'en' });
    await invitations().updateOne({ _id: oid }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await post(token).type('form').send(FULL_FORM);
    expect(res.status).toBe(410);
    expect(res.text).toContain('This survey is closed');
    expect(await responses().countDocuments({ invitationId: oid.toString() })).toBe(0);
  });
});
