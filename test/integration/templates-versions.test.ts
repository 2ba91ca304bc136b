/**
 * Published versions: immutable once written, what responses keep pointing at, the
 * publish confirmation (what changes) and its guard against a draft changed meanwhile,
 * and the audit entry of each publication.
 */
import mongoose from 'mongoose';
import { getPublished, getVersion } from '../../server/templates';
import { TemplateVersion } from '../../server/templates/model';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { formValues } from '../helpers/html-form';
import { loginAs } from '../helpers/staff';
import { editDraft, seedTemplate as seed } from '../helpers/templates';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();
const templates = () => mongoose.connection.collection('templates');
const versions = () => mongoose.connection.collection('templateversions');
const audit = () => mongoose.connection.collection('auditentries');
const admin = () => loginAs(app, { role: 'admin', locale: 'en' });

describe('publishing and versions', () => {
  it('keeps every published version as it was: responses keep pointing at the one they answered', async () => {
    await seed('history');
    const v1 = await getPublished('history');
    const stored = await versions().findOne({ template: 'history', version: 1 });
    const { agent, csrf } = await admin();
    await editDraft(agent, 'history', (v) => {
      v['questions[0].label.en'] = 'Did we answer your question?';
    });
    await agent.post('/admin/templates/history/publish').type('form').send({ _csrf: await csrf() });
    expect((await getPublished('history')).version).toBe(2);
    // A response stored with versionId = v1.id still reads exactly the wording it answered.
    const answered = await getVersion(v1.id);
    expect(answered).toEqual(v1);
    expect(answered.definition.questions[0]?.label.en).toBe('Did you get the information you needed?');
    expect(await versions().findOne({ _id: stored?._id })).toEqual(stored);
  });

  it('refuses any change to a published version, even through the model', async () => {
    await seed('frozen');
    await expect(TemplateVersion.updateOne({ template: 'frozen', version: 1 }, { $set: { 'definition.key': 'x' } })).rejects.toMatchObject({ code: 'VERSION_IMMUTABLE' });
    await expect(TemplateVersion.deleteOne({ template: 'frozen', version: 1 })).rejects.toMatchObject({ code: 'VERSION_IMMUTABLE' });
    const doc = await TemplateVersion.findOne({ template: 'frozen', version: 1 });
    doc?.set('version', 7);
    await expect(doc?.save()).rejects.toMatchObject({ code: 'VERSION_IMMUTABLE' });
    expect(await versions().countDocuments({ template: 'frozen' })).toBe(1);
  });

  it('records each publication with the previous and the new version', async () => {
    await seed('audited');
    const { agent, csrf, user } = await admin();
    await editDraft(agent, 'audited', (v) => (v['questions[3].required'] = 'on'));
    await agent.post('/admin/templates/audited/publish').type('form').send({ _csrf: await csrf() });
    const entry = await audit().findOne({ action: 'template.publish', 'target.id': 'audited', 'actor.type': 'user' });
    expect(entry).toMatchObject({ actor: { id: user.id }, before: { version: 1 }, after: { version: 2 } });
    expect(entry?.before.definition.questions[3].required).toBe(false);
    expect(entry?.after.definition.questions[3].required).toBe(true);
  });

  it('shows what changed before publishing, and has nothing to publish without a draft', async () => {
    await seed('changes');
    const { agent, csrf } = await admin();
    const nothing = await agent.get('/admin/templates/changes/publish');
    expect(nothing.text).toContain('There is no draft to publish.');
    expect((await agent.post('/admin/templates/changes/publish').type('form').send({ _csrf: await csrf() })).status).toBe(409);
    await editDraft(agent, 'changes', (v) => {
      v['questions[2].label.fr'] = 'Votre satisfaction ?';
      delete v['questions[2].required'];
    }, 'remove:4');
    const confirm = await agent.get('/admin/templates/changes/publish');
    expect(confirm.text).toMatch(/Questions removed<\/h3>\s*<ul><li><code>comment<\/code>/);
    expect(confirm.text).toMatch(/<code>csat<\/code> — How satisfied are you with your call\? <span class="tpl-hint">\(Question, Required\)<\/span>/);
  });

  it('refuses to publish a draft that changed since the confirmation page', async () => {
    await seed('raced');
    const { agent, csrf } = await admin();
    await editDraft(agent, 'raced', (v) => (v['name.en'] = 'One'));
    const confirm = await agent.get('/admin/templates/raced/publish');
    const { revision } = formValues(confirm.text, '/admin/templates/raced/publish');
    await editDraft(agent, 'raced', (v) => (v['name.en'] = 'Two'));
    const res = await agent.post('/admin/templates/raced/publish').type('form').send({ _csrf: await csrf(), revision });
    expect(res.status).toBe(409);
    expect(await templates().findOne({ key: 'raced' })).toMatchObject({ currentVersion: 1 });
  });
});
