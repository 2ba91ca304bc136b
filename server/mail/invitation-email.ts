/**
 * The survey invitation and reminder emails: links (survey, one-click yes/no answers to
 * the information question, unsubscribe), RFC 8058 one-click unsubscribe headers, and the
 * rendered content. The dispatch worker decides when to send; this only builds the message.
 */
import type { Config } from '../config';
import type { Locale } from '../i18n';
import { renderEmail } from './render';
import type { OutgoingMail } from './types';

export interface InvitationEmailInput {
  /** The customer's address. */
  to: string;
  /** The invitation's plain token (it only exists in memory while sending). */
  token: string;
  /** The customer's locale, else the site's: the caller decides. */
  locale: Locale;
  siteName: string;
  customerName?: string | null;
  /** The information question's label in `locale`, from the template version. */
  questionLabel: string;
  /** The information question's id; 'info' in the default template. */
  questionId?: string;
  expiresAt: Date;
  /** The site's time zone, for the expiry date; Europe/Paris when absent. */
  timeZone?: string;
  kind: 'invitation' | 'reminder';
}

export interface InvitationLinks {
  surveyUrl: string;
  yesUrl: string;
  noUrl: string;
  unsubscribeUrl: string;
}

/** The links an invitation email carries, under PUBLIC_URL. */
export function invitationLinks(token: string, publicUrl: string, questionId = 'info'): InvitationLinks {
  const surveyUrl = `${publicUrl}/s/${encodeURIComponent(token)}`;
  const answer = (value: 'yes' | 'no') => `${surveyUrl}?a=${encodeURIComponent(questionId)}:${value}`;
  return { surveyUrl, yesUrl: answer('yes'), noUrl: answer('no'), unsubscribeUrl: `${publicUrl}/u/${encodeURIComponent(token)}` };
}

/** The ready-to-send message for one invitation or reminder. */
export function buildInvitationEmail(input: InvitationEmailInput, config: Pick<Config, 'publicUrl'>): OutgoingMail {
  const links = invitationLinks(input.token, config.publicUrl, input.questionId);
  const content = renderEmail(input.kind, input.locale, {
    ...links,
    siteName: input.siteName,
    customerName: input.customerName?.trim() || undefined,
    questionLabel: input.questionLabel,
    expiresAt: input.expiresAt,
    timeZone: input.timeZone,
  });
  return {
    to: input.to,
    ...content,
    headers: {
      // RFC 2369 + RFC 8058: mail clients show an unsubscribe button that POSTs to this URL.
      'List-Unsubscribe': `<${links.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      // RFC 3834: this is automated mail; out-of-office replies should not answer it.
      'Auto-Submitted': 'auto-generated',
    },
    tag: input.kind,
  };
}
