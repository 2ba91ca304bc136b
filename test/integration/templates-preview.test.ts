/**
 * The preview: the survey exactly as a customer sees it (the shared survey/form partial),
 * on a phone-width column and full width, in French and English, for the draft or any
 * published version. It submits to itself with GET: nothing is posted or stored.
 */
import mongoose from 'mongoose';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { loginAs } from '../helpers/staff';
import { editDraft, seedTemplate as seed } from '../helpers/templates';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();
let agent: Awaited<ReturnType<typeof loginAs>>['agent'];

beforeAll(async () => {
  await seed('courtesy');
  ({ agent } = await loginAs(app, { role: 'admin', locale: 'en' }));
});

describe('the preview', () => {
  it('shows the survey in a 360 px phone column and at full width, posting nowhere', async () => {
    const res = await agent.get('/admin/templates/courtesy/preview/1/fr');
    expect(res.status).toBe(200);
    expect(res.text).toContain('On a phone (360 px)');
    expect(res.text).toContain('Full width');
    expect(res.text).toMatch(/<div class="tpl-phone" lang="fr">\s*<h3 class="tpl-phone__title">Après votre appel<\/h3>/);
    expect(res.text.match(/<form class="survey-form" lang="fr" method="get" novalidate data-survey-form>/g)).toHaveLength(2);
    expect(res.text).not.toMatch(/<form class="survey-form"[^>]*method="post"/);
    // Two forms on one page: every id stays unique.
    const ids = [...res.text.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(res.text).toContain('id="phone-q-info-yes"');
    expect(res.text).toContain('id="full-q-info-yes"');
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)|<style|\sstyle=|\son[a-z]+=/i);
  });

  it('shows the English survey on an English page, and links to the other language', async () => {
    const res = await agent.get('/admin/templates/courtesy/preview/1/en');
    expect(res.text).toContain('<legend class="survey-question__label">Did you get the information you needed?</legend>');
    expect(res.text).toContain('>Send my answers</button>');
    expect(res.text).toContain('<a href="/admin/templates/courtesy/preview/1/fr" lang="fr">French</a>');
  });

  it('keeps the answers tried and shows, server-side, a question whose condition they meet', async () => {
    const before = await agent.get('/admin/templates/courtesy/preview/1/en');
    expect(before.text).toMatch(/id="phone-q-missing" data-show-if="info" data-show-if-values="no" data-condition-unmet>/);
    const res = await agent.get('/admin/templates/courtesy/preview/1/en?info=no&csat=2');
    expect(res.text).toMatch(/id="phone-q-info-no" name="info" value="no" checked>/);
    expect(res.text).toMatch(/id="phone-q-csat-2" name="csat" value="2" checked>/);
    expect(res.text).toMatch(/id="phone-q-missing" data-show-if="info" data-show-if-values="no">/);
  });

  it('previews the draft, and an older version with its own wording', async () => {
    await editDraft(agent, 'courtesy', (v) => (v['questions[0].label.en'] = 'Did we answer your question?'));
    const start = await agent.get('/admin/templates/courtesy/preview');
    expect(start.status).toBe(302);
    expect(start.headers.location).toBe('/admin/templates/courtesy/preview/draft/en');
    const draft = await agent.get(start.headers.location);
    expect(draft.text).toContain('Did we answer your question?');
    const v1 = await agent.get('/admin/templates/courtesy/preview/1/en');
    expect(v1.text).toContain('Did you get the information you needed?');
    expect(await mongoose.connection.collection('templateversions').countDocuments({ template: 'courtesy' })).toBe(1);
  });

  it('answers 404 for a version that does not exist', async () => {
    expect((await agent.get('/admin/templates/courtesy/preview/7/fr')).status).toBe(404);
    expect((await agent.get('/admin/templates/nothing/preview/1/fr')).status).toBe(404);
  });
});
