/**
 * Unsubscribing by the token of a survey email: looking the invitation up (read only, for
 * the confirmation page) and unsubscribing (suppress the address, stop the reminder).
 * The invitation stays answerable: unsubscribing stops emails, not the survey.
 */
import { findInvitationByToken, markUnsubscribed, type InvitationState, type InvitationView } from '../invitations';
import { suppressAddress } from '../suppressions';

/** States in which the customer may still answer (the invitations feature does not export its list). */
const ANSWERABLE: InvitationState[] = ['scheduled', 'sent', 'opened'];

export interface UnsubscribeTarget {
  invitation: InvitationView;
  /** The address as the page may show it. */
  maskedEmail: string;
  /** Whether the survey can still be answered (a link to it is offered). */
  canAnswer: boolean;
}

/** The invitation behind an unsubscribe link, or null for an unknown token. Changes nothing. */
export async function findUnsubscribeTarget(token: string, now = new Date()): Promise<UnsubscribeTarget | null> {
  const invitation = await findInvitationByToken(token);
  if (!invitation) return null;
  return {
    invitation,
    maskedEmail: maskEmail(invitation.customer.email),
    canAnswer: ANSWERABLE.includes(invitation.state) && invitation.expiresAt > now,
  };
}

/**
 * Suppresses the invitation's address (reason 'unsubscribed', source the invitation) and
 * cancels its reminder. Idempotent. Returns null (and changes nothing) for an unknown token.
 */
export async function unsubscribe(token: string, now = new Date()): Promise<UnsubscribeTarget | null> {
  const target = await findUnsubscribeTarget(token, now);
  if (!target) return null;
  await suppressAddress(target.invitation.customer.email, 'unsubscribed', `invitation:${target.invitation.id}`);
  await markUnsubscribed(target.invitation.id);
  return target;
}

/**
 * Enough of an address for its owner to recognise it, too little for anyone else who
 * holds the link: `claire.dubois@example.fr` → `c•••s@e•••.fr`.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  const local = email.slice(0, at);
  const [first = '', ...rest] = email.slice(at + 1).split('.');
  const hide = (part: string) => (part.length <= 2 ? `${part.slice(0, 1)}•••` : `${part[0]}•••${part[part.length - 1]}`);
  const domain = rest.length > 0 ? `${first.slice(0, 1)}•••.${rest.join('.')}` : hide(first);
  return `${hide(local)}@${domain}`;
}
