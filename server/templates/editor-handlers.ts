/**
 * The editor pages: edit the draft (one form; its buttons save, remove or move a
 * question), preview a draft or version as a customer sees it, and publish with a
 * summary of what changes. Rules stay in editing.ts and publishing.ts.
 */
import type { Request, Response } from 'express';
import { actorOf } from '../audit';
import type { Locale } from '../i18n';
import { LOCALES } from '../i18n';
import type { Answers, Question, TemplateDefinition } from './definition';
import { saveDraft } from './editing';
import { describeField, domIdOf, editorView, errorSummary, issueMessages, type ErrorMap } from './editor-view';
import { applyAction, definitionFromForm, formFromBody, formFromDefinition, parseAction, type TemplateForm } from './form';
import { doneNotice, issuesOf, templatePath } from './handlers';
import { diffDefinitions, publish } from './publishing';
import type { TemplateWithDraft } from './records';
import { getTemplate, getVersionByNumber, workingCopy } from './service';

const keyOf = (req: Request) => String(req.params.key);

interface EditorPage {
  template: TemplateWithDraft;
  form: TemplateForm;
  errors: ErrorMap;
  revision: number;
  publishedIds: Set<string>;
  notice?: string;
}

function renderEditor(res: Response, page: EditorPage): void {
  const { t, locale } = res.locals;
  res.render('admin/templates/edit', {
    title: t('templates.editor.title', { name: page.template.name[locale] }),
    template: page.template,
    archived: page.template.status === 'archived',
    basedOn: page.template.hasDraft ? undefined : page.template.currentVersion,
    nextVersion: page.template.currentVersion + 1,
    revision: page.revision,
    summary: errorSummary(page.errors, t, locale),
    editor: editorView(page.form, { t, locale, errors: page.errors, publishedIds: page.publishedIds }),
    notice: page.notice,
  });
}

// GET /admin/templates/:key/edit: the draft (or the published version, as a start for the next one).
export async function showEditor(req: Request, res: Response): Promise<void> {
  const { template, definition, published } = await workingCopy(keyOf(req));
  renderEditor(res, {
    template,
    form: formFromDefinition(definition),
    errors: {},
    revision: template.draftRevision,
    publishedIds: new Set(published?.definition.questions.map((q) => q.id)),
    notice: doneNotice(req, res),
  });
}

// POST /admin/templates/:key/draft: save the draft after the button's change (remove, move) — or 422 with the form as typed.
export async function submitDraft(req: Request, res: Response): Promise<void> {
  const key = keyOf(req);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const { revision } = (res.locals.input.body ?? {}) as { revision?: number };
  const action = parseAction(body.action);
  const form = applyAction(formFromBody(body, key), action);
  try {
    await saveDraft(key, definitionFromForm(form), actorOf(res), { revision });
  } catch (err) {
    const issues = issuesOf(err);
    if (!issues) throw err;
    const { template, published } = await workingCopy(key);
    const errors = issueMessages(issues, res.locals.t, res.locals.locale);
    const publishedIds = new Set(published?.definition.questions.map((q) => q.id));
    return renderEditor(res.status(422), { template, form, errors, revision: revision ?? template.draftRevision, publishedIds });
  }
  const moved = action.kind === 'up' ? action.index - 1 : action.kind === 'down' ? action.index + 1 : undefined;
  const anchor = moved !== undefined ? `#${domIdOf(`questions[${moved}]`)}` : action.kind === 'remove' ? '#questions' : '';
  res.redirect(303, templatePath(key, `/edit?done=saved${anchor}`));
}

// GET /admin/templates/:key/preview: the draft if there is one, else the current version, in the reader's language.
export async function redirectPreview(req: Request, res: Response): Promise<void> {
  const template = await getTemplate(keyOf(req));
  const version = template.hasDraft || template.currentVersion === 0 ? 'draft' : String(template.currentVersion);
  res.redirect(templatePath(template.key, `/preview/${version}/${res.locals.locale}`));
}

/** Answers typed into the preview (it submits to itself with GET), by question id. */
function previewAnswers(definition: TemplateDefinition, query: Request['query']): Answers {
  const answers: Answers = {};
  for (const q of definition.questions) {
    const value = query[q.id];
    if (typeof value === 'string') answers[q.id] = value;
    else if (Array.isArray(value)) answers[q.id] = value.filter((v): v is string => typeof v === 'string');
  }
  return answers;
}

// GET /admin/templates/:key/preview/:version/:locale: the survey as a customer sees it, on a phone and full width; posts nowhere.
export async function showPreview(req: Request, res: Response): Promise<void> {
  const { params } = res.locals.input as { params: { version: number | 'draft'; locale: Locale } };
  const template = await getTemplate(keyOf(req));
  const definition =
    params.version === 'draft' ? (template.draft ?? (await workingCopy(template.key)).definition) : (await getVersionByNumber(template.key, params.version)).definition;
  const { t } = res.locals;
  const surveyLocale = params.locale;
  res.render('admin/templates/preview', {
    title: t('templates.preview.title', { name: definition.name[res.locals.locale] }),
    template,
    versionLabel: params.version === 'draft' ? t('templates.preview.draft') : t('templates.preview.version', { version: params.version }),
    survey: { definition },
    surveyName: definition.name[surveyLocale],
    surveyLocale,
    locales: LOCALES.map((l) => ({ locale: l, label: t(`templates.locales.${l}`), current: l === surveyLocale, href: templatePath(template.key, `/preview/${params.version}/${l}`) })),
    answers: previewAnswers(definition, req.query),
    selfHref: templatePath(template.key, `/preview/${params.version}/${surveyLocale}`),
  });
}

function questionSummary(q: Question, locale: Locale) {
  return { id: q.id, label: q.label[locale] };
}

// GET /admin/templates/:key/publish: what publishing the draft changes, and the button to do it.
export async function showPublish(req: Request, res: Response): Promise<void> {
  const template = await getTemplate(keyOf(req));
  const { t, locale } = res.locals;
  const title = t('templates.publish.title', { name: template.name[locale], version: template.currentVersion + 1 });
  if (!template.draft) return res.render('admin/templates/publish', { title, template, nothing: true, nextVersion: template.currentVersion + 1 });
  const previous = template.currentVersion > 0 ? (await getVersionByNumber(template.key, template.currentVersion)).definition : null;
  const diff = diffDefinitions(previous, template.draft);
  res.render('admin/templates/publish', {
    title,
    template,
    archived: template.status === 'archived',
    nextVersion: template.currentVersion + 1,
    revision: template.draftRevision,
    diff: {
      ...diff,
      added: diff.added.map((q) => questionSummary(q, locale)),
      removed: diff.removed.map((q) => questionSummary(q, locale)),
      changed: diff.changed.map((c) => ({ ...questionSummary(c.question, locale), fields: c.fields.map((f) => describeField(f, t, locale)).join(', ') })),
    },
    previewHref: templatePath(template.key, `/preview/draft/${locale}`),
  });
}

// POST /admin/templates/:key/publish: the draft becomes the next version (the one new invitations use).
export async function submitPublish(req: Request, res: Response): Promise<void> {
  const { revision } = (res.locals.input.body ?? {}) as { revision?: number };
  await publish(keyOf(req), actorOf(res), { revision });
  res.redirect(303, templatePath(keyOf(req), '?done=published'));
}
