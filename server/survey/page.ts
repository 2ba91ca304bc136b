/**
 * What the survey pages show (views/survey/): the form with the answers so far, the
 * messages beside each question and in the summary at the top, the follow-up question a
 * submit revealed, the thank-you and closed pages. Renders only; no I/O but the render.
 */
import type { Response } from 'express';
import type { Channel } from '../responses';
import { isScaleType, localize, maxLengthOf, SCALES, type Answers, type Question, type TemplateDefinition } from '../templates';
import { hiddenQuestions, type AnswerIssue } from './answers';
import type { Survey } from './service';

/** Customers' pages carry only their own stylesheet (views/layouts/customer.hbs). */
const LAYOUT = 'customer';

export interface FormState {
  /** The answers to show: stored, preselected or as submitted (invalid ones included, to be corrected). */
  answers: Answers | Record<string, unknown>;
  issues?: AnswerIssue[];
  /** Follow-up questions a submit revealed (the page had not shown them). */
  revealed?: Question[];
  /** The question of the email's one-click answer, for the page's script to save at once. */
  oneClick?: string;
  channel?: Channel;
}

export function surveyHref(token: string, locale: string, extra = ''): string {
  return `/s/${encodeURIComponent(token)}?lang=${locale}${extra}`;
}

/** The message beside a question for an issue, in the page's language. */
export function issueMessage(res: Response, question: Question | undefined, issue: AnswerIssue): string {
  const t = res.locals.t;
  if (issue.problem === 'unknown' || !question) return t('survey.errors.unknown');
  if (issue.problem === 'required') return t('survey.errors.required');
  if (issue.problem === 'tooLong') return t('survey.errors.tooLong', { max: maxLengthOf(question) });
  if (isScaleType(question.type)) return t('survey.errors.scale', SCALES[question.type]);
  if (question.type === 'choice' && question.multiple) return t('survey.errors.choices');
  return t(`survey.errors.${question.type}`);
}

/** Where a link to a question lands: its first field. */
function fieldHref(question: Question): string {
  if (question.type === 'text') return `#q-${question.id}-input`;
  if (question.type === 'yesno') return `#q-${question.id}-yes`;
  if (isScaleType(question.type)) return `#q-${question.id}-${SCALES[question.type].min}`;
  return `#q-${question.id}-${question.options?.[0]?.id ?? ''}`;
}

export function renderSurvey(res: Response, survey: Survey, token: string, state: FormState, status = 200): void {
  const { locale, t } = res.locals;
  const definition: TemplateDefinition = survey.version.definition;
  const questionOf = (id: string) => definition.questions.find((q) => q.id === id);
  const errors: Record<string, string> = {};
  const summary = (state.issues ?? []).map((issue) => {
    const question = questionOf(issue.question);
    const message = issueMessage(res, question, issue);
    if (question) errors[question.id] = message;
    const label = question ? localize(question.label, locale) : issue.question;
    return { href: question ? fieldHref(question) : '#survey-form', message: t('survey.summaryItem', { question: label, message }) };
  });
  const name = localize(definition.name, locale);
  res.status(status).render('survey/form', {
    layout: LAYOUT,
    title: summary.length > 0 ? t('survey.errorTitle', { name }) : name,
    surveyName: name,
    version: survey.version,
    answers: state.answers,
    errors,
    summary,
    revealed: (state.revealed ?? []).map((q) => ({ href: fieldHref(q), label: localize(q.label, locale) })),
    action: surveyHref(token, locale),
    unseen: hiddenQuestions(definition, state.answers as Answers).join(' '),
    oneClick: state.oneClick,
    channel: state.channel,
  });
}

export function renderThanks(res: Response, survey: Survey, token: string, timeZone: string | undefined): void {
  res.render('survey/thanks', {
    layout: LAYOUT,
    title: res.locals.t('survey.thanks.title'),
    expiresAt: survey.invitation.expiresAt,
    timeZone,
    editHref: surveyHref(token, res.locals.locale, '&edit=1'),
  });
}

export function renderClosed(res: Response, closed: { closedAt: Date; answered: boolean; timeZone: string | undefined }): void {
  res.status(410).render('survey/closed', { layout: LAYOUT, title: res.locals.t('survey.closed.title'), ...closed });
}

export function renderUnknown(res: Response): void {
  res.status(404).render('survey/unknown', { layout: LAYOUT, title: res.locals.t('survey.unknown.title') });
}

export function renderBusy(res: Response): void {
  res.status(429).render('survey/busy', { layout: LAYOUT, title: res.locals.t('survey.busy.title') });
}
