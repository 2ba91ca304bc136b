/**
 * Template validation (server/templates/validate-definition.ts): the default surveys/
 * file, every structural and cross-field rule, and messages that start with the path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { validateDefinition, describeIssues, type TemplateIssue } from '../../server/templates';

const DEFAULT = JSON.parse(fs.readFileSync(path.join(__dirname, '../../surveys/post-call.json'), 'utf8'));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function minimal(): Json {
  return {
    key: 'short',
    name: { fr: 'Court', en: 'Short' },
    questions: [
      { id: 'info', type: 'yesno', label: { fr: 'Info ?', en: 'Info?' }, required: true, information: true },
      { id: 'csat', type: 'csat', label: { fr: 'Satisfait ?', en: 'Satisfied?' }, required: false },
      {
        id: 'topic',
        type: 'choice',
        label: { fr: 'Sujet', en: 'Topic' },
        required: false,
        options: [
          { id: 'billing', label: { fr: 'Facture', en: 'Bill' } },
          { id: 'contract', label: { fr: 'Contrat', en: 'Contract' } },
        ],
      },
      { id: 'comment', type: 'text', label: { fr: 'Autre ?', en: 'Anything else?' }, required: false },
    ],
  };
}

function issuesOf(input: unknown): TemplateIssue[] {
  const result = validateDefinition(input);
  if (result.ok) throw new Error('expected the definition to be invalid');
  return result.issues;
}

function issueAt(input: unknown, field: string): TemplateIssue {
  const issues = issuesOf(input);
  const found = issues.find((i) => i.field === field);
  if (!found) throw new Error(`no issue at ${field}; got ${issues.map((i) => i.field).join(', ')}`);
  return found;
}

describe('a valid template', () => {
  it('accepts the default surveys/post-call.json with the question ids of DESIGN.md', () => {
    const result = validateDefinition(DEFAULT);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition.questions.map((q) => q.id)).toEqual(['info', 'missing', 'csat', 'nps', 'comment']);
    expect(result.definition.questions[0]).toMatchObject({ type: 'yesno', information: true });
    expect(result.definition.questions[1]).toMatchObject({ type: 'text', showIf: { question: 'info', equals: 'no' } });
  });

  it('accepts every question type with its own settings', () => {
    const t = minimal();
    t.questions.push(
      { id: 'nps', type: 'nps', label: { fr: 'a', en: 'a' }, required: false, scale: { low: { fr: 'bas', en: 'low' } } },
      { id: 'ces', type: 'ces', label: { fr: 'a', en: 'a' }, required: false, showIf: { question: 'topic', in: ['billing'] } },
    );
    t.questions[2].multiple = true;
    t.questions[3].maxLength = 5000;
    expect(validateDefinition(t)).toMatchObject({ ok: true });
  });

  it('trims texts', () => {
    const t = minimal();
    t.name.fr = '  Court  ';
    const result = validateDefinition(t);
    expect(result.ok && result.definition.name.fr).toBe('Court');
  });
});

describe('structure and fields', () => {
  it.each([
    ['key', (t: Json) => delete t.key],
    ['name.en', (t: Json) => delete t.name.en],
    ['questions', (t: Json) => delete t.questions],
    ['questions[1].label.fr', (t: Json) => (t.questions[1].label.fr = '   ')],
    ['questions[1].required', (t: Json) => delete t.questions[1].required],
    ['questions[1].type', (t: Json) => (t.questions[1].type = 'stars')],
    ['questions[0].id', (t: Json) => delete t.questions[0].id],
  ])('reports a missing or wrong %s by its path', (field, change) => {
    const t = minimal();
    change(t);
    const issue = issueAt(t, field);
    expect(issue.message.startsWith(field)).toBe(true);
  });

  it.each([['key'], ['questions[1].id'], ['questions[2].options[0].id']])('requires %s to be a slug', (field) => {
    const t = minimal();
    if (field === 'key') t.key = 'Post Call';
    else if (field === 'questions[1].id') t.questions[1].id = '2csat';
    else t.questions[2].options[0].id = 'Billing_1';
    expect(issueAt(t, field)).toMatchObject({ type: 'string.pattern.base', message: expect.stringMatching(/lowercase letters/) });
  });

  it('names an unknown field, such as a misspelt one', () => {
    const t = minimal();
    t.questions[0].lable = t.questions[0].label;
    expect(issueAt(t, 'questions[0].lable')).toMatchObject({ type: 'object.unknown', message: 'questions[0].lable is not allowed' });
  });

  it('refuses settings that do not belong to the question type', () => {
    const t = minimal();
    t.questions[0].options = t.questions[2].options;
    t.questions[1].maxLength = 10;
    t.questions[3].scale = { low: { fr: 'a', en: 'b' } };
    t.questions[3].multiple = true;
    const fields = issuesOf(t).map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['questions[0].options', 'questions[1].maxLength', 'questions[3].scale', 'questions[3].multiple']));
    expect(issueAt(t, 'questions[1].maxLength').message).toBe('questions[1].maxLength is not allowed for a question of this type');
  });

  it('needs two options or more for a choice question', () => {
    const t = minimal();
    t.questions[2].options.pop();
    expect(issueAt(t, 'questions[2].options')).toMatchObject({ type: 'array.min', context: { limit: 2 } });
    delete t.questions[2].options;
    expect(issueAt(t, 'questions[2].options').type).toBe('any.required');
  });

  it('limits a text answer to 5000 characters at most', () => {
    const t = minimal();
    t.questions[3].maxLength = 5001;
    expect(issueAt(t, 'questions[3].maxLength')).toMatchObject({ type: 'number.max', context: { limit: 5000 } });
    t.questions[3].maxLength = 0;
    expect(issueAt(t, 'questions[3].maxLength').type).toBe('number.min');
  });

  it('needs both languages of every text', () => {
    const t = minimal();
    t.intro = { fr: 'Bonjour' };
    t.questions[1].help = { en: 'Help' };
    expect(issuesOf(t).map((i) => i.field)).toEqual(expect.arrayContaining(['intro.en', 'questions[1].help.fr']));
  });
});

describe('rules across fields', () => {
  it('refuses two questions with the same id, naming the repeat and the first', () => {
    const t = minimal();
    t.questions[3].id = 'csat';
    expect(issueAt(t, 'questions[3].id')).toMatchObject({
      type: 'template.duplicateId',
      message: 'questions[3].id repeats the id "csat" of questions[1]',
    });
  });

  it('refuses two options with the same id in a question', () => {
    const t = minimal();
    t.questions[2].options[1].id = 'billing';
    expect(issueAt(t, 'questions[2].options[1].id').type).toBe('template.duplicateOption');
  });

  it('needs an information question', () => {
    const t = minimal();
    delete t.questions[0].information;
    expect(issueAt(t, 'questions')).toMatchObject({ type: 'template.noInformation', message: expect.stringMatching(/^questions must mark exactly one/) });
  });

  it('allows only one information question', () => {
    const t = minimal();
    t.questions.splice(1, 0, { id: 'again', type: 'yesno', label: { fr: 'a', en: 'a' }, required: true, information: true });
    expect(issueAt(t, 'questions[1].information')).toMatchObject({
      type: 'template.secondInformation',
      message: 'questions[1].information cannot be set: questions[0] is already the information question',
    });
  });

  it('makes only a yes/no question the information question', () => {
    const t = minimal();
    delete t.questions[0].information;
    t.questions[1].information = true;
    expect(issueAt(t, 'questions[1].information').type).toBe('template.informationType');
  });

  it('refuses a condition on a question that does not exist', () => {
    const t = minimal();
    t.questions[3].showIf = { question: 'nothing', equals: 'yes' };
    expect(issueAt(t, 'questions[3].showIf.question')).toMatchObject({ type: 'template.showIfUnknown' });
  });

  it('refuses a condition on a later question or on the question itself', () => {
    const t = minimal();
    t.questions[1].showIf = { question: 'topic', equals: 'billing' };
    expect(issueAt(t, 'questions[1].showIf.question')).toMatchObject({
      type: 'template.showIfLater',
      message: 'questions[1].showIf.question must refer to an earlier question; "topic" is questions[2], after this one',
    });
    t.questions[1].showIf = { question: 'csat', equals: 3 };
    expect(issueAt(t, 'questions[1].showIf.question').type).toBe('template.showIfSelf');
  });

  it('refuses a condition on a text answer', () => {
    const t = minimal();
    t.questions.push({ id: 'after', type: 'yesno', label: { fr: 'a', en: 'a' }, required: false, showIf: { question: 'comment', equals: 'x' } });
    expect(issueAt(t, 'questions[4].showIf.question').type).toBe('template.showIfText');
  });

  it.each([
    ['a yes/no question', 'info', { equals: 'maybe' }, 'questions[3].showIf.equals', /one of yes, no/],
    ['a 1-5 scale', 'csat', { in: [4, 6] }, 'questions[3].showIf.in[1]', /one of 1, 2, 3, 4, 5/],
    ['a scale, given as text', 'csat', { equals: '5' }, 'questions[3].showIf.equals', /not "5"/],
    ['a choice', 'topic', { equals: 'refund' }, 'questions[3].showIf.equals', /one of billing, contract/],
  ])('refuses a condition value that %s cannot have', (_what, question, values, field, message) => {
    const t = minimal();
    t.questions[3].showIf = { question, ...values };
    expect(issueAt(t, field)).toMatchObject({ type: 'template.showIfValue', message: expect.stringMatching(message) });
  });

  it('needs a condition to give either one value or a list', () => {
    const t = minimal();
    t.questions[3].showIf = { question: 'info' };
    expect(issueAt(t, 'questions[3].showIf').type).toBe('object.missing');
    t.questions[3].showIf = { question: 'info', equals: 'no', in: ['no'] };
    expect(issueAt(t, 'questions[3].showIf').type).toBe('object.xor');
  });

  it('reports structural and cross-field issues together, each field once', () => {
    const t = minimal();
    t.questions[1].label.en = '';
    t.questions[3].id = 'info';
    const issues = issuesOf(t);
    expect(issues.map((i) => i.field)).toEqual(['questions[1].label.en', 'questions[3].id']);
    expect(describeIssues(issues)).toBe('questions[1].label.en is not allowed to be empty; questions[3].id repeats the id "info" of questions[0]');
  });

  it('does not crash on something that is not a template at all', () => {
    expect(issuesOf('hello')[0]).toMatchObject({ field: 'definition' });
    expect(issuesOf({ questions: [null, 3] }).map((i) => i.field)).toEqual(expect.arrayContaining(['key', 'questions[0]', 'questions[1]']));
  });
});
