/**
 * The survey's use cases between HTTP and the services: what the page starts with (the
 * answers so far and the email's one-click answer, never saved by a GET), a JSON save
 * (the page's script, or an integration), and a form submit, which may need one more
 * question before it is complete (without JavaScript, a follow-up shows after a submit).
 */
import { AppError } from '../errors';
import type { Locale } from '../i18n';
import type { Answers, TemplateDefinition } from '../templates';
import { isShown } from '../templates';
import { checkAnswers, revealedQuestions, type AnswerIssue, type SubmittedAnswers } from './answers';
import type { FormState } from './page';
import { recordAnswers, type Survey } from './service';

/** 422 with one detail per question; errors.ts words the messages in the page's language. */
export class InvalidAnswers extends AppError {
  constructor(
    readonly issues: AnswerIssue[],
    readonly definition: TemplateDefinition,
  ) {
    super(422, 'INVALID_ANSWERS', 'Some answers are missing or invalid.', { details: issues });
  }
}

/**
 * The form as a GET shows it: the answers saved so far, and the email's one-click answer
 * (`?a=info:no`) preselected when it is a valid answer to a question shown.
 */
export function startingState(definition: TemplateDefinition, stored: Answers, oneClick: unknown): FormState {
  const [id, value] = typeof oneClick === 'string' ? splitOnce(oneClick, ':') : [];
  const question = definition.questions.find((q) => q.id === id);
  if (!question || question.type === 'text' || value === undefined) return { answers: stored };
  const checked = checkAnswers(definition, { [question.id]: value }, false);
  const answers = { ...stored, ...checked.answers };
  if (checked.issues.length > 0 || !isShown(question, answers)) return { answers: stored };
  return { answers, oneClick: question.id, channel: 'email-click' };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}

/** A JSON save, partial or full. Throws InvalidAnswers (nothing saved). */
export async function submitJson(survey: Survey, submitted: SubmittedAnswers, locale: Locale): Promise<{ saved: true; complete: boolean }> {
  const definition = survey.version.definition;
  const complete = !submitted.partial;
  const { answers, issues } = checkAnswers(definition, submitted.answers, complete, submitted.cleared);
  if (issues.length > 0) throw new InvalidAnswers(issues, definition);
  const saved = await recordAnswers(survey, { answers, cleared: complete ? [] : submitted.cleared, complete, channel: submitted.channel, locale });
  return { saved: true, complete: saved.complete };
}

export type FormOutcome = { done: true } | { done: false; state: FormState; status: 200 | 422 };

/**
 * A form submit. Complete when every shown question is answered validly and no follow-up
 * was revealed; otherwise the valid answers are kept as a partial save and the page asks
 * again: 422 with the errors, or 200 with the follow-up ("one more question").
 */
export async function submitForm(survey: Survey, submitted: SubmittedAnswers, locale: Locale): Promise<FormOutcome> {
  const definition = survey.version.definition;
  const { answers, issues } = checkAnswers(definition, submitted.answers, true, submitted.cleared);
  const revealed = revealedQuestions(definition, answers, submitted.unseen);
  // A follow-up the customer has not seen yet is a question to ask, not a mistake.
  const errors = issues.filter((i) => !(i.problem === 'required' && revealed.some((q) => q.id === i.question)));
  if (errors.length === 0 && revealed.length === 0) {
    await recordAnswers(survey, { answers, complete: true, channel: submitted.channel, locale });
    return { done: true };
  }
  const known = submitted.cleared.filter((id) => definition.questions.some((q) => q.id === id));
  if (Object.keys(answers).length > 0 || known.length > 0) {
    await recordAnswers(survey, { answers, cleared: known, complete: false, channel: submitted.channel, locale });
  }
  const state: FormState = { answers: submitted.answers as Answers, issues: errors, revealed, channel: submitted.channel === 'email-click' ? 'email-click' : undefined };
  return { done: false, state, status: errors.length > 0 ? 422 : 200 };
}
