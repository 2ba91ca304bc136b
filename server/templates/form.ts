/**
 * The editor form ↔ a template definition. Inputs are named by their path in the
 * definition (`questions[2].label.fr`), so a validation issue lands beside its field;
 * the exception is a condition's values, typed in one box (`questions[2].showIf.values`).
 * Also the editor's buttons: remove, move up, move down.
 */
import { isScaleType, type Question, type TemplateDefinition } from './definition';

export interface Pair {
  fr: string;
  en: string;
}

export interface OptionForm {
  id: string;
  label: Pair;
}

export interface QuestionForm {
  id: string;
  type: string;
  label: Pair;
  help: Pair;
  required: boolean;
  information: boolean;
  showIfQuestion: string;
  /** "no", or "1, 2": the condition's values as typed. */
  showIfValues: string;
  options: OptionForm[];
  multiple: boolean;
  maxLength: string;
  scaleLow: Pair;
  scaleHigh: Pair;
}

export interface TemplateForm {
  key: string;
  name: Pair;
  intro: Pair;
  questions: QuestionForm[];
}

export type EditorAction = { kind: 'save' } | { kind: 'remove' | 'up' | 'down'; index: number };

type Body = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
const pair = (body: Body, prefix: string): Pair => ({ fr: str(body[`${prefix}.fr`]), en: str(body[`${prefix}.en`]) });
const blankPair = (p: Pair) => p.fr.trim() === '' && p.en.trim() === '';
const emptyPair = (): Pair => ({ fr: '', en: '' });

/** Indexes n of the fields named `<prefix>[n]...`, in order. */
function indexes(body: Body, prefix: string): number[] {
  const found = new Set<number>();
  const pattern = new RegExp(`^${prefix.replace(/[[\].]/g, '\\$&')}\\[(\\d{1,3})\\]`);
  for (const name of Object.keys(body)) {
    const m = pattern.exec(name);
    if (m) found.add(Number(m[1]));
  }
  return [...found].sort((a, b) => a - b);
}

function questionFromBody(body: Body, i: number): QuestionForm {
  const at = `questions[${i}]`;
  return {
    id: str(body[`${at}.id`]).trim(),
    type: str(body[`${at}.type`]),
    label: pair(body, `${at}.label`),
    help: pair(body, `${at}.help`),
    required: body[`${at}.required`] !== undefined,
    information: str(body.information) === String(i),
    showIfQuestion: str(body[`${at}.showIf.question`]),
    showIfValues: str(body[`${at}.showIf.values`]),
    options: indexes(body, `${at}.options`)
      .map((k) => ({ id: str(body[`${at}.options[${k}].id`]).trim(), label: pair(body, `${at}.options[${k}].label`) }))
      .filter((o) => o.id !== '' || !blankPair(o.label)),
    multiple: body[`${at}.multiple`] !== undefined,
    maxLength: str(body[`${at}.maxLength`]).trim(),
    scaleLow: pair(body, `${at}.scale.low`),
    scaleHigh: pair(body, `${at}.scale.high`),
  };
}

const isBlank = (q: QuestionForm) => q.id === '' && blankPair(q.label) && blankPair(q.help);

/**
 * The form as submitted. The block at `newIndex` (the "add a question" block) counts
 * only when something was typed in it.
 */
export function formFromBody(body: Body, key: string): TemplateForm {
  const newIndex = str(body.newIndex);
  const questions = indexes(body, 'questions').flatMap((i) => {
    const q = questionFromBody(body, i);
    return String(i) === newIndex && isBlank(q) ? [] : [q];
  });
  return { key, name: pair(body, 'name'), intro: pair(body, 'intro'), questions };
}

export function parseAction(value: unknown): EditorAction {
  const m = /^(remove|up|down):(\d{1,3})$/.exec(str(value));
  return m ? { kind: m[1] as 'remove' | 'up' | 'down', index: Number(m[2]) } : { kind: 'save' };
}

/** The form after a button: a question removed or moved one place. */
export function applyAction(form: TemplateForm, action: EditorAction): TemplateForm {
  if (action.kind === 'save') return form;
  const questions = [...form.questions];
  const { index } = action;
  if (index >= questions.length) return form;
  if (action.kind === 'remove') questions.splice(index, 1);
  const other = action.kind === 'up' ? index - 1 : action.kind === 'down' ? index + 1 : -1;
  if (other >= 0 && other < questions.length) {
    [questions[index], questions[other]] = [questions[other] as QuestionForm, questions[index] as QuestionForm];
  }
  return { ...form, questions };
}

/** Admins typing in French write "non": the stored value is "no". */
const FRENCH_YES_NO: Record<string, string> = { oui: 'yes', non: 'no' };

/** "no", "1, 2" → the showIf value(s); scale points become numbers. */
function conditionOf(q: QuestionForm, all: QuestionForm[]): Question['showIf'] | undefined {
  if (q.showIfQuestion === '') return undefined;
  const source = all.find((other) => other.id === q.showIfQuestion);
  const numeric = source !== undefined && isScaleType(source.type);
  const word = (v: string) => (source?.type === 'yesno' && Object.hasOwn(FRENCH_YES_NO, v) ? (FRENCH_YES_NO[v] as string) : v);
  const values = q.showIfValues
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((v) => (numeric && /^-?\d+$/.test(v) ? Number(v) : word(v.toLowerCase())));
  if (values.length === 0) return { question: q.showIfQuestion } as Question['showIf'];
  return values.length === 1 ? { question: q.showIfQuestion, equals: values[0] as string | number } : { question: q.showIfQuestion, in: values };
}

/** The definition the form describes (not validated: validateDefinition says what is wrong). */
export function definitionFromForm(form: TemplateForm): unknown {
  const optionalPair = (p: Pair) => (blankPair(p) ? undefined : { fr: p.fr, en: p.en });
  return {
    key: form.key,
    name: { ...form.name },
    ...(optionalPair(form.intro) ? { intro: optionalPair(form.intro) } : {}),
    questions: form.questions.map((q) => {
      const out: Record<string, unknown> = { id: q.id, type: q.type, label: { ...q.label } };
      if (!blankPair(q.help)) out.help = { ...q.help };
      out.required = q.required;
      if (q.information) out.information = true;
      const showIf = conditionOf(q, form.questions);
      if (showIf) out.showIf = showIf;
      if (q.type === 'choice') {
        out.options = q.options.map((o) => ({ id: o.id, label: { ...o.label } }));
        if (q.multiple) out.multiple = true;
      }
      if (q.type === 'text' && q.maxLength !== '') out.maxLength = /^\d+$/.test(q.maxLength) ? Number(q.maxLength) : q.maxLength;
      if (isScaleType(q.type) && !(blankPair(q.scaleLow) && blankPair(q.scaleHigh))) {
        out.scale = { ...(blankPair(q.scaleLow) ? {} : { low: { ...q.scaleLow } }), ...(blankPair(q.scaleHigh) ? {} : { high: { ...q.scaleHigh } }) };
      }
      return out;
    }),
  };
}

/** The form showing a stored definition. */
export function formFromDefinition(definition: TemplateDefinition): TemplateForm {
  const p = (v: Partial<Pair> | undefined): Pair => ({ fr: v?.fr ?? '', en: v?.en ?? '' });
  return {
    key: definition.key,
    name: p(definition.name),
    intro: p(definition.intro),
    questions: definition.questions.map((q) => ({
      id: q.id,
      type: q.type,
      label: p(q.label),
      help: p(q.help),
      required: q.required,
      information: q.information === true,
      showIfQuestion: q.showIf?.question ?? '',
      showIfValues: q.showIf ? ('in' in q.showIf ? q.showIf.in : [q.showIf.equals]).join(', ') : '',
      options: (q.options ?? []).map((o) => ({ id: o.id, label: p(o.label) })),
      multiple: q.multiple === true,
      maxLength: q.maxLength === undefined ? '' : String(q.maxLength),
      scaleLow: p(q.scale?.low),
      scaleHigh: p(q.scale?.high),
    })),
  };
}

export function blankQuestion(type = 'yesno'): QuestionForm {
  return {
    id: '',
    type,
    label: emptyPair(),
    help: emptyPair(),
    required: false,
    information: false,
    showIfQuestion: '',
    showIfValues: '',
    options: [],
    multiple: false,
    maxLength: '',
    scaleLow: emptyPair(),
    scaleHigh: emptyPair(),
  };
}

/** Where an issue's message goes in the form: a condition's values share one box. */
export function formField(path: string): string {
  return path.replace(/^(questions\[\d+\]\.showIf)(?:\.equals|\.in(?:\[\d+\])?)?$/, '$1.values');
}
