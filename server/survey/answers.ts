/**
 * Survey answers at the edge: read from a form post (fields named by question id,
 * checkboxes repeated) or a JSON body ({ answers, partial?, channel? }), then checked with
 * a Joi schema built from the template version: value types and ranges, option ids, text
 * limits, unknown question ids. A full submit also drops answers hidden by showIf and
 * requires the required questions that are shown. Pure: no I/O.
 */
import Joi from 'joi';
import { Invalid } from '../errors';
import { CHANNELS, keepShown, type Channel } from '../responses';
import { isScaleType, isShown, maxLengthOf, SCALES, YES_NO, type Answers, type Question, type TemplateDefinition } from '../templates';

export type AnswerProblem = 'required' | 'invalid' | 'tooLong' | 'unknown';
export interface AnswerIssue {
  question: string;
  problem: AnswerProblem;
}

export interface SubmittedAnswers {
  /** Non-empty values by question id, as sent. */
  answers: Record<string, unknown>;
  /** Questions sent empty (an emptied text box): a partial save removes their answer. */
  cleared: string[];
  partial: boolean;
  channel: Channel;
  /** Form posts: the conditional questions the page did not show (a follow-up may have to be asked). */
  unseen: string[];
}

const EMPTY = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

/** Splits raw answers into values and emptied questions; text line ends become \n (a browser sends \r\n). */
function splitAnswers(raw: Record<string, unknown>): Pick<SubmittedAnswers, 'answers' | 'cleared'> {
  // No prototype: a "__proto__" key stays a (refused) question id instead of becoming one.
  const answers: Record<string, unknown> = Object.create(null);
  const cleared: string[] = [];
  for (const [id, value] of Object.entries(raw)) {
    if (EMPTY(value)) cleared.push(id);
    else answers[id] = typeof value === 'string' ? value.replace(/\r\n?/g, '\n') : value;
  }
  return { answers, cleared };
}

const jsonBody = Joi.object({
  answers: Joi.object().required(),
  partial: Joi.boolean().default(false),
  channel: Joi.string().valid(...CHANNELS).default('web'),
});

/** A JSON body. Throws Invalid (BAD_SURVEY_BODY) when it is not { answers: {...}, partial?, channel? }. */
export function readJsonAnswers(body: unknown): SubmittedAnswers {
  const { value, error } = jsonBody.validate(body ?? {}, { abortEarly: false, errors: { wrap: { label: false } } });
  if (error) {
    const details = error.details.map((d) => ({ field: d.path.join('.'), message: d.message }));
    throw new Invalid('The body must be { "answers": { "<questionId>": value }, "partial"?: boolean }.', { code: 'BAD_SURVEY_BODY', details });
  }
  return { ...splitAnswers(value.answers as Record<string, unknown>), partial: value.partial as boolean, channel: value.channel as Channel, unseen: [] };
}

/** A form post: fields named by question id; `_unseen` and `_channel` are the page's own fields. */
export function readFormAnswers(body: unknown): SubmittedAnswers {
  const fields = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const raw = Object.fromEntries(Object.entries(fields).filter(([name]) => !name.startsWith('_')));
  const unseen = typeof fields._unseen === 'string' ? fields._unseen.split(/\s+/).filter(Boolean) : [];
  const channel = fields._channel === 'email-click' ? 'email-click' : 'web';
  return { ...splitAnswers(raw), partial: false, channel, unseen };
}

function questionSchema(question: Question): Joi.Schema {
  if (question.type === 'yesno') return Joi.string().valid(...YES_NO);
  if (isScaleType(question.type)) {
    const { min, max } = SCALES[question.type];
    return Joi.number().integer().min(min).max(max);
  }
  if (question.type === 'choice') {
    const option = Joi.string().valid(...(question.options ?? []).map((o) => o.id));
    return question.multiple ? Joi.array().items(option).unique().single() : option;
  }
  return Joi.string().max(maxLengthOf(question));
}

const schemas = new WeakMap<TemplateDefinition, Joi.ObjectSchema>();

/** The Joi schema of a version's answers (versions never change: built once per definition). */
export function answersSchema(definition: TemplateDefinition): Joi.ObjectSchema {
  let schema = schemas.get(definition);
  if (!schema) {
    schema = Joi.object(Object.fromEntries(definition.questions.map((q) => [q.id, questionSchema(q)]))).unknown(false);
    schemas.set(definition, schema);
  }
  return schema;
}

function problemOf(type: string): AnswerProblem {
  if (type === 'object.unknown') return 'unknown';
  if (type === 'string.max') return 'tooLong';
  return 'invalid';
}

export interface CheckedAnswers {
  /** The valid answers, typed (scales as numbers, multiple choices as arrays). */
  answers: Answers;
  /** One issue per question at most, in question order (unknown ids last). */
  issues: AnswerIssue[];
}

/**
 * Checks answers against a version. `complete`: a full submit (drops answers to hidden
 * questions and requires the shown required ones); otherwise a partial save (types only:
 * whether a question is shown depends on the answers stored, merged later). `cleared`:
 * the questions sent empty.
 */
export function checkAnswers(definition: TemplateDefinition, raw: Record<string, unknown>, complete: boolean, cleared: readonly string[] = []): CheckedAnswers {
  const { value, error } = answersSchema(definition).validate(raw, { abortEarly: false, convert: true });
  const problems = new Map<string, AnswerProblem>();
  // Emptied questions carry no value to check, but must be questions of this survey.
  for (const id of cleared) if (!definition.questions.some((q) => q.id === id)) problems.set(id, 'unknown');
  for (const detail of error?.details ?? []) {
    const question = detail.type === 'object.unknown' ? String(detail.context?.key ?? detail.path[0]) : String(detail.path[0]);
    if (!problems.has(question)) problems.set(question, problemOf(detail.type));
  }
  const typed = Object.fromEntries(Object.entries(value as Answers).filter(([id]) => !problems.has(id))) as Answers;
  const answers = complete ? keepShown(definition, typed) : typed;
  const issues: AnswerIssue[] = [];
  for (const question of definition.questions) {
    const problem = problems.get(question.id);
    // A hidden question's answer is dropped, not faulted (judged by the valid answers before it).
    const shown = !complete || isShown(question, answers);
    if (problem && shown) issues.push({ question: question.id, problem });
    else if (complete && shown && question.required && answers[question.id] === undefined) issues.push({ question: question.id, problem: 'required' });
  }
  for (const [question, problem] of problems) if (problem === 'unknown') issues.push({ question, problem });
  return { answers, issues };
}

/** Conditional questions whose condition these answers meet, among those the page did not show. */
export function revealedQuestions(definition: TemplateDefinition, answers: Answers, unseen: readonly string[]): Question[] {
  return definition.questions.filter((q) => q.showIf && unseen.includes(q.id) && isShown(q, answers));
}

/** Conditional questions these answers do not show: what the page hides until an answer reveals them. */
export function hiddenQuestions(definition: TemplateDefinition, answers: Answers): string[] {
  return definition.questions.filter((q) => q.showIf && !isShown(q, answers)).map((q) => q.id);
}
