/**
 * Admin pages of survey templates around the editor: the list, a new template, a
 * template's page (versions, actions), archive, discard, import and export. Forms follow
 * Post/Redirect/Get; a 422 shows the form again with messages beside the fields.
 */
import type { Request, Response } from 'express';
import { actorOf, type AuditActor } from '../audit';
import { Invalid } from '../errors';
import { translate } from '../i18n';
import type { TemplateDefinition } from './definition';
import { domIdOf, errorSummary, field, issueMessages, translateIssue, type ErrorMap } from './editor-view';
import { createTemplate, discardDraft, importTemplate, setArchived } from './editing';
import { exportTemplate, getTemplate, listTemplates, listVersions } from './service';
import type { TemplateIssue } from './validate-definition';

const DONE = new Set(['created', 'saved', 'published', 'archived', 'unarchived', 'discarded', 'imported']);

/** The notice after a redirect (`?done=saved`), from a fixed list. */
export function doneNotice(req: Request, res: Response): string | undefined {
  const done = typeof req.query.done === 'string' && DONE.has(req.query.done) ? req.query.done : undefined;
  return done && res.locals.t(`templates.done.${done}`);
}

const keyOf = (req: Request) => String(req.params.key);
const str = (v: unknown) => (typeof v === 'string' ? v : '');
export const templatePath = (key: string, rest = '') => `/admin/templates/${encodeURIComponent(key)}${rest}`;

export function issuesOf(err: unknown): TemplateIssue[] | null {
  return err instanceof Invalid && Array.isArray(err.details) ? (err.details as TemplateIssue[]) : null;
}

export function actorLabel(actor: AuditActor | undefined, res: Response): string {
  if (actor?.type === 'user') return actor.email;
  if (actor?.type === 'apiKey') return actor.name;
  return res.locals.t('templates.overview.system');
}

// GET /admin/templates: every template with its status, current version and pending draft.
export async function showTemplates(req: Request, res: Response): Promise<void> {
  const templates = await listTemplates();
  res.render('admin/templates/list', { title: res.locals.t('templates.title'), templates, notice: doneNotice(req, res) });
}

function renderNew(res: Response, values: Record<string, string>, errors: ErrorMap, sources: { key: string; label: string }[]) {
  const { t } = res.locals;
  res.render('admin/templates/new', {
    title: t('templates.new.title'),
    summary: errorSummary(errors, t, res.locals.locale),
    key: field('key', values.key ?? '', errors, true),
    nameFr: field('name.fr', values['name.fr'] ?? '', errors),
    nameEn: field('name.en', values['name.en'] ?? '', errors),
    sources: sources.map((s) => ({ ...s, selected: s.key === values.from })),
    fromId: domIdOf('from'),
  });
}

async function copySources(res: Response) {
  return (await listTemplates()).map((s) => ({ key: s.key, label: `${s.name[res.locals.locale]} (${s.key})` }));
}

// GET /admin/templates/new: key, names and what to start from.
export async function showNewTemplate(_req: Request, res: Response): Promise<void> {
  renderNew(res, {}, {}, await copySources(res));
}

/** The first question every template needs: the information question, in both languages. */
function startingQuestions(): TemplateDefinition['questions'] {
  const label = { fr: translate('fr', 'templates.new.infoLabel'), en: translate('en', 'templates.new.infoLabel') };
  return [{ id: 'info', type: 'yesno', label, required: true, information: true }];
}

// POST /admin/templates: create the template (a draft), then open the editor.
export async function submitNewTemplate(req: Request, res: Response): Promise<void> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const values = { key: str(body.key).trim(), 'name.fr': str(body['name.fr']), 'name.en': str(body['name.en']), from: str(body.from) };
  const questions = values.from ? (await exportTemplate(values.from)).definition.questions : startingQuestions();
  const input = { key: values.key, name: { fr: values['name.fr'], en: values['name.en'] }, questions };
  try {
    await createTemplate(input, actorOf(res));
  } catch (err) {
    const issues = issuesOf(err);
    if (!issues) throw err;
    res.status(422);
    return renderNew(res, values, issueMessages(issues, res.locals.t, res.locals.locale), await copySources(res));
  }
  res.redirect(303, templatePath(values.key, '/edit?done=created'));
}

// GET /admin/templates/:key: status, versions (preview, export) and what can be done next.
export async function showTemplate(req: Request, res: Response): Promise<void> {
  const template = await getTemplate(keyOf(req));
  const versions = (await listVersions(template.key)).map((v) => ({
    version: v.version,
    publishedAt: v.publishedAt,
    by: actorLabel(v.publishedBy, res),
    current: v.version === template.currentVersion,
    questions: v.definition.questions.length,
  }));
  res.render('admin/templates/show', {
    title: template.name[res.locals.locale],
    template,
    versions,
    archived: template.status === 'archived',
    nextVersion: template.currentVersion + 1,
    canDiscard: template.hasDraft && template.currentVersion > 0,
    notice: doneNotice(req, res),
  });
}

// POST /admin/templates/:key/archive: no new invitations use it; versions and answers stay.
export async function submitArchive(req: Request, res: Response): Promise<void> {
  await setArchived(keyOf(req), true, actorOf(res));
  res.redirect(303, templatePath(keyOf(req), '?done=archived'));
}

// POST /admin/templates/:key/unarchive: the template can be used and edited again.
export async function submitUnarchive(req: Request, res: Response): Promise<void> {
  await setArchived(keyOf(req), false, actorOf(res));
  res.redirect(303, templatePath(keyOf(req), '?done=unarchived'));
}

// POST /admin/templates/:key/draft/discard: drop the draft, back to the published version.
export async function submitDiscard(req: Request, res: Response): Promise<void> {
  await discardDraft(keyOf(req), actorOf(res));
  res.redirect(303, templatePath(keyOf(req), '?done=discarded'));
}

// GET /admin/templates/:key/export?version=N|draft: the definition as a JSON file (the surveys/ format).
export async function exportJson(req: Request, res: Response): Promise<void> {
  const { query } = res.locals.input as { query: { version?: number | 'draft' } };
  const { definition, filename } = await exportTemplate(keyOf(req), query.version);
  res.attachment(filename);
  res.type('application/json').send(JSON.stringify(definition, null, 2) + '\n');
}

function renderImport(res: Response, json: string, errors: string[]) {
  const { t } = res.locals;
  const jsonField = { ...field('json', json, errors.length ? { json: errors[0] ?? '' } : {}, true), errors };
  res.render('admin/templates/import', {
    title: t('templates.import.title'),
    summary: errors.length ? [{ href: `#${jsonField.domId}`, message: t('templates.import.hasErrors', { count: errors.length }) }] : [],
    json: jsonField,
  });
}

// GET /admin/templates/import: paste (or, with JavaScript, pick) a template file.
export function showImport(_req: Request, res: Response): void {
  renderImport(res, '', []);
}

// POST /admin/templates/import: a new template, or the draft of the template with that key.
export async function submitImport(req: Request, res: Response): Promise<void> {
  const json = str((req.body as Record<string, unknown> | undefined)?.json);
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch (err) {
    return renderImport(res.status(422), json, [res.locals.t('templates.import.notJson', { reason: (err as Error).message })]);
  }
  let key: string;
  try {
    ({ key } = await importTemplate(input, actorOf(res)));
  } catch (err) {
    const issues = issuesOf(err);
    if (!issues) throw err;
    const { t, locale } = res.locals;
    return renderImport(res.status(422), json, issues.map((i) => `${i.field} — ${translateIssue(i, t, locale)}`));
  }
  res.redirect(303, templatePath(key, '?done=imported'));
}
