/**
 * GET /s/:token: the customer's survey in the invitation's language (with a switch), the
 * email's one-click answer preselected, the follow-up hidden until an answer reveals it,
 * the thank-you page once answered, 404 and 410 pages, and never a response from a GET.
 */
import request from 'supertest';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { DAY, expire, FULL_FORM, invitations, responses, seedSurveyWorld, surveyLink } from '../helpers/survey';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);
beforeAll(seedSurveyWorld);

const { app } = createTestApp();

describe('GET /s/:token', () => {
  it('shows the survey in the invitation’s language, with fieldsets, legends and the language switch', async () => {
    const { token } = await surveyLink({ locale: 'fr' });
    const res = await request(app).get(`/s/${token}`).set('Accept-Language', 'en');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html lang="fr">');
    expect(res.text).toContain('<h1 id="survey-title">Après votre appel</h1>');
    expect(res.text).toContain('<legend class="survey-question__label">Avez-vous obtenu l’information dont vous aviez besoin ?</legend>');
    expect(res.text).toMatch(/<input type="radio" id="q-nps-0" name="nps" value="0">\s*<span class="survey-choice__label">0<\/span><span class="survey-choice__hint">Pas du tout probable<\/span>/);
    expect(res.text).toContain(`method="post" action="/s/${token}?lang&#x3D;fr"`);
    expect(res.text).toContain(`href="/s/${token}?lang&#x3D;en" hreflang="en"`);
    expect(res.text).toContain('<script src="/js/survey-page.js" defer></script>');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)|<style|\sstyle=|\son[a-z]+=/i);
  });

  it('speaks English to an English customer, and the other language when asked', async () => {
    const { token } = await surveyLink({ locale: 'en' });
    const en = await request(app).get(`/s/${token}`).set('Accept-Language', 'fr');
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('Did you get the information you needed?');
    expect(en.text).toContain('>Send my answers</button>');
    const fr = await request(app).get(`/s/${token}?lang=fr`);
    expect(fr.text).toContain('<html lang="fr">');
    expect(fr.text).toContain('>Envoyer mes réponses</button>');
    expect(fr.text).toContain(`action="/s/${token}?lang&#x3D;fr"`);
  });

  it('hides the follow-up until an answer reveals it, and tells the form which questions were not shown', async () => {
    const { token } = await surveyLink();
    const res = await request(app).get(`/s/${token}`);
    expect(res.text).toMatch(/id="q-missing" data-show-if="info" data-show-if-values="no" data-condition-unmet>/);
    expect(res.text).toContain('<input type="hidden" name="_unseen" value="missing">');
    expect(res.text).not.toContain('name="_channel"');
  });

  it('preselects the one-click answer of the email, reveals its follow-up, and marks the page for the script to save it', async () => {
    const { token } = await surveyLink();
    const res = await request(app).get(`/s/${token}?a=info:no`);
    expect(res.text).toMatch(/id="q-info-no" name="info" value="no" checked>/);
    expect(res.text).toMatch(/id="q-missing" data-show-if="info" data-show-if-values="no">/);
    expect(res.text).toContain('<div class="survey-page" data-one-click="info">');
    expect(res.text).toContain('<input type="hidden" name="_unseen" value="">');
    expect(res.text).toContain('<input type="hidden" name="_channel" value="email-click">');
  });

  it('ignores a one-click answer that is not valid for its question', async () => {
    const { token } = await surveyLink();
    for (const a of ['info:maybe', 'csat:9', 'nope:yes', 'comment:hello', 'missing:x', 'info', '']) {
      const res = await request(app).get(`/s/${token}`).query({ a });
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(' checked>');
      expect(res.text).not.toContain('data-one-click');
    }
  });

  it('never records an answer: several GETs, with and without the one-click answer, leave no response', async () => {
    const { token, oid } = await surveyLink();
    for (const path of [`/s/${token}`, `/s/${token}?a=info:no`, `/s/${token}?a=info:yes`, `/s/${token}?a=csat:1&lang=en`, `/s/${token}?edit=1`]) {
      expect((await request(app).get(path)).status).toBe(200);
    }
    expect(await responses().countDocuments({ invitationId: oid.toString() })).toBe(0);
    expect(await invitations().findOne({ _id: oid })).toMatchObject({ state: 'opened', openedAt: expect.any(Date), answeredAt: null });
  });

  it('shows a survey whose invitation is not sent yet, on the published version', async () => {
    const { token, oid } = await surveyLink({ sent: false });
    const res = await request(app).get(`/s/${token}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Avez-vous obtenu l’information');
    expect(await invitations().findOne({ _id: oid })).toMatchObject({ state: 'scheduled', openedAt: null });
  });

  it('shows the thank-you page once answered, with a link to change the answers, which shows them prefilled', async () => {
    const { token } = await surveyLink({ locale: 'en' });
    await request(app).post(`/s/${token}`).type('form').send(FULL_FORM).expect(303);
    const thanks = await request(app).get(`/s/${token}`);
    expect(thanks.status).toBe(200);
    expect(thanks.text).toContain('<h1 id="thanks-title">Thank you!</h1>');
    expect(thanks.text).toMatch(/You can change them until [A-Z][a-z]+day, /);
    expect(thanks.text).toContain(`href="/s/${token}?lang&#x3D;en&amp;edit&#x3D;1">Change my answers</a>`);
    const edit = await request(app).get(`/s/${token}?lang=en&edit=1`);
    expect(edit.text).toMatch(/id="q-info-no" name="info" value="no" checked>/);
    expect(edit.text).toMatch(/id="q-csat-4" name="csat" value="4" checked>/);
    expect(edit.text).toContain('>The opening hours</textarea>');
    expect(edit.text).toContain('>Thanks &lt;b&gt;a lot&lt;/b&gt;</textarea>');
  });

  it('answers 404 with a page saying the link does not work, for an unknown or malformed token', async () => {
    const unknown = await request(app).get(`/s/${'A'.repeat(43)}`).set('Accept-Language', 'en');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('This survey link does not work');
    const malformed = await request(app).get('/s/nope').set('Accept-Language', 'fr');
    expect(malformed.status).toBe(404);
    expect(malformed.text).toContain('Ce lien de questionnaire ne fonctionne pas');
    expect(malformed.text).toContain('<html lang="fr">');
  });

  it('answers 410 with a polite page in the customer’s language once the survey has expired, by date or by state', async () => {
    const byDate = await surveyLink({ locale: 'fr' });
    await expire(byDate.oid, 'date');
    const fr = await request(app).get(`/s/${byDate.token}`).set('Accept-Language', 'en');
    expect(fr.status).toBe(410);
    expect(fr.text).toContain('<html lang="fr">');
    expect(fr.text).toContain('Ce questionnaire est clos');
    expect(fr.text).toMatch(/a été clos le [a-z]+ \d+ [a-zéû]+ \d{4}/);
    const byState = await surveyLink({ locale: 'en' });
    await expire(byState.oid, 'state');
    const en = await request(app).get(`/s/${byState.token}`);
    expect(en.status).toBe(410);
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('This survey is closed');
    expect(en.text).toContain('Thank you for your time.');
    expect((await request(app).get(`/s/${byState.token}?lang=fr`)).text).toContain('Ce questionnaire est clos');
    expect(await invitations().findOne({ _id: byState.oid })).toMatchObject({ state: 'expired', openedAt: null });
  });

  it('says on the closed page that the answers were recorded, when they were', async () => {
    const { token, oid } = await surveyLink({ locale: 'en' });
    await request(app).post(`/s/${token}`).type('form').send(FULL_FORM).expect(303);
    await invitations().updateOne({ _id: oid }, { $set: { expiresAt: new Date(Date.now() - DAY) } });
    const res = await request(app).get(`/s/${token}`);
    expect(res.status).toBe(410);
    expect(res.text).toContain('Your answers were recorded before it closed.');
  });
});

/** The page's HTML and every stylesheet it links, @imports followed, in bytes; and any address off this site. */
async function weigh(html: string): Promise<{ bytes: number; external: string[] }> {
  let bytes = Buffer.byteLength(html);
  const external = [...html.matchAll(/\s(?:src|href|action)="([^"]*)"/g)].map((m) => m[1] ?? '').filter((url) => !/^(\/(?!\/)|#)/.test(url));
  const queue = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1] ?? '');
  for (let sheet = queue.shift(); sheet !== undefined; sheet = queue.shift()) {
    const css = await request(app).get(sheet).expect(200);
    bytes += Buffer.byteLength(css.text);
    for (const m of css.text.matchAll(/url\("?([^")]+)"?\)/g)) {
      const target = m[1] ?? '';
      if (/^[a-z]+:/i.test(target) && !target.startsWith('data:')) external.push(target);
      else if (m[0] && css.text.slice(Math.max(0, (m.index ?? 0) - 8), m.index).includes('@import')) queue.push(new URL(target, `http://x${sheet}`).pathname);
    }
  }
  return { bytes, external };
}

describe('page weight', () => {
  it('keeps every survey page under 30 kB of HTML and CSS, with nothing fetched from another site', async () => {
    const { token } = await surveyLink({ locale: 'en' });
    const pages = [
      await request(app).get(`/s/${token}?a=info:no`),
      await request(app).post(`/s/${token}?lang=en`).type('form').send({ info: 'no', missing: 'm'.repeat(1000), nps: '11', comment: 'c'.repeat(2000), _unseen: '' }),
      await request(app).post(`/s/${token}?lang=en`).type('form').send({ info: 'no', csat: '3', _unseen: 'missing' }),
    ];
    await request(app).post(`/s/${token}?lang=en`).type('form').send(FULL_FORM).expect(303);
    pages.push(await request(app).get(`/s/${token}`), await request(app).get(`/s/${'Q'.repeat(43)}`));
    expect(pages.map((p) => p.status)).toEqual([200, 422, 200, 200, 404]);
    for (const page of pages) {
      const { bytes, external } = await weigh(page.text);
      expect(external).toEqual([]);
      expect(bytes).toBeLessThan(30_000);
    }
  });
});

