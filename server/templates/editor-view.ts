/**
 * The editor page's view model: every input of the template form with its name, id,
 * value as typed and the translated message of its issue, so the Handlebars view only
 * lays them out. Messages come from `templates.issues.*`, else the English message.
 */
import { lookup, type Locale, type Translate } from '../i18n';
import { QUESTION_TYPES } from './definition';
import { blankQuestion, formField, type Pair, type QuestionForm, type TemplateForm } from './form';
import type { TemplateIssue } from './validate-definition';

export interface FieldView {
  name: string;
  domId: string;
  value: string;
  error?: string;
  describedBy?: string;
}

export type ErrorMap = Record<string, string>;

export const domIdOf = (name: string) => `f-${name.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '')}`;

/** The issue's message in the reader's language (`templates.issues.<type>`), else the English one. */
export function translateIssue(issue: TemplateIssue, t: Translate, locale: Locale): string {
  const key = `templates.issues.${issue.type.replace(/\./g, '_')}`;
  return lookup(locale, key) ? t(key, issue.context) : issue.message;
}

/** Form field → message, the first issue of each field, translated. */
export function issueMessages(issues: TemplateIssue[], t: Translate, locale: Locale): ErrorMap {
  const errors: ErrorMap = {};
  for (const issue of issues) errors[formField(issue.field)] ??= translateIssue(issue, t, locale);
  return errors;
}

/** "Question 3 · Label · English" for `questions[2].label.en`: where an issue is, in words. */
export function describeField(path: string, t: Translate, locale: Locale): string {
  return path
    .split('.')
    .map((part) => {
      const m = /^(\w+)\[(\d+)\]$/.exec(part);
      const key = m ? `templates.paths.${m[1]}Item` : `templates.paths.${part}`;
      if (!lookup(locale, key)) return part;
      return m ? t(key, { number: Number(m[2]) + 1 }) : t(key);
    })
    .join(' · ');
}

/** The summary at the top of the form: each message, where it is, linking to its field. */
export function errorSummary(errors: ErrorMap, t: Translate, locale: Locale): { href: string; message: string }[] {
  return Object.entries(errors).map(([name, message]) => ({ href: `#${domIdOf(name)}`, message: t('templates.editor.summaryItem', { where: describeField(name, t, locale), message }) }));
}

export function field(name: string, value: string, errors: ErrorMap, hint = false): FieldView {
  const domId = domIdOf(name);
  const error = errors[name];
  const describedBy = [hint && `${domId}-hint`, error && `${domId}-error`].filter(Boolean).join(' ');
  return { name, domId, value, error, describedBy: describedBy || undefined };
}

const pairFields = (name: string, value: Pair, errors: ErrorMap) => ({
  fr: field(`${name}.fr`, value.fr, errors),
  en: field(`${name}.en`, value.en, errors),
});

export interface EditorContext {
  t: Translate;
  locale: Locale;
  errors: ErrorMap;
  /** Ids of the questions in the published version: their id is kept (read-only). */
  publishedIds: Set<string>;
}

function questionView(q: QuestionForm, index: number, all: QuestionForm[], ctx: EditorContext, isNew: boolean) {
  const { t, errors } = ctx;
  const at = `questions[${index}]`;
  const earlier = all.slice(0, index).filter((other) => other.id !== '');
  const choices = [
    { value: '', label: t('templates.editor.noCondition') },
    ...earlier.map((other) => ({ value: other.id, label: `${other.id} — ${other.label[ctx.locale] || other.label.fr}` })),
  ];
  if (q.showIfQuestion && !choices.some((c) => c.value === q.showIfQuestion)) choices.push({ value: q.showIfQuestion, label: q.showIfQuestion });
  const rows = [...q.options, { id: '', label: { fr: '', en: '' } }, { id: '', label: { fr: '', en: '' } }];
  return {
    index,
    number: index + 1,
    isNew,
    at,
    domId: domIdOf(at),
    title: isNew ? t('templates.editor.newQuestion') : t('templates.editor.questionTitle', { number: index + 1, id: q.id || '…' }),
    canUp: !isNew && index > 0,
    canDown: !isNew && index < all.length - 1,
    upValue: `up:${index}`,
    downValue: `down:${index}`,
    removeValue: `remove:${index}`,
    error: errors[at],
    id: { ...field(`${at}.id`, q.id, errors, true), readonly: !isNew && ctx.publishedIds.has(q.id) },
    type: {
      ...field(`${at}.type`, q.type, errors),
      options: QUESTION_TYPES.map((value) => ({ value, label: t(`templates.types.${value}`), selected: value === q.type })),
    },
    label: pairFields(`${at}.label`, q.label, errors),
    help: pairFields(`${at}.help`, q.help, errors),
    required: { ...field(`${at}.required`, 'on', errors), checked: q.required },
    information: { ...field(`${at}.information`, String(index), errors), name: 'information', checked: q.information },
    showIf: {
      question: { ...field(`${at}.showIf.question`, q.showIfQuestion, errors), options: choices.map((c) => ({ ...c, selected: c.value === q.showIfQuestion })) },
      values: field(`${at}.showIf.values`, q.showIfValues, errors, true),
    },
    options: {
      error: errors[`${at}.options`],
      domId: domIdOf(`${at}.options`),
      rows: rows.map((o, k) => ({
        number: k + 1,
        id: field(`${at}.options[${k}].id`, o.id, errors),
        label: pairFields(`${at}.options[${k}].label`, o.label, errors),
      })),
    },
    multiple: { ...field(`${at}.multiple`, 'on', errors), checked: q.multiple },
    maxLength: field(`${at}.maxLength`, q.maxLength, errors, true),
    scaleLow: pairFields(`${at}.scale.low`, q.scaleLow, errors),
    scaleHigh: pairFields(`${at}.scale.high`, q.scaleHigh, errors),
  };
}

/** Everything editor.hbs shows: the template's fields, one block per question, and an empty block to add one. */
export function editorView(form: TemplateForm, ctx: EditorContext) {
  const { errors } = ctx;
  const questions = form.questions.map((q, i) => questionView(q, i, form.questions, ctx, false));
  const newIndex = form.questions.length;
  const extra = questionView(blankQuestion(), newIndex, [...form.questions, blankQuestion()], ctx, true);
  return {
    key: form.key,
    name: pairFields('name', form.name, errors),
    intro: pairFields('intro', form.intro, errors),
    questionsError: errors.questions,
    questionsDomId: domIdOf('questions'),
    questions,
    newQuestion: extra,
    newIndex,
  };
}
