/**
 * Survey answers checked against a template version (the Joi schema built from it), read
 * from forms and JSON, merged by partial saves, and the headline fields reports use.
 */
import { headlineOf, keepShown, mergeAnswers, needsAlert } from '../../server/responses';
import { checkAnswers, readFormAnswers, readJsonAnswers, revealedQuestions } from '../../server/survey/answers';
import { startingState } from '../../server/survey/submit';
import type { TemplateDefinition } from '../../server/templates';
import { DEFAULT_TEMPLATE } from '../helpers/templates';

const definition: TemplateDefinition = {
  ...DEFAULT_TEMPLATE,
  questions: [
    ...DEFAULT_TEMPLATE.questions,
    {
      id: 'channels',
      type: 'choice',
      label: { fr: 'Comment ?', en: 'How?' },
      required: false,
      multiple: true,
      options: [
        { id: 'phone', label: { fr: 'Téléphone', en: 'Phone' } },
        { id: 'email', label: { fr: 'E-mail', en: 'Email' } },
      ],
    },
    { id: 'effort', type: 'ces', label: { fr: 'Facile ?', en: 'Easy?' }, required: true, showIf: { question: 'channels', in: ['email'] } },
    { id: 'when', type: 'choice', label: { fr: 'Quand ?', en: 'When?' }, required: false, options: [{ id: 'am', label: { fr: 'Matin', en: 'Morning' } }] },
  ],
};

describe('checkAnswers', () => {
  it('accepts valid answers, typed: scales as integers, multiple choices as arrays', () => {
    const { answers, issues } = checkAnswers(definition, { info: 'no', missing: 'Prices', csat: '4', nps: 0, channels: 'email', effort: '6', when: 'am' }, true);
    expect(issues).toEqual([]);
    expect(answers).toEqual({ info: 'no', missing: 'Prices', csat: 4, nps: 0, channels: ['email'], effort: 6, when: 'am' });
  });

  it('names the problem of each invalid answer: yes/no, ranges, integers, option ids, text length, unknown ids', () => {
    const { answers, issues } = checkAnswers(
      definition,
      { info: 'maybe', csat: 6, nps: 4.5, channels: ['fax'], comment: 'x'.repeat(2001), when: ['am'], colour: 'blue' },
      true,
    );
    expect(issues).toEqual([
      { question: 'info', problem: 'invalid' },
      { question: 'csat', problem: 'invalid' },
      { question: 'nps', problem: 'invalid' },
      { question: 'comment', problem: 'tooLong' },
      { question: 'channels', problem: 'invalid' },
      { question: 'when', problem: 'invalid' },
      { question: 'colour', problem: 'unknown' },
    ]);
    expect(answers).toEqual({});
  });

  it('drops answers to questions their condition hides, down a chain, without faulting them', () => {
    const { answers, issues } = checkAnswers(definition, { info: 'yes', missing: 'typed then hidden', csat: 3, channels: ['phone'], effort: 99 }, true);
    expect(issues).toEqual([]);
    expect(answers).toEqual({ info: 'yes', csat: 3, channels: ['phone'] });
    const chain = checkAnswers(definition, { info: 'yes', csat: 3, channels: ['fax'], effort: 5 }, true);
    expect(chain.issues).toEqual([{ question: 'channels', problem: 'invalid' }]);
    expect(chain.answers).toEqual({ info: 'yes', csat: 3 });
  });

  it('requires the required questions only when shown, and only for a full submit', () => {
    expect(checkAnswers(definition, { channels: ['email'] }, true).issues).toEqual([
      { question: 'info', problem: 'required' },
      { question: 'csat', problem: 'required' },
      { question: 'effort', problem: 'required' },
    ]);
    expect(checkAnswers(definition, { info: 'no', csat: 5 }, true).issues).toEqual([]);
    expect(checkAnswers(definition, { channels: ['email'] }, false).issues).toEqual([]);
  });

  it('checks types in a partial save but leaves conditions to the merge (they depend on stored answers)', () => {
    const { answers, issues } = checkAnswers(definition, { missing: 'Prices', effort: '2' }, false);
    expect(issues).toEqual([]);
    expect(answers).toEqual({ missing: 'Prices', effort: 2 });
    expect(checkAnswers(definition, {}, false, ['comment', 'colour']).issues).toEqual([{ question: 'colour', problem: 'unknown' }]);
  });

  it('finds the follow-ups an answer reveals among the questions the page did not show', () => {
    expect(revealedQuestions(definition, { info: 'no' }, ['missing', 'effort']).map((q) => q.id)).toEqual(['missing']);
    expect(revealedQuestions(definition, { info: 'no' }, [])).toEqual([]);
    expect(revealedQuestions(definition, { info: 'yes' }, ['missing'])).toEqual([]);
  });
});

describe('reading answers', () => {
  it('reads a form: question fields, repeated checkboxes, emptied fields, the page’s own fields, \\r\\n line ends', () => {
    expect(readFormAnswers({ info: 'no', channels: ['phone', 'email'], comment: '', missing: 'a\r\nb', _unseen: 'missing effort', _channel: 'email-click' })).toEqual({
      answers: { info: 'no', channels: ['phone', 'email'], missing: 'a\nb' },
      cleared: ['comment'],
      partial: false,
      channel: 'email-click',
      unseen: ['missing', 'effort'],
    });
    expect(readFormAnswers({ _channel: 'other' })).toMatchObject({ channel: 'web', unseen: [] });
  });

  it('reads JSON { answers, partial?, channel? } and refuses anything else', () => {
    expect(readJsonAnswers({ answers: { info: 'yes', comment: '   ' }, partial: true })).toEqual({ answers: { info: 'yes' }, cleared: ['comment'], partial: true, channel: 'web', unseen: [] });
    const sneaky = readJsonAnswers(JSON.parse('{"answers":{"__proto__":{"polluted":true},"info":"yes"}}'));
    expect(checkAnswers(definition, sneaky.answers, true).issues).toEqual([
      { question: 'csat', problem: 'required' },
      { question: '__proto__', problem: 'unknown' },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    for (const bad of [{}, { answers: 'yes' }, { answers: {}, partial: 'often' }, { answers: {}, channel: 'fax' }, { answers: {}, extra: 1 }, null]) {
      expect(() => readJsonAnswers(bad)).toThrow(expect.objectContaining({ status: 422, code: 'BAD_SURVEY_BODY' }));
    }
  });
});

describe('merging and headlines', () => {
  it('a partial save sets what it carries, removes what was emptied, then drops what is now hidden', () => {
    const stored = { info: 'no', missing: 'Prices', csat: 2 };
    expect(mergeAnswers(definition, stored, { csat: 4 })).toEqual({ info: 'no', missing: 'Prices', csat: 4 });
    expect(mergeAnswers(definition, stored, {}, ['missing'])).toEqual({ info: 'no', csat: 2 });
    expect(mergeAnswers(definition, stored, { info: 'yes' })).toEqual({ info: 'yes', csat: 2 });
    expect(keepShown(definition, { effort: 3, channels: ['email'] })).toEqual({ channels: ['email'], effort: 3 });
  });

  it('copies the information answer, the first scores and every text answer out for reports', () => {
    expect(headlineOf(definition, { info: 'no', missing: 'Prices', csat: 2, nps: 7, comment: 'Slow', channels: ['email'], effort: 5 })).toEqual({
      gotInformation: false,
      csat: 2,
      nps: 7,
      ces: 5,
      text: 'Prices\n\nSlow',
    });
    expect(headlineOf(definition, { comment: '  ' })).toEqual({ gotInformation: null, csat: null, nps: null, ces: null, text: null });
  });

  it('asks for an alert on a no to the information question or a CSAT of 2 or less', () => {
    expect(needsAlert({ gotInformation: false, csat: 5 })).toBe(true);
    expect(needsAlert({ gotInformation: true, csat: 2 })).toBe(true);
    expect(needsAlert({ gotInformation: true, csat: 3 })).toBe(false);
    expect(needsAlert({ gotInformation: null, csat: null })).toBe(false);
  });
});

describe('the one-click answer of the email', () => {
  it('preselects a valid answer to a shown question, and ignores anything else', () => {
    expect(startingState(definition, {}, 'info:no')).toEqual({ answers: { info: 'no' }, oneClick: 'info', channel: 'email-click' });
    expect(startingState(definition, { info: 'yes', csat: 3 }, 'csat:1')).toMatchObject({ answers: { info: 'yes', csat: 1 }, oneClick: 'csat' });
    for (const a of ['info:maybe', 'missing:words', 'effort:3', 'csat:0', 'info', ':no', undefined, ['info:no']]) {
      expect(startingState(definition, { csat: 3 }, a)).toEqual({ answers: { csat: 3 } });
    }
  });
});
