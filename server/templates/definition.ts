/**
 * The survey template format (surveys/*.json, import/export, stored versions): types,
 * question kinds and their answer values, and the small pure rules the renderer, the
 * validator and the survey pages share (scale ranges, showIf evaluation). No I/O here.
 */
import type { Locale } from '../i18n';

export type Localized = Record<Locale, string>;

export const QUESTION_TYPES = ['yesno', 'csat', 'nps', 'ces', 'choice', 'text'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export const SCALE_TYPES = ['csat', 'nps', 'ces'] as const;
export type ScaleType = (typeof SCALE_TYPES)[number];

/** Inclusive ranges of the scale questions. */
export const SCALES: Record<ScaleType, { min: number; max: number }> = {
  csat: { min: 1, max: 5 },
  nps: { min: 0, max: 10 },
  ces: { min: 1, max: 7 },
};

export const YES_NO = ['yes', 'no'] as const;
export const DEFAULT_TEXT_MAX_LENGTH = 1000;
export const MAX_TEXT_MAX_LENGTH = 5000;
/** Stable ids (template key, question and option ids): lowercase words joined by hyphens. */
export const SLUG = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
export const SLUG_MAX = 40;

/** A condition value: "yes"/"no", a scale point, or an option id. */
export type ConditionValue = string | number;
export type ShowIf = { question: string } & ({ equals: ConditionValue } | { in: ConditionValue[] });

export interface ChoiceOption {
  id: string;
  label: Localized;
}

export interface Question {
  id: string;
  type: QuestionType;
  label: Localized;
  help?: Localized;
  required: boolean;
  /** Exactly one yes/no question per template: "did you get the information you needed?" */
  information?: true;
  showIf?: ShowIf;
  /** choice only */
  options?: ChoiceOption[];
  multiple?: boolean;
  /** text only; DEFAULT_TEXT_MAX_LENGTH when absent */
  maxLength?: number;
  /** csat/nps/ces only: words under the lowest and highest points */
  scale?: { low?: Localized; high?: Localized };
}

export interface TemplateDefinition {
  key: string;
  name: Localized;
  intro?: Localized;
  questions: Question[];
}

/** An answer as stored: "yes"/"no", an integer, an option id (an array when several), or text. */
export type AnswerValue = string | number | string[];
export type Answers = Record<string, AnswerValue | undefined>;

export function isScaleType(type: unknown): type is ScaleType {
  return (SCALE_TYPES as readonly unknown[]).includes(type);
}

export function isQuestionType(type: unknown): type is QuestionType {
  return (QUESTION_TYPES as readonly unknown[]).includes(type);
}

export function scalePoints(type: ScaleType): number[] {
  const { min, max } = SCALES[type];
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

export function maxLengthOf(question: Pick<Question, 'maxLength'>): number {
  return question.maxLength ?? DEFAULT_TEXT_MAX_LENGTH;
}

/** The values a showIf on `question` may compare with, or null when it cannot be a condition (text). */
export function conditionValues(question: { type: QuestionType; options?: { id: string }[] }): ConditionValue[] | null {
  if (question.type === 'yesno') return [...YES_NO];
  if (isScaleType(question.type)) return scalePoints(question.type);
  if (question.type === 'choice') return (question.options ?? []).map((o) => o.id);
  return null;
}

export function showIfValues(showIf: ShowIf): ConditionValue[] {
  return 'in' in showIf ? showIf.in : [showIf.equals];
}

/**
 * Whether a question applies given the answers so far: no showIf, or the earlier answer
 * (any of them, for a multiple choice) is one of the condition's values. Compares as
 * strings, so form input ("4") and stored answers (4) agree.
 */
export function isShown(question: Pick<Question, 'showIf'>, answers: Answers = {}): boolean {
  if (!question.showIf) return true;
  const answer = answers[question.showIf.question];
  if (answer === undefined || answer === null || answer === '') return false;
  const given = (Array.isArray(answer) ? answer : [answer]).map(String);
  return showIfValues(question.showIf).some((value) => given.includes(String(value)));
}

/** The information question (validated definitions have exactly one). */
export function informationQuestion(definition: TemplateDefinition): Question | undefined {
  return definition.questions.find((q) => q.information === true);
}
