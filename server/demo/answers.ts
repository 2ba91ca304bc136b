/**
 * What a demo customer answers to the default survey (surveys/post-call.json: info,
 * missing, csat, nps, comment): the information answer mostly says what happened on the
 * call, satisfaction and recommendation follow it, and those who write say why. Also the
 * response around the answers: channel, timing, and whether a quality lead followed it up.
 */
import type { DemoCall } from './calls';
import { commentText, missingText, type Mood } from './corpus';
import type { DemoCustomer } from './people';
import { DAY_MS } from './plan';
import type { Random } from './random';
import type { DemoInvitation } from './surveys';

export interface DemoAnswers {
  answers: Record<string, string | number>;
  gotInformation: boolean;
  csat: number | null;
  nps: number | null;
  /** Every text answer, in question order, joined by blank lines; null when none. */
  text: string | null;
  complete: boolean;
}

const CSAT_INFORMED: [number, number][] = [[1, 2], [2, 4], [3, 12], [4, 40], [5, 42]];
const CSAT_NOT_INFORMED: [number, number][] = [[1, 22], [2, 30], [3, 28], [4, 15], [5, 5]];
/** Recommendation given satisfaction: the range most answers fall in. */
const NPS_RANGE: Record<number, [number, number]> = { 1: [0, 3], 2: [1, 5], 3: [4, 7], 4: [7, 9], 5: [8, 10] };

/** A one-click answer only (the customer clicked Yes or No in the email and stopped there). */
export function partialAnswers(random: Random, informed: boolean): DemoAnswers {
  const yes = informed !== random.chance(0.06);
  return { answers: { info: yes ? 'yes' : 'no' }, gotInformation: yes, csat: null, nps: null, text: null, complete: false };
}

/** A submitted survey. */
export function fullAnswers(random: Random, informed: boolean, reason: string, locale: 'fr' | 'en'): DemoAnswers {
  // Now and then a customer's answer disagrees with what the call log suggests.
  const yes = informed !== random.chance(0.06);
  const csat = random.weighted(yes ? CSAT_INFORMED : CSAT_NOT_INFORMED);
  const [low, high] = NPS_RANGE[csat] as [number, number];
  const nps = random.chance(0.86) ? Math.min(10, Math.max(0, random.int(low, high) + (random.chance(0.1) ? random.int(-2, 2) : 0))) : null;
  const missing = !yes && random.chance(0.65) ? missingText(random, reason, locale) : null;
  const mood: Mood = csat >= 4 ? 'positive' : csat === 3 ? 'mixed' : 'negative';
  const comment = random.chance(mood === 'positive' ? 0.22 : mood === 'mixed' ? 0.3 : 0.45) ? commentText(random, mood, locale, !missing) : null;
  const answers: Record<string, string | number> = { info: yes ? 'yes' : 'no' };
  if (missing) answers.missing = missing;
  answers.csat = csat;
  if (nps !== null) answers.nps = nps;
  if (comment) answers.comment = comment;
  const texts = [missing, comment].filter((t): t is string => Boolean(t));
  return { answers, gotInformation: yes, csat, nps, text: texts.length > 0 ? texts.join('\n\n') : null, complete: true };
}

const NOTES = [
  'Client rappelé, délai de résiliation expliqué.',
  'Rappel fait, numéro de ticket communiqué.',
  'Transmis au responsable d’équipe pour suivi.',
  'Client recontacté, geste commercial accordé.',
  'Rappelé : message laissé sur le répondeur.',
  'Point fait avec le conseiller en débriefing.',
];

/** A quality lead's note when closing the loop with an unhappy customer. */
function handledNote(random: Random): string {
  return random.pick(NOTES);
}

export interface DemoResponse extends DemoAnswers {
  invitation: number;
  channel: 'email-click' | 'web';
  startedAt: Date;
  submittedAt: Date | null;
  revision: number;
  /** Closed by the demo quality lead (their sites) or the demo admin. */
  handled: { at: Date; by: 'admin' | 'quality'; note: string } | null;
  alert: 'none' | 'sent';
}

const QUALITY_SITES = new Set(['ABV', 'DRX']);

/** The customer's response, begun at `startedAt`; marks the invitation answered (in place). */
export function answer(inv: DemoInvitation, call: DemoCall, customer: DemoCustomer, startedAt: Date, now: number, random: Random): Omit<DemoResponse, 'invitation'> {
  inv.state = 'answered';
  inv.answeredAt = startedAt;
  const partial = random.chance(0.18);
  const channel = partial || random.chance(0.65) ? 'email-click' : 'web';
  if (channel === 'web') inv.openedAt = startedAt;
  const answers = partial ? partialAnswers(random, call.informed) : fullAnswers(random, call.informed, call.reason, customer.locale);
  const submittedAt = answers.complete ? new Date(Math.min(now, startedAt.getTime() + random.int(35, 200) * 1000)) : null;
  const unhappy = !answers.gotInformation || (answers.csat !== null && answers.csat <= 2);
  let handled: DemoResponse['handled'] = null;
  if (unhappy && answers.text && submittedAt && submittedAt.getTime() < now - 3 * DAY_MS && random.chance(0.45)) {
    const at = new Date(Math.min(now, submittedAt.getTime() + random.between(0.2, 3) * DAY_MS));
    handled = { at, by: QUALITY_SITES.has(call.site) ? 'quality' : 'admin', note: handledNote(random) };
  }
  return {
    ...answers,
    channel,
    startedAt,
    submittedAt,
    revision: answers.complete && channel === 'email-click' ? 2 : 1,
    handled,
    alert: unhappy ? 'sent' : 'none',
  };
}
