/**
 * What demo customers write: answers to "what information was missing?" by call reason,
 * and free comments by mood, in French (most) and English, with the small variations of
 * real typing (a greeting, a closing word, a missing final stop).
 */
import type { Random } from './random';

export type Mood = 'positive' | 'negative' | 'mixed';

const MISSING_FR: Record<string, string[]> = {
  cancellation: [
    "On ne m'a pas donné le délai de résiliation.",
    "Je voulais connaître les frais de résiliation, personne n'a su me répondre.",
    "Je ne sais toujours pas si je dois renvoyer la box ni à quelle adresse.",
    "Pas de réponse claire sur la date de fin de mon engagement.",
    "On m'a dit qu'on me rappellerait pour la résiliation, je n'ai eu aucun appel.",
  ],
  billing: [
    "Je n'ai pas compris pourquoi ma facture a augmenté de 12 euros.",
    "Personne n'a pu m'expliquer la ligne « services additionnels » sur ma facture.",
    "Je voulais savoir quand le remboursement serait fait, pas de date.",
    "On ne m'a pas dit si le trop-perçu serait déduit de la prochaine facture.",
    'Le conseiller ne savait pas à quoi correspondait le prorata.',
  ],
  outage: [
    'Aucune date de rétablissement de la ligne.',
    "On ne m'a pas dit si la panne venait de chez moi ou du réseau.",
    "Je n'ai pas eu de numéro de ticket pour suivre l'incident.",
    "Toujours pas d'internet et aucune idée de quand un technicien viendra.",
    'Personne ne savait si la coupure touchait tout le quartier.',
  ],
  moving: [
    "On ne m'a pas dit quand le technicien passerait pour le raccordement.",
    'Je ne sais pas si je garde mon numéro après le déménagement.',
    "Pas d'information sur les frais de transfert de ligne.",
    "On ne m'a pas expliqué comment faire le transfert en ligne.",
  ],
  contract: [
    "Les conditions de l'engagement restent floues.",
    "Je voulais savoir si je pouvais changer d'offre sans frais, pas de réponse nette.",
    "On ne m'a pas envoyé le récapitulatif du contrat promis.",
    'Impossible de savoir quelle est la date anniversaire de mon contrat.',
  ],
  equipment: [
    'Je ne sais pas comment renvoyer le décodeur défectueux.',
    "On ne m'a pas dit quand je recevrais la nouvelle box.",
    "Pas d'explication sur le voyant rouge de la box.",
  ],
  payment: [
    "Je voulais un échéancier, on ne m'a pas dit si c'était possible.",
    'Pas de confirmation que mon prélèvement a bien été modifié.',
  ],
  any: [
    "Je n'ai pas eu de réponse à ma question.",
    'Le conseiller devait se renseigner et ne m’a jamais rappelé.',
    "On m'a renvoyé vers un autre service qui ne répond pas.",
  ],
};

const COMMENTS_FR: Record<Mood, string[]> = {
  negative: [
    'Trois appels pour le même problème, c’est long.',
    "Attente de 25 minutes avant d'avoir quelqu'un.",
    'Le conseiller était aimable mais ne connaissait pas le dossier.',
    "J'ai dû tout réexpliquer depuis le début.",
    'Communication difficile, la ligne coupait.',
    "On sent que les conseillers n'ont pas accès aux bonnes informations.",
    'Très déçu, je pense changer d’opérateur.',
    'Réponses toutes faites, aucune solution.',
    "Le conseiller m'a coupé la parole plusieurs fois.",
    'Transféré deux fois, puis la communication a coupé.',
    'Je ne comprenais pas toujours ce que disait le conseiller.',
  ],
  positive: [
    'Conseiller très patient, merci.',
    'Réponse rapide et claire, rien à redire.',
    'Très bon accueil, problème réglé en cinq minutes.',
    'Merci à la conseillère pour sa gentillesse.',
    "Enfin quelqu'un qui connaît son métier !",
    'Explications claires sur ma facture, merci.',
    'Le technicien est passé le lendemain comme annoncé.',
    "Service efficace, j'ai eu toutes les réponses à mes questions.",
    'Conseiller à l’écoute et souriant, ça fait plaisir.',
    "Parfait, le transfert de ma ligne s'est fait sans souci.",
    'Attente un peu longue mais conseiller au top.',
    'Très professionnel, il a pris le temps de tout vérifier.',
    'Bonne prise en charge de ma réclamation.',
    'Merci pour le geste commercial.',
    'Rapide, efficace, courtois.',
    "On m'a rappelé comme promis, merci.",
  ],
  mixed: [
    'Correct, sans plus.',
    "Bien dans l'ensemble, mais le serveur vocal est pénible.",
    "Le conseiller a fait de son mieux, mais le problème n'est pas réglé.",
    'Il faudrait pouvoir joindre le service le samedi après-midi.',
    "Plus simple par téléphone que sur l'application.",
    "Bonne réponse, mais j'aurais aimé un e-mail de confirmation.",
    "Le temps d'attente annoncé n'était pas le bon.",
  ],
};

const MISSING_EN = [
  'Nobody could tell me when the engineer would come.',
  'I still do not know the notice period to cancel my contract.',
  'No explanation for the extra charge on my bill.',
  'I was not told whether I keep my number after moving.',
  'No date for when the line will be fixed.',
];

const COMMENTS_EN: Record<Mood, string[]> = {
  negative: ['Waited 20 minutes and had to explain everything twice.', 'The agent was polite but could not answer my question.', 'Transferred three times, still no answer.'],
  positive: [
    'Very helpful agent, thank you.',
    'Quick and clear answer, thanks.',
    'The agent spoke English, which helped a lot.',
    'Problem solved in one call, great service.',
    'Patient and friendly, explained my bill step by step.',
  ],
  mixed: ['Fine, but the hold music is far too loud.', 'Good answer, but I would have liked an email confirmation.', 'OK overall.'],
};

const OPENINGS = { fr: ['Bonjour, ', 'Franchement, ', 'Bonjour. '], en: ['Hi, ', 'Honestly, '] };
const CLOSINGS = { fr: [' Merci.', ' Cordialement.', ' Dommage.', ' Bonne journée.'], en: [' Thanks.', ' Regards.'] };

/** A real-looking variation of `text`: sometimes a greeting, a closing word, or no final stop. */
function vary(random: Random, text: string, locale: 'fr' | 'en', mood: Mood | 'missing', greeting = true): string {
  let out = text;
  if (greeting && random.chance(0.12)) {
    const opening = random.pick(OPENINGS[locale]);
    out = opening + (opening.endsWith('. ') ? out : out.charAt(0).toLowerCase() + out.slice(1));
  }
  const closings = CLOSINGS[locale].filter((c) => mood !== 'positive' || !/Dommage/.test(c));
  if (random.chance(0.15) && /[.!]$/.test(out)) out += random.pick(mood === 'negative' || mood === 'missing' ? closings : closings.slice(0, 2));
  else if (random.chance(0.2)) out = out.replace(/\.$/, '');
  return out;
}

/** An answer to "what information was missing?" for a call about `reason`. */
export function missingText(random: Random, reason: string, locale: 'fr' | 'en'): string {
  if (locale === 'en') return vary(random, random.pick(MISSING_EN), 'en', 'missing');
  const own = MISSING_FR[reason] ?? [];
  const text = own.length > 0 && random.chance(0.85) ? random.pick(own) : random.pick(MISSING_FR.any as string[]);
  return vary(random, text, 'fr', 'missing');
}

/** A free comment in this mood; `first` when it is the customer's first text (the one that may open with a greeting). */
export function commentText(random: Random, mood: Mood, locale: 'fr' | 'en', first = true): string {
  const texts = locale === 'en' ? COMMENTS_EN[mood] : COMMENTS_FR[mood];
  return vary(random, random.pick(texts), locale, mood, first);
}

/** Every distinct sentence, for the tests that check the corpus is as varied as promised. */
export function corpusSentences(): { fr: string[]; en: string[] } {
  return {
    fr: [...Object.values(MISSING_FR).flat(), ...Object.values(COMMENTS_FR).flat()],
    en: [...MISSING_EN, ...Object.values(COMMENTS_EN).flat()],
  };
}
