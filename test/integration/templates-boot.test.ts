/**
 * Start-up loading of surveys/: every file validated (a bad one stops start-up with the
 * file, the field and what is wrong), missing templates published as version 1, and
 * nothing touched on the next start.
 */
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { StartupError } from '../../server/errors';
import { prepareFeatures } from '../../server/features';
import { getPublished, loadSurveyTemplates, readSurveyFiles, saveDraft, SURVEYS_DIR } from '../../server/templates';
import { testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';
import { createLogger } from '../../server/logger';

useTestDatabase();
afterAll(removeTempDirs);

const templates = () => mongoose.connection.collection('templates');
const versions = () => mongoose.connection.collection('templateversions');
const audit = () => mongoose.connection.collection('auditentries');
const DEFAULT = fs.readFileSync(path.join(SURVEYS_DIR, 'post-call.json'), 'utf8');

function surveysDir(files: Record<string, string>): string {
  const dir = makeTempDir('retour-surveys-');
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

function variant(change: (t: Record<string, any>) => void): string { // eslint-disable-line @typescript-eslint/no-explicit-any
  const t = JSON.parse(DEFAULT);
  change(t);
  return JSON.stringify(t, null, 2);
}

async function startupError(run: () => unknown): Promise<StartupError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof StartupError) return err;
    throw err;
  }
  throw new Error('start-up did not fail');
}

describe('the surveys/ folder of the repository', () => {
  it('publishes post-call as version 1 at first start, with the question ids of DESIGN.md', async () => {
    expect(await loadSurveyTemplates()).toEqual({ imported: ['post-call'] });
    const published = await getPublished('post-call');
    expect(published.version).toBe(1);
    expect(published.definition.questions.map((q) => q.id)).toEqual(['info', 'missing', 'csat', 'nps', 'comment']);
    expect(published.publishedBy).toEqual({ type: 'system' });
    expect(await templates().findOne({ key: 'post-call' })).toMatchObject({ status: 'active', currentVersion: 1, draft: null });
    const actions = (await audit().find({ 'target.id': 'post-call' }).toArray()).map((e) => e.action);
    expect(actions).toEqual(['template.import', 'template.publish']);
  });

  it('leaves the stored template alone on the next start, even when an admin changed it', async () => {
    await saveDraft('post-call', { ...JSON.parse(DEFAULT), name: { fr: 'Modifié', en: 'Changed' } }, { type: 'system' });
    expect(await loadSurveyTemplates()).toEqual({ imported: [] });
    expect(await versions().countDocuments({ template: 'post-call' })).toBe(1);
    expect(await templates().findOne({ key: 'post-call' })).toMatchObject({ currentVersion: 1, draft: { name: { en: 'Changed' } } });
    expect(await audit().countDocuments({ action: 'template.publish', 'target.id': 'post-call' })).toBe(1);
  });
});

describe('a bad file stops start-up', () => {
  it('names the file, the field path and what is wrong', async () => {
    const dir = surveysDir({
      'a-good.json': variant((t) => (t.key = 'good')),
      'broken.json': variant((t) => {
        t.key = 'broken';
        t.questions[1].showIf = { question: 'nps', equals: 3 };
        t.questions[2].label.en = '';
      }),
    });
    const err = await startupError(() => loadSurveyTemplates({ dir }));
    expect(err.message).toContain(path.join(dir, 'broken.json'));
    expect(err.message).toContain('questions[2].label.en is not allowed to be empty');
    expect(err.message).toContain('questions[1].showIf.question must refer to an earlier question');
    expect(err.message).not.toContain('\n');
    // Every file is checked before anything is stored: the good one was not imported either.
    expect(await templates().findOne({ key: 'good' })).toBeNull();
  });

  it('says when a file is not valid JSON', async () => {
    const dir = surveysDir({ 'typo.json': '{ "key": "typo", }' });
    const err = await startupError(() => readSurveyFiles(dir));
    expect(err.message).toMatch(new RegExp(`^Invalid survey template ${path.join(dir, 'typo.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON`));
  });

  it('refuses two files with the same key', async () => {
    const dir = surveysDir({ 'one.json': DEFAULT, 'two.json': DEFAULT });
    const err = await startupError(() => readSurveyFiles(dir));
    expect(err.message).toContain('two.json: key "post-call" is already the key of');
    expect(err.message).toContain('one.json');
  });

  it('refuses a file that is not JSON, and skips notes and hidden files', async () => {
    expect(readSurveyFiles(surveysDir({ 'README.md': '# notes', '.keep': '' }))).toEqual([]);
    const err = await startupError(() => readSurveyFiles(surveysDir({ 'survey.yaml': 'key: x' })));
    expect(err.message).toContain('survey.yaml: only .json files are read');
  });

  it('stops prepareFeatures(), the start-up step of server/main.ts, with the same message', async () => {
    const config = testConfig();
    const dir = surveysDir({ 'bad.json': variant((t) => (t.questions[0].type = 'stars')) });
    const err = await startupError(() => prepareFeatures({ config, logger: createLogger(config), surveysDir: dir }));
    expect(err.message).toMatch(/bad\.json: questions\[0\]\.type must be one of \[yesno, csat, nps, ces, choice, text\]/);
  });
});
