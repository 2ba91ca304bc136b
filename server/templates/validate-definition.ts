/**
 * validateDefinition(): the whole check of a template definition — the Joi schema
 * (schemas.ts) plus the rules across fields: unique ids, exactly one information
 * question (yes/no), showIf on an earlier question with a value that question can take.
 * Every issue names its path (`questions[2].showIf.question`); nothing is thrown.
 */
import type Joi from 'joi';
import { conditionValues, type ConditionValue, type QuestionType, type TemplateDefinition } from './definition';
import { definitionSchema } from './schemas';

export interface TemplateIssue {
  /** Path in the definition, e.g. `questions[2].label.fr`; `questions` for the list itself. */
  field: string;
  /** English, starting with the path: for logs, start-up errors and the JSON API. */
  message: string;
  /** Joi's type (`string.empty`) or ours (`template.duplicateId`): picks the translated message. */
  type: string;
  context?: Record<string, string | number>;
}

export type ValidationResult = { ok: true; definition: TemplateDefinition } | { ok: false; issues: TemplateIssue[] };

export function validateDefinition(input: unknown): ValidationResult {
  const { value, error } = definitionSchema.validate(input, { abortEarly: false, errors: { wrap: { label: false } } });
  const issues = (error?.details ?? []).map(fromJoi);
  for (const issue of crossFieldIssues(error ? input : value)) {
    if (!issues.some((i) => i.field === issue.field)) issues.push(issue);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, definition: value as TemplateDefinition };
}

/** One line per issue, for start-up errors and logs. */
export function describeIssues(issues: TemplateIssue[]): string {
  return issues.map((i) => i.message).join('; ');
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part), '');
}

function fromJoi(detail: Joi.ValidationErrorItem): TemplateIssue {
  const field = formatPath(detail.path) || 'definition';
  const context: Record<string, string | number> = {};
  for (const name of ['limit', 'key'] as const) {
    const v = detail.context?.[name];
    if (typeof v === 'string' || typeof v === 'number') context[name] = v;
  }
  if (Array.isArray(detail.context?.valids)) context.valids = detail.context.valids.join(', ');
  const message = detail.message.startsWith(field) ? detail.message : `${field} ${detail.message}`;
  return { field, message, type: detail.type, context };
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function issue(field: string, type: string, what: string, context: Record<string, string | number> = {}): TemplateIssue {
  return { field, type: `template.${type}`, message: `${field} ${what}`, context };
}

function crossFieldIssues(input: unknown): TemplateIssue[] {
  if (!isObject(input) || !Array.isArray(input.questions)) return [];
  const questions = input.questions.map((q) => (isObject(q) ? q : {}));
  const issues: TemplateIssue[] = [];

  const firstIndex = new Map<string, number>();
  questions.forEach((q, i) => {
    if (typeof q.id !== 'string') return;
    const first = firstIndex.get(q.id);
    if (first === undefined) firstIndex.set(q.id, i);
    else issues.push(issue(`questions[${i}].id`, 'duplicateId', `repeats the id "${q.id}" of questions[${first}]`, { id: q.id, other: first + 1 }));
    if (Array.isArray(q.options)) issues.push(...duplicateOptions(q.options, `questions[${i}]`));
  });

  const informational = questions.flatMap((q, i) => (q.information === true ? [i] : []));
  if (informational.length === 0) {
    issues.push(issue('questions', 'noInformation', 'must mark exactly one yes/no question as the information question ("information": true)'));
  }
  informational.forEach((i, n) => {
    const field = `questions[${i}].information`;
    if (n > 0) {
      issues.push(issue(field, 'secondInformation', `cannot be set: questions[${informational[0]}] is already the information question`, { other: (informational[0] ?? 0) + 1 }));
    } else if (questions[i]?.type !== 'yesno') {
      issues.push(issue(field, 'informationType', 'is only allowed on a yesno question'));
    }
  });

  questions.forEach((q, i) => {
    if (isObject(q.showIf)) issues.push(...showIfIssues(q.showIf, i, questions, firstIndex));
  });
  return issues;
}

function duplicateOptions(options: unknown[], at: string): TemplateIssue[] {
  const seen = new Map<string, number>();
  const issues: TemplateIssue[] = [];
  options.forEach((o, k) => {
    const id = isObject(o) ? o.id : undefined;
    if (typeof id !== 'string') return;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, k);
    else issues.push(issue(`${at}.options[${k}].id`, 'duplicateOption', `repeats the option id "${id}" of options[${first}]`, { id, other: first + 1 }));
  });
  return issues;
}

function showIfIssues(showIf: Raw, index: number, questions: Raw[], firstIndex: Map<string, number>): TemplateIssue[] {
  const at = `questions[${index}].showIf`;
  const ref = showIf.question;
  if (typeof ref !== 'string') return [];
  const target = firstIndex.get(ref);
  if (target === undefined) {
    return [issue(`${at}.question`, 'showIfUnknown', `refers to "${ref}", which is not a question of this template`, { id: ref })];
  }
  if (target === index) return [issue(`${at}.question`, 'showIfSelf', 'cannot refer to the question itself')];
  if (target > index) {
    return [issue(`${at}.question`, 'showIfLater', `must refer to an earlier question; "${ref}" is questions[${target}], after this one`, { id: ref })];
  }
  const source = questions[target] ?? {};
  const allowed = conditionValues({ type: source.type as QuestionType, options: Array.isArray(source.options) ? (source.options as { id: string }[]) : [] });
  if (allowed === null) {
    return [issue(`${at}.question`, 'showIfText', `cannot depend on "${ref}": the answer to a text question is not a condition`, { id: ref })];
  }
  const values: [string, unknown][] = Array.isArray(showIf.in)
    ? showIf.in.map((v, k) => [`${at}.in[${k}]`, v])
    : 'equals' in showIf
      ? [[`${at}.equals`, showIf.equals]]
      : [];
  const valid = allowed.map(String).join(', ');
  return values
    .filter(([, v]) => !allowed.includes(v as ConditionValue))
    .map(([field, v]) =>
      issue(field, 'showIfValue', `must be one of ${valid} (the answers "${ref}" can have), not ${JSON.stringify(v)}`, { id: ref, valid }),
    );
}
