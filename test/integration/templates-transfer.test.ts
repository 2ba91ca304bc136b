/**
 * Taking templates in and out of service: archive and unarchive, discarding a draft,
 * export of a version or the draft as JSON (the surveys/ format) and import back, with
 * the audit trail of each change.
 */
import mongoose from 'mongoose';
import { getPublished, getVersion } from '../../server/templates';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { errorFor, formValues, unescapeHtml } from '../helpers/html-form';
import { loginAs } from '../helpers/staff';
import { DEFAULT_TEMPLATE, editDraft, seedTemplate as seed } from '../helpers/templates';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();
const templates = () => mongoose.connection.collection('templates');
const versions = () => mongoose.connection.collection('templateversions');
const audit = () => mongoose.connection.collection('auditentries');
const admin = () => loginAs(app, { role: 'admin', locale: 'en' });

describe('archiving', () => {
  it('takes a template out of service without touching its versions, then back', async () => {
    await seed('seasonal');
    const v1 = await getPublished('seasonal');
    const { agent, csrf, user } = await admin();
    const res = await agent.post('/admin/templates/seasonal/archive').type('form').send({ _csrf: await csrf() });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/templates/seasonal?done=archived');
    expect(await templates().findOne({ key: 'seasonal' })).toMatchObject({ status: 'archived', currentVersion: 1 });
    await expect(getPublished('seasonal')).rejects.toMatchObject({ status: 410, code: 'TEMPLATE_ARCHIVED' });
    expect(await getVersion(v1.id)).toEqual(v1);

    const page = await agent.get(res.headers.location);
    expect(page.text).toContain('Survey template archived.');
    expect(page.text).toContain('Archived: new invitations no longer use it');
    expect((await agent.get('/admin/templates')).text).toMatch(/seasonal[\s\S]*?Archived/);
    const edit = await agent.post('/admin/templates/seasonal/draft').type('form').send({ _csrf: await csrf(), 'name.fr': 'a', 'name.en': 'b' });
    expect(edit.status).toBe(409);

    await agent.post('/admin/templates/seasonal/unarchive').type('form').send({ _csrf: await csrf() });
    expect((await getPublished('seasonal')).id).toBe(v1.id);
    const entries = await audit().find({ 'target.id': 'seasonal', 'actor.type': 'user' }).sort({ at: 1, _id: 1 }).toArray();
    expect(entries.map((e) => [e.action, e.actor.id, e.before, e.after])).toEqual([
      ['template.archive', user.id, { status: 'active' }, { status: 'archived' }],
      ['template.unarchive', user.id, { status: 'archived' }, { status: 'active' }],
    ]);
  });
});

describe('discarding a draft', () => {
  it('goes back to the published version and records what was dropped', async () => {
    await seed('second-thoughts');
    const { agent, csrf } = await admin();
    await editDraft(agent, 'second-thoughts', (v) => (v['name.en'] = 'Oops'));
    const res = await agent.post('/admin/templates/second-thoughts/draft/discard').type('form').send({ _csrf: await csrf() });
    expect(res.status).toBe(303);
    expect(await templates().findOne({ key: 'second-thoughts' })).toMatchObject({ draft: null, name: { en: 'After your call' } });
    expect(await audit().findOne({ action: 'template.discard', 'target.id': 'second-thoughts' })).toMatchObject({ before: { name: { en: 'Oops' } }, after: null });
  });
});

describe('export and import', () => {
  it('exports a version as a JSON file in the surveys/ format', async () => {
    await seed('exported');
    const { agent } = await admin();
    const res = await agent.get('/admin/templates/exported/export?version=1');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?exported-v1\.json"?$/);
    expect(JSON.parse(res.text)).toEqual({ ...DEFAULT_TEMPLATE, key: 'exported' });
    expect((await agent.get('/admin/templates/exported/export?version=draft')).status).toBe(404);
    expect((await agent.get('/admin/templates/exported/export?version=9')).status).toBe(404);
  });

  it('round-trips: an exported version imported back is the same definition, and an edited one becomes the draft', async () => {
    await seed('round-trip');
    const { agent, csrf, user } = await admin();
    const exported = (await agent.get('/admin/templates/round-trip/export')).text;
    const same = await agent.post('/admin/templates/import').type('form').send({ _csrf: await csrf(), json: exported });
    expect(same.status).toBe(303);
    expect((await templates().findOne({ key: 'round-trip' }))?.draft).toEqual((await getPublished('round-trip')).definition);
    expect((await agent.get('/admin/templates/round-trip/publish')).text).toContain('No difference from the current version.');

    const changed = { ...JSON.parse(exported), name: { fr: 'Après l’appel', en: 'After the call' } };
    const res = await agent.post('/admin/templates/import').type('form').send({ _csrf: await csrf(), json: JSON.stringify(changed) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/templates/round-trip?done=imported');
    expect(await templates().findOne({ key: 'round-trip' })).toMatchObject({ currentVersion: 1, draft: changed });
    expect((await versions().findOne({ template: 'round-trip', version: 1 }))?.definition.name.en).toBe('After your call');
    const imports = await audit().find({ action: 'template.import', 'target.id': 'round-trip', 'actor.type': 'user' }).sort({ at: 1, _id: 1 }).toArray();
    expect(imports).toHaveLength(2);
    expect(imports[1]).toMatchObject({
      actor: { id: user.id },
      before: { name: { en: 'After your call' } },
      after: { name: { en: 'After the call' } },
    });
    const draft = await agent.get('/admin/templates/round-trip/export?version=draft');
    expect(draft.headers['content-disposition']).toMatch(/^attachment; filename="?round-trip-draft\.json"?$/);
    expect(JSON.parse(draft.text)).toEqual(changed);
  });

  it('creates a template from a file with a new key, as a draft to publish', async () => {
    const { agent, csrf } = await admin();
    const json = JSON.stringify({ ...DEFAULT_TEMPLATE, key: 'from-file' }, null, 2);
    const res = await agent.post('/admin/templates/import').type('form').send({ _csrf: await csrf(), json });
    expect(res.status).toBe(303);
    expect(await templates().findOne({ key: 'from-file' })).toMatchObject({ currentVersion: 0, draft: { key: 'from-file' } });
    const publish = await agent.get('/admin/templates/from-file/publish');
    expect(publish.text).toContain('First version');
    await agent.post('/admin/templates/from-file/publish').type('form').send({ _csrf: await csrf(), ...formValues(publish.text, '/publish') });
    expect((await getPublished('from-file')).version).toBe(1);
  });

  it('answers 422 for text that is not JSON, keeping it in the box', async () => {
    const { agent, csrf } = await admin();
    const json = '{ "key": "broken", <oops> }';
    const res = await agent.post('/admin/templates/import').type('form').send({ _csrf: await csrf(), json });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/This is not valid JSON \(/);
    expect(unescapeHtml(res.text)).toContain(`>${json}</textarea>`);
    expect(res.text).toMatch(/<textarea id="f-json"[^>]*aria-describedby="f-json-hint f-json-error"[^>]*aria-invalid="true"/);
  });

  it('answers 422 listing each wrong field of the file by its path, and stores nothing', async () => {
    const { agent, csrf } = await admin();
    const bad = structuredClone({ ...DEFAULT_TEMPLATE, key: 'bad-import' });
    bad.questions[1]!.showIf = { question: 'csat', equals: 2 };
    bad.questions[3]!.label.en = '';
    const res = await agent.post('/admin/templates/import').type('form').send({ _csrf: await csrf(), json: JSON.stringify(bad) });
    expect(res.status).toBe(422);
    expect(res.text).toContain('<li>questions[3].label.en — Required.</li>');
    expect(unescapeHtml(res.text)).toContain('<li>questions[1].showIf.question — The condition must be on an earlier question: “csat” comes after.</li>');
    expect(errorFor(res.text, 'f-json')).toBeUndefined();
    expect(await templates().findOne({ key: 'bad-import' })).toBeNull();
  });
});
