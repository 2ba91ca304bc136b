/**
 * The demo's customers: French names for most, English for a few, and addresses only
 * under the domains reserved for examples (RFC 2606), so that no demo email can ever
 * reach a real mailbox even if an SMTP server is configured.
 */
import type { Random } from './random';

const FR_FIRST = [
  'Claire', 'Julien', 'Nathalie', 'Thomas', 'Isabelle', 'Nicolas', 'Sophie', 'Laurent', 'Céline', 'Stéphane',
  'Sandrine', 'Christophe', 'Aurélie', 'Sébastien', 'Émilie', 'Frédéric', 'Caroline', 'Olivier', 'Valérie', 'Pierre',
  'Camille', 'Hugo', 'Manon', 'Lucas', 'Chloé', 'Antoine', 'Léa', 'Maxime', 'Sarah', 'Mathieu',
  'Karima', 'Mehdi', 'Fatima', 'Yacine', 'Nadia', 'Rachid', 'Inès', 'Karim', 'Bernadette', 'Gérard',
  'Monique', 'Jean-Pierre', 'Françoise', 'Michel', 'Martine', 'Patrick', 'Brigitte', 'Alain', 'Agnès', 'Didier',
];

const FR_LAST = [
  'Dubois', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'David',
  'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard', 'André', 'Mercier', 'Dupont', 'Lambert',
  'Bonnet', 'François', 'Martinez', 'Legrand', 'Garnier', 'Faure', 'Rousseau', 'Blanc', 'Guérin', 'Muller',
  'Henry', 'Roussel', 'Nicolas', 'Perrin', 'Morin', 'Mathieu', 'Clément', 'Gauthier', 'Dumont', 'Lopez',
  'Benali', 'Haddad', 'Nguyen', 'Caron', 'Renaud', 'Meunier', 'Brun', 'Picard', 'Lemoine', 'Dufour',
];

const EN_FIRST = ['James', 'Emily', 'Oliver', 'Charlotte', 'Daniel', 'Hannah', 'George', 'Lucy', 'Michael', 'Sarah', 'David', 'Rachel'];
const EN_LAST = ['Walker', 'Clarke', 'Hughes', 'Bennett', 'Turner', 'Wright', 'Cooper', 'Morgan', 'Evans', 'Parker', 'Wood', 'Hall'];

const DOMAINS = ['example.com', 'example.net', 'example.org'];

export interface DemoCustomer {
  name: string;
  email: string;
  locale: 'fr' | 'en';
}

/** Lower-case ASCII for the local part of an address ("Émilie Lefèvre" → "emilie.lefevre"). */
function ascii(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '-');
}

/** The `n`th customer (n makes the address unique); about one in twelve writes in English. */
export function newCustomer(random: Random, n: number): DemoCustomer {
  const english = random.chance(0.08);
  const first = random.pick(english ? EN_FIRST : FR_FIRST);
  const last = random.pick(english ? EN_LAST : FR_LAST);
  const style = random.int(0, 2);
  const local = style === 0 ? `${ascii(first)}.${ascii(last)}` : style === 1 ? `${ascii(first)[0]}${ascii(last)}` : `${ascii(last)}.${ascii(first)}`;
  return { name: `${first} ${last}`, email: `${local}.${n}@${random.pick(DOMAINS)}`, locale: english ? 'en' : 'fr' };
}
