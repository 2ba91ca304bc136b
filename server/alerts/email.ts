/**
 * The alert email to one quality lead: the responses that need a follow-up (site, queue,
 * agent, what the customer answered, an excerpt of their words, the date in the site's
 * time zone) each with a link to it on the comments page, in the lead's language.
 */
import type { Config } from '../config';
import { translate, type Locale } from '../i18n';
import { renderEmail, type OutgoingMail } from '../mail';
import type { ResponseRecord } from '../responses';
import type { Site } from '../sites';

/** Responses listed in one email; the rest are behind the "all of them" link. */
export const MAX_LISTED = 25;
const EXCERPT_CHARS = 280;

export type AlertedResponse = Pick<ResponseRecord, '_id' | 'site' | 'queue' | 'agent' | 'gotInformation' | 'csat' | 'nps' | 'text' | 'updatedAt'>;

/** The first words of a comment on one line, cut at a word with an ellipsis. */
export function excerpt(text: string | null | undefined, max = EXCERPT_CHARS): string | null {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  if (!flat) return null;
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** What made the response an alert, in words: "did not get the information", "CSAT 2/5"… */
export function answerSummary(r: Pick<ResponseRecord, 'gotInformation' | 'csat' | 'nps'>, locale: Locale): string[] {
  const parts: string[] = [];
  if (r.gotInformation === false) parts.push(translate(locale, 'alerts.infoNo'));
  if (r.gotInformation === true) parts.push(translate(locale, 'alerts.infoYes'));
  if (typeof r.csat === 'number') parts.push(translate(locale, 'alerts.csat', { value: r.csat }));
  if (typeof r.nps === 'number') parts.push(translate(locale, 'alerts.nps', { value: r.nps }));
  return parts;
}

export function commentUrl(publicUrl: string, id: string): string {
  return `${publicUrl}/reports/comments?response=${encodeURIComponent(id)}`;
}

export function buildAlertEmail(
  lead: { email: string; locale: Locale },
  responses: AlertedResponse[],
  sites: Map<string, Site>,
  config: Pick<Config, 'publicUrl'>,
): OutgoingMail {
  const { locale } = lead;
  const listed = responses.slice(0, MAX_LISTED);
  const siteNames = [...new Set(responses.map((r) => sites.get(r.site)?.name ?? r.site))].sort();
  const content = renderEmail('alert', locale, {
    what: translate(locale, responses.length === 1 ? 'alerts.one' : 'alerts.many', { count: responses.length }),
    sites: siteNames.join(', '),
    items: listed.map((r) => ({
      siteName: sites.get(r.site)?.name ?? r.site,
      queue: r.queue,
      agent: r.agent,
      answers: answerSummary(r, locale).join(' · '),
      excerpt: excerpt(r.text),
      at: r.updatedAt,
      timeZone: sites.get(r.site)?.timezone,
      url: commentUrl(config.publicUrl, String(r._id)),
    })),
    more: responses.length > listed.length ? responses.length - listed.length : 0,
    allUrl: `${config.publicUrl}/reports/comments?handled=no`,
  });
  return { to: lead.email, ...content, headers: { 'Auto-Submitted': 'auto-generated' }, tag: 'alert' };
}
