/**
 * The headline fields of a response, copied out of its answers for reports: the answer to
 * the information question, the first CSAT, NPS and CES answers, every text answer joined,
 * and whether the response asks for an alert to the site's quality leads. Pure.
 */
import { informationQuestion, type Answers, type TemplateDefinition } from '../templates';

export interface Headline {
  gotInformation: boolean | null;
  csat: number | null;
  nps: number | null;
  ces: number | null;
  text: string | null;
}

/** The headline of `answers` as the version `definition` defines its questions. */
export function headlineOf(definition: TemplateDefinition, answers: Answers): Headline {
  const info = informationQuestion(definition);
  const infoAnswer = info ? answers[info.id] : undefined;
  const firstScore = (type: 'csat' | 'nps' | 'ces'): number | null => {
    const question = definition.questions.find((q) => q.type === type);
    const value = question ? answers[question.id] : undefined;
    return typeof value === 'number' ? value : null;
  };
  const texts = definition.questions
    .filter((q) => q.type === 'text')
    .map((q) => answers[q.id])
    .filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  return {
    gotInformation: infoAnswer === 'yes' ? true : infoAnswer === 'no' ? false : null,
    csat: firstScore('csat'),
    nps: firstScore('nps'),
    ces: firstScore('ces'),
    text: texts.length > 0 ? texts.join('\n\n') : null,
  };
}

/** An unhappy customer: no to the information question, or a CSAT of 2 or less. */
export function needsAlert(headline: Pick<Headline, 'gotInformation' | 'csat'>): boolean {
  return headline.gotInformation === false || (headline.csat !== null && headline.csat <= 2);
}
