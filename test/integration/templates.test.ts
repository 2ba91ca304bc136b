/**
 * The survey template editor, driven as an admin would: who may open it, the list,
 * creating a template, editing the draft (buttons, 422 keeping what was typed, conflicts)
 * and the walk-through of adding a conditional question up to its publication.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { getPublished } from '../../server/templates';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { errorFor, formValues } from '../helpers/html-form';
import { loginAs } from '../helpers/staff';
import { DEFAULT_TEMPLATE, editDraft, seedTemplate as seed } from '../helpers/templates';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();
const templates = () => mongoose.connection.collection('templates');
const versions = () => mongoose.connection.collection('templateversions');
const audit = () => mongoose.connection.collection('auditentries');
const admin = (locale: 'fr' | 'en' = 'en') => loginAs(app, { role: 'admin', locale });

describe('who may open the editor', () => {
  it('sends someone who is not signed in to the login page', async () => {
    const res = await request(app).get('/admin/templates');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fadmin%2Ftemplates');
  });

  it('refuses every editor page and form to a quality lead with 403, and changes nothing', async () => {
    await seed('quality-check');
    const { agent, csrf } = await loginAs(app, { role: 'quality', locale: 'en' });
    const token = await csrf();
    for (const page of ['/admin/templates', '/admin/templates/new', '/admin/templates/quality-check/edit', '/admin/templates/quality-check/preview/1/fr']) {
      const res = await agent.get(page);
      expect(res.status).toBe(403);
      expect(res.text).toContain('Access denied');
    }
    const posts = {
      '/admin/templates': { key: 'sneaky', 'name.fr': 'a', 'name.en': 'b' },
      '/admin/templates/quality-check/draft': { 'name.fr': 'Piraté', 'name.en': 'Hacked' },
      '/admin/templates/quality-check/publish': {},
      '/admin/templates/quality-check/archive': {},
      '/admin/templates/import': { json: JSON.stringify({ ...DEFAULT_TEMPLATE, key: 'sneaky' }) },
    };
    for (const [url, body] of Object.entries(posts)) {
      expect((await agent.post(url).type('form').send({ _csrf: token, ...body })).status).toBe(403);
    }
    expect(await templates().findOne({ key: 'sneaky' })).toBeNull();
    expect(await templates().findOne({ key: 'quality-check' })).toMatchObject({ status: 'active', currentVersion: 1, draft: null });
  });

  it('refuses a change posted without the CSRF token', async () => {
    await seed('csrf-check');
    const { agent } = await admin();
    const res = await agent.post('/admin/templates/csrf-check/archive').type('form').send({});
    expect(res.status).toBe(403);
    expect(await templates().findOne({ key: 'csrf-check' })).toMatchObject({ status: 'active' });
  });
});

describe('the list and a template’s page', () => {
  it('lists templates with their status, current version and pending draft', async () => {
    await seed('listed');
    const { agent } = await admin('fr');
    const res = await agent.get('/admin/templates');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Questionnaires</h1>');
    expect(res.text).toMatch(/<a href="\/admin\/templates\/listed">Après votre appel<\/a>/);
    expect(res.text).toContain('Actif');
  });

  it('shows the published versions with who published them, and links to preview and export each', async () => {
    await seed('versions-page');
    const { agent } = await admin();
    const res = await agent.get('/admin/templates/versions-page');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Published versions');
    expect(res.text).toContain('surveys/ file (start-up)');
    expect(res.text).toContain('href="/admin/templates/versions-page/preview/1/en"');
    expect(res.text).toContain('href="/admin/templates/versions-page/export?version=1"');
  });

  it('answers 404 for a template that does not exist', async () => {
    const { agent } = await admin();
    expect((await agent.get('/admin/templates/nope')).status).toBe(404);
    expect((await agent.get('/admin/templates/nope/edit')).status).toBe(404);
  });
});

describe('creating a template', () => {
  it('answers 422 with each message beside its field and the typed values kept', async () => {
    const { agent, csrf } = await admin();
    const res = await agent
      .post('/admin/templates')
      .type('form')
      .send({ _csrf: await csrf('/admin/templates/new'), key: 'After Call', 'name.fr': 'Après l’appel <b>', 'name.en': '' });
    expect(res.status).toBe(422);
    expect(errorFor(res.text, 'f-key')).toMatch(/^Lowercase letters, digits and single hyphens/);
    expect(errorFor(res.text, 'f-name-en')).toBe('Required.');
    expect(errorFor(res.text, 'f-name-fr')).toBeUndefined();
    expect(res.text).toContain('value="After Call"');
    expect(res.text).toContain('value="Après l’appel &lt;b&gt;"');
    expect(res.text).toMatch(/id="f-name-en"[^>]*aria-describedby="f-name-en-error"[^>]*aria-invalid="true"/);
    expect(res.text).toContain('<a href="#f-key">');
    expect(await templates().countDocuments({ 'name.fr': 'Après l’appel <b>' })).toBe(0);
  });

  it('says beside the key when another template has it', async () => {
    await seed('taken');
    const { agent, csrf } = await admin();
    const res = await agent.post('/admin/templates').type('form').send({ _csrf: await csrf('/admin/templates/new'), key: 'taken', 'name.fr': 'a', 'name.en': 'b' });
    expect(res.status).toBe(422);
    expect(errorFor(res.text, 'f-key')).toBe('The key “taken” is already used by another survey template.');
  });

  it('creates a draft holding the information question, opens the editor and records the creation', async () => {
    const { agent, csrf, user } = await admin();
    const res = await agent
      .post('/admin/templates')
      .type('form')
      .send({ _csrf: await csrf('/admin/templates/new'), key: 'billing-line', 'name.fr': 'Ligne facturation', 'name.en': 'Billing line', from: '' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/templates/billing-line/edit?done=created');
    const stored = await templates().findOne({ key: 'billing-line' });
    expect(stored).toMatchObject({ status: 'active', currentVersion: 0, draft: { questions: [{ id: 'info', type: 'yesno', information: true }] } });
    expect(stored?.draft.questions[0].label).toEqual({ fr: 'Avez-vous obtenu l’information dont vous aviez besoin\u00a0?', en: 'Did you get the information you needed?' });
    expect(await audit().findOne({ action: 'template.create', 'target.id': 'billing-line' })).toMatchObject({
      actor: { type: 'user', id: user.id },
      before: null,
      after: { key: 'billing-line', name: { en: 'Billing line' } },
    });
    const editor = await agent.get(res.headers.location);
    expect(editor.text).toContain('Survey template created: complete it, then publish it.');
  });

  it('can start from a copy of another template’s questions', async () => {
    await seed('original');
    const { agent, csrf } = await admin();
    await agent.post('/admin/templates').type('form').send({ _csrf: await csrf('/admin/templates/new'), key: 'copy', 'name.fr': 'Copie', 'name.en': 'Copy', from: 'original' });
    const stored = await templates().findOne({ key: 'copy' });
    expect(stored?.draft.questions.map((q: { id: string }) => q.id)).toEqual(['info', 'missing', 'csat', 'nps', 'comment']);
  });
});

describe('editing the draft', () => {
  it('saves a change as the draft of the next version, leaves version 1 as it was, and audits before/after', async () => {
    await seed('edit-save');
    const v1 = await versions().findOne({ template: 'edit-save', version: 1 });
    const revision = (await templates().findOne({ key: 'edit-save' }))?.draftRevision;
    const { agent, user } = await admin();
    const res = await editDraft(agent, 'edit-save', (v) => {
      v['questions[2].label.en'] = 'How happy are you with this call?';
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/templates/edit-save/edit?done=saved');
    const stored = await templates().findOne({ key: 'edit-save' });
    expect(stored).toMatchObject({ currentVersion: 1, draftRevision: revision + 1 });
    expect(stored?.draft.questions[2].label.en).toBe('How happy are you with this call?');
    expect(stored?.draft.questions.map((q: { id: string }) => q.id)).toEqual(['info', 'missing', 'csat', 'nps', 'comment']);
    expect(await versions().findOne({ template: 'edit-save', version: 1 })).toEqual(v1);
    const entry = await audit().findOne({ action: 'template.update', 'target.id': 'edit-save' });
    expect(entry).toMatchObject({ actor: { type: 'user', id: user.id } });
    expect(entry?.before.questions[2].label.en).toBe('How satisfied are you with your call?');
    expect(entry?.after.questions[2].label.en).toBe('How happy are you with this call?');
    const page = await agent.get(res.headers.location);
    expect(page.text).toContain('Draft saved.');
    expect(page.text).toContain('Draft of version 2.');
  });

  it('keeps the definition exactly as published when the form is saved unchanged', async () => {
    await seed('no-drift');
    const { agent } = await admin();
    expect((await editDraft(agent, 'no-drift', () => undefined)).status).toBe(303);
    expect((await templates().findOne({ key: 'no-drift' }))?.draft).toEqual((await getPublished('no-drift')).definition);
  });

  it('answers 422 with every message beside its field, keeps everything typed and stores nothing', async () => {
    await seed('edit-invalid');
    const before = await templates().findOne({ key: 'edit-invalid' });
    const { agent } = await admin();
    const res = await editDraft(agent, 'edit-invalid', (v) => {
      v['questions[0].label.fr'] = '';
      v['questions[0].label.en'] = 'Did you get what you needed? <yes>';
      v['questions[4].maxLength'] = 'lots';
      v['questions[2].showIf.question'] = 'nps';
      v['questions[2].showIf.values'] = '9, 10';
    });
    expect(res.status).toBe(422);
    expect(errorFor(res.text, 'f-questions-0-label-fr')).toBe('Required.');
    expect(errorFor(res.text, 'f-questions-4-maxLength')).toBe('Must be a whole number.');
    expect(errorFor(res.text, 'f-questions-2-showIf-question')).toBe('The condition must be on an earlier question: “nps” comes after.');
    expect(res.text).toContain('value="Did you get what you needed? &lt;yes&gt;"');
    expect(res.text).toContain('value="lots"');
    expect(res.text).toContain('value="9, 10"');
    expect(res.text).toMatch(/<option value="nps" selected>/);
    expect(res.text).toMatch(/id="f-questions-4-maxLength"[^>]*aria-describedby="f-questions-4-maxLength-hint f-questions-4-maxLength-error"/);
    expect(res.text).toContain('Question 1 · Question · French: Required.');
    expect(await templates().findOne({ key: 'edit-invalid' })).toEqual(before);
  });

  it('adds a question in French and English with a condition, and publishes it as version 2', async () => {
    await seed('walkthrough');
    const { agent, csrf } = await admin();
    const editor = await agent.get('/admin/templates/walkthrough/edit');
    expect(editor.text).toContain('Add a question');
    const saved = await editDraft(agent, 'walkthrough', (v) => {
      const n = v.newIndex;
      Object.assign(v, {
        [`questions[${n}].type`]: 'choice',
        [`questions[${n}].id`]: 'callback',
        [`questions[${n}].label.fr`]: 'Souhaitez-vous être rappelé ?',
        [`questions[${n}].label.en`]: 'Would you like a call back?',
        [`questions[${n}].showIf.question`]: 'info',
        [`questions[${n}].showIf.values`]: 'non',
        [`questions[${n}].options[0].id`]: 'morning',
        [`questions[${n}].options[0].label.fr`]: 'Le matin',
        [`questions[${n}].options[0].label.en`]: 'In the morning',
        [`questions[${n}].options[1].id`]: 'afternoon',
        [`questions[${n}].options[1].label.fr`]: 'L’après-midi',
        [`questions[${n}].options[1].label.en`]: 'In the afternoon',
      });
    });
    expect(saved.status).toBe(303);
    const draft = (await templates().findOne({ key: 'walkthrough' }))?.draft;
    expect(draft.questions[5]).toEqual({
      id: 'callback',
      type: 'choice',
      label: { fr: 'Souhaitez-vous être rappelé ?', en: 'Would you like a call back?' },
      required: false,
      showIf: { question: 'info', equals: 'no' },
      options: [
        { id: 'morning', label: { fr: 'Le matin', en: 'In the morning' } },
        { id: 'afternoon', label: { fr: 'L’après-midi', en: 'In the afternoon' } },
      ],
    });

    for (const [locale, label, option] of [['fr', 'Souhaitez-vous être rappelé ?', 'Le matin'], ['en', 'Would you like a call back?', 'In the morning']]) {
      const preview = await agent.get(`/admin/templates/walkthrough/preview/draft/${locale}`);
      expect(preview.status).toBe(200);
      expect(preview.text).toContain(label);
      expect(preview.text).toContain(option);
      expect(preview.text).toMatch(/id="phone-q-callback"[^>]* data-show-if="info" data-show-if-values="no" data-condition-unmet>/);
    }

    const confirm = await agent.get('/admin/templates/walkthrough/publish');
    expect(confirm.text).toContain('What changes compared with version 1');
    expect(confirm.text).toMatch(/Questions added<\/h3>\s*<ul><li><code>callback<\/code> — Would you like a call back\?<\/li><\/ul>/);
    const revision = formValues(confirm.text, '/admin/templates/walkthrough/publish').revision;
    const published = await agent.post('/admin/templates/walkthrough/publish').type('form').send({ _csrf: await csrf(), revision });
    expect(published.status).toBe(303);
    expect(published.headers.location).toBe('/admin/templates/walkthrough?done=published');
    const current = await getPublished('walkthrough');
    expect(current.version).toBe(2);
    expect(current.definition.questions.map((q) => q.id)).toEqual(['info', 'missing', 'csat', 'nps', 'comment', 'callback']);
    expect(await templates().findOne({ key: 'walkthrough' })).toMatchObject({ currentVersion: 2, draft: null });
    expect((await versions().findOne({ template: 'walkthrough', version: 1 }))?.definition.questions).toHaveLength(5);
  });

  it('moves a question up or down and removes one with the buttons of the form', async () => {
    await seed('reorder');
    const { agent } = await admin();
    const ids = async () => (await templates().findOne({ key: 'reorder' }))?.draft.questions.map((q: { id: string }) => q.id);
    const down = await editDraft(agent, 'reorder', () => undefined, 'down:2');
    expect(down.headers.location).toBe('/admin/templates/reorder/edit?done=saved#f-questions-3');
    expect(await ids()).toEqual(['info', 'missing', 'nps', 'csat', 'comment']);
    await editDraft(agent, 'reorder', () => undefined, 'up:4');
    expect(await ids()).toEqual(['info', 'missing', 'nps', 'comment', 'csat']);
    await editDraft(agent, 'reorder', () => undefined, 'remove:3');
    expect(await ids()).toEqual(['info', 'missing', 'nps', 'csat']);
  });

  it('refuses to remove a question another one depends on, saying where', async () => {
    await seed('dependency');
    const { agent } = await admin();
    const res = await editDraft(agent, 'dependency', () => undefined, 'remove:0');
    expect(res.status).toBe(422);
    expect(errorFor(res.text, 'f-questions-0-showIf-question')).toBe('There is no question “info”.');
    expect(res.text).toContain('Mark one yes/no question as the information question: exactly one is needed.');
    expect(await templates().findOne({ key: 'dependency' })).toMatchObject({ draft: null });
  });

  it('answers 409 when someone else saved the draft since the page was opened', async () => {
    await seed('concurrent');
    const { agent } = await admin();
    const page = await agent.get('/admin/templates/concurrent/edit');
    const stale = formValues(page.text, '/admin/templates/concurrent/draft');
    await editDraft(agent, 'concurrent', (v) => (v['name.en'] = 'First'));
    const res = await agent.post('/admin/templates/concurrent/draft').type('form').send({ ...stale, 'name.en': 'Second', action: 'save' });
    expect(res.status).toBe(409);
    expect((await templates().findOne({ key: 'concurrent' }))?.draft.name.en).toBe('First');
  });
});
