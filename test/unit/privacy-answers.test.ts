/**
 * What erasure keeps of a response's answers: with the version's definition, everything
 * but its text questions; without it, only what cannot be someone's words.
 */
import { keptAnswers } from '../../server/privacy';
import type { TemplateDefinition } from '../../server/templates';

const definition = {
  key: 'post-call',
  name: { fr: 'Après l’appel', en: 'After the call' },
  questions: [
    { id: 'info', type: 'yesno', label: { fr: 'Info ?', en: 'Info?' }, required: true, information: true },
    { id: 'missing', type: 'text', label: { fr: 'Quoi ?', en: 'What?' }, required: false },
    { id: 'csat', type: 'csat', label: { fr: 'Satisfait ?', en: 'Satisfied?' }, required: false },
    { id: 'topics', type: 'choice', label: { fr: 'Sujets', en: 'Topics' }, required: false, options: [] },
    { id: 'comment', type: 'text', label: { fr: 'Commentaire', en: 'Comment' }, required: false },
  ],
} as unknown as TemplateDefinition;

const answers = { info: 'no', missing: 'Call me, Claire', csat: 2, topics: ['billing', 'hours'], comment: 'claire@example.fr' };

describe('keptAnswers', () => {
  it('drops the text questions of the version and keeps every other answer', () => {
    expect(keptAnswers(answers, definition)).toEqual({ info: 'no', csat: 2, topics: ['billing', 'hours'] });
  });

  it('without the version, keeps only numbers, yes/no and lists of options', () => {
    expect(keptAnswers({ ...answers, single: 'billing', score: 7 }, null)).toEqual({ info: 'no', csat: 2, topics: ['billing', 'hours'], score: 7 });
  });

  it('keeps nothing of an empty or missing set of answers', () => {
    expect(keptAnswers({}, definition)).toEqual({});
    expect(keptAnswers(undefined as unknown as Record<string, never>, null)).toEqual({});
  });
});
