/**
 * What the survey form partials (views/partials/survey/) show for a template version in
 * one locale: per question its label, help, choices with their checked state, condition
 * and error. Registered as Handlebars helpers so the partials stay self-contained:
 * `{{> survey/form version=... locale=... answers=... errors=...}}`.
 */
import type Handlebars from 'handlebars';
import { DEFAULT_LOCALE, isLocale, translate, type Locale } from '../i18n';
import {
  isScaleType,
  isShown,
  maxLengthOf,
  scalePoints,
  showIfValues,
  type Answers,
  type ConditionValue,
  type Localized,
  type Question,
  type TemplateDefinition,
} from './definition';

export interface ChoiceView {
  id: string;
  value: string;
  label: string;
  hint?: string;
  checked: boolean;
}

export interface QuestionView {
  id: string;
  domId: string;
  type: Question['type'];
  isText: boolean;
  isScale: boolean;
  inputType: 'radio' | 'checkbox';
  label: string;
  help?: string;
  /** "(optional)" in the survey's locale, for optional questions. */
  optional?: string;
  error?: string;
  describedBy?: string;
  choices: ChoiceView[];
  /** Scales: the words at both ends, shown under the points (each point's label also says it). */
  scaleEnds?: { low: string; high: string };
  text: string;
  maxLength: number;
  maxLengthHint: string;
  /** showIf: the earlier question and its values (space-separated) for survey.js. */
  showIfQuestion?: string;
  showIfValues?: string;
  conditionText?: string;
  /** The condition holds for the answers given so far (always true without showIf). */
  shown: boolean;
}

/** A version as the service returns it, or a bare definition (a draft in the preview). */
export type Renderable = { definition: TemplateDefinition } | TemplateDefinition;

export function definitionOf(version: Renderable | undefined | null): TemplateDefinition | undefined {
  if (!version) return undefined;
  return 'definition' in version ? version.definition : version;
}

export function localize(value: Partial<Localized> | undefined | null, locale: Locale): string {
  return value?.[locale] ?? value?.[DEFAULT_LOCALE] ?? '';
}

function choicesOf(question: Question, locale: Locale, answer: Answers[string], domId: string): ChoiceView[] {
  const given = (Array.isArray(answer) ? answer : answer === undefined || answer === null ? [] : [answer]).map(String);
  const make = (value: string, label: string, hint?: string): ChoiceView => ({
    id: `${domId}-${value}`,
    value,
    label,
    hint,
    checked: given.includes(value),
  });
  if (question.type === 'yesno') {
    return [make('yes', translate(locale, 'surveyForm.yes')), make('no', translate(locale, 'surveyForm.no'))];
  }
  if (isScaleType(question.type)) {
    const points = scalePoints(question.type);
    const low = localize(question.scale?.low, locale) || translate(locale, `surveyForm.scale.${question.type}.low`);
    const high = localize(question.scale?.high, locale) || translate(locale, `surveyForm.scale.${question.type}.high`);
    return points.map((p, i) => make(String(p), String(p), i === 0 ? low : i === points.length - 1 ? high : undefined));
  }
  return (question.options ?? []).map((o) => make(o.id, localize(o.label, locale)));
}

/** "“No”", or "“1” or “2”": the answers that make a conditional question apply. */
function conditionText(question: Question, definition: TemplateDefinition, locale: Locale): string | undefined {
  if (!question.showIf) return undefined;
  const source = definition.questions.find((q) => q.id === question.showIf?.question);
  if (!source) return undefined;
  const name = (value: ConditionValue) => {
    if (source.type === 'yesno') return translate(locale, value === 'yes' ? 'surveyForm.yes' : 'surveyForm.no');
    const option = source.options?.find((o) => o.id === value);
    return option ? localize(option.label, locale) : String(value);
  };
  const answers = showIfValues(question.showIf)
    .map((v) => translate(locale, 'surveyForm.quoted', { value: name(v) }))
    .join(translate(locale, 'surveyForm.or'));
  return translate(locale, 'surveyForm.conditional', { answers, question: localize(source.label, locale) });
}

export function questionView(question: Question, definition: TemplateDefinition, options: SurveyViewOptions): QuestionView {
  const { locale, answers = {}, errors = {}, idPrefix = '' } = options;
  const domId = `${idPrefix}q-${question.id}`;
  const error = errors[question.id];
  const help = localize(question.help, locale) || undefined;
  const condition = conditionText(question, definition, locale);
  const describedBy = [condition && `${domId}-condition`, help && `${domId}-help`, error && `${domId}-error`]
    .filter(Boolean)
    .join(' ');
  const answer = answers[question.id];
  const maxLength = maxLengthOf(question);
  const choices = question.type === 'text' ? [] : choicesOf(question, locale, answer, domId);
  return {
    id: question.id,
    domId,
    type: question.type,
    isText: question.type === 'text',
    isScale: isScaleType(question.type),
    inputType: question.type === 'choice' && question.multiple ? 'checkbox' : 'radio',
    label: localize(question.label, locale),
    help,
    optional: question.required ? undefined : translate(locale, 'surveyForm.optional'),
    error,
    describedBy: describedBy || undefined,
    choices,
    scaleEnds: isScaleType(question.type) ? { low: choices[0]?.hint ?? '', high: choices[choices.length - 1]?.hint ?? '' } : undefined,
    text: question.type === 'text' && typeof answer === 'string' ? answer : '',
    maxLength,
    maxLengthHint: translate(locale, 'surveyForm.maxLength', { count: maxLength }),
    showIfQuestion: question.showIf?.question,
    showIfValues: question.showIf ? showIfValues(question.showIf).join(' ') : undefined,
    conditionText: condition,
    shown: isShown(question, answers),
  };
}

export interface SurveyViewOptions {
  locale: Locale;
  answers?: Answers;
  /** Messages by question id, already in the survey's locale. */
  errors?: Record<string, string | undefined>;
  /** Prefix for element ids, when several forms share a page. */
  idPrefix?: string;
}

export function surveyQuestions(version: Renderable | undefined | null, options: SurveyViewOptions): QuestionView[] {
  const definition = definitionOf(version);
  return definition ? definition.questions.map((q) => questionView(q, definition, options)) : [];
}

const asLocale = (value: unknown): Locale => (isLocale(value) ? value : DEFAULT_LOCALE);
const asRecord = <T>(value: unknown): T | undefined => (value && typeof value === 'object' ? (value as T) : undefined);

export function registerSurveyHelpers(hbs: typeof Handlebars): void {
  // {{#each (surveyQuestions version locale answers errors idPrefix)}}
  hbs.registerHelper('surveyQuestions', (version: unknown, locale: unknown, answers: unknown, errors: unknown, idPrefix: unknown) =>
    surveyQuestions(asRecord<Renderable>(version), {
      locale: asLocale(locale),
      answers: asRecord<Answers>(answers),
      errors: asRecord<Record<string, string>>(errors),
      idPrefix: typeof idPrefix === 'string' ? idPrefix : '',
    }),
  );
  // {{surveyText (surveyDefinition version).intro locale}}: a { fr, en } text in the survey's locale.
  hbs.registerHelper('surveyText', (value: unknown, locale: unknown) => localize(asRecord<Localized>(value), asLocale(locale)));
  hbs.registerHelper('surveyDefinition', (version: unknown) => definitionOf(asRecord<Renderable>(version)));
  // {{surveyT "surveyForm.submit" locale}}: an interface string in the survey's locale, not the reader's.
  hbs.registerHelper('surveyT', (key: unknown, locale: unknown, options: Handlebars.HelperOptions) =>
    translate(asLocale(locale), String(key), options?.hash),
  );
}
