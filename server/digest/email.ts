/**
 * The weekly digest email to one quality lead: a table of last week's figures per site
 * (numbers in the lead's language; figures on too few answers marked, not hidden) and the
 * week's notable comments with links to them. No chart: mail clients drop inline SVG, and
 * the table says the same.
 */
import type { Config } from '../config';
import { EMPTY, formatDate, formatNumber, formatPercent } from '../http/helpers';
import { translate, type Locale } from '../i18n';
import { renderEmail, type OutgoingMail } from '../mail';
import type { Rate } from '../reports/figures';
import type { DigestContent, DigestSite } from './content';
import type { DigestWeek } from './schedule';

/** A calendar date (YYYY-MM-DD) in words: "16 Nov 2026". */
function dayLabel(date: string, locale: Locale): string {
  return formatDate(new Date(`${date}T12:00:00Z`), locale, { timeZone: 'UTC', style: 'date' });
}

/** A figure line's value, and whether it rests on enough answers to be read. */
interface FigureText {
  text: string;
  enough: boolean;
}

/** "62 % (95 % CI 55 %–69 %, n = 180)", or "—" without answers. */
function rateText(rate: Rate, locale: Locale): FigureText {
  if (rate.value === null) return { text: EMPTY, enough: false };
  const vars = { value: formatPercent(rate.value, locale), n: formatNumber(rate.n, locale) };
  const text = rate.interval
    ? translate(locale, 'digest.rateWithInterval', { ...vars, low: formatPercent(rate.interval.low, locale), high: formatPercent(rate.interval.high, locale) })
    : translate(locale, 'digest.rate', vars);
  return { text, enough: rate.enough };
}

function siteLines(site: DigestSite, locale: Locale) {
  const f = site.figures;
  const csat = rateText(f.csat, locale);
  if (f.csat.mean !== null) csat.text += ` · ${translate(locale, 'digest.csatMean', { mean: formatNumber(f.csat.mean, locale, 1) })}`;
  return {
    name: site.name,
    code: site.code,
    lines: [
      { label: translate(locale, 'digest.responses'), text: formatNumber(f.responses, locale), enough: true },
      { label: translate(locale, 'digest.responseRate'), ...rateText(f.responseRate, locale) },
      { label: translate(locale, 'digest.information'), ...rateText(f.information, locale) },
      { label: translate(locale, 'digest.csat'), ...csat },
      { label: translate(locale, 'digest.callbacks'), ...rateText(f.callbacks, locale) },
    ],
  };
}

export function buildDigestEmail(
  lead: { email: string; locale: Locale },
  week: DigestWeek,
  content: DigestContent,
  config: Pick<Config, 'publicUrl'>,
): OutgoingMail {
  const { locale } = lead;
  const rendered = renderEmail('digest', locale, {
    from: dayLabel(week.from, locale),
    to: dayLabel(week.to, locale),
    sites: content.sites.map((site) => siteLines(site, locale)),
    comments: content.comments,
    reportUrl: `${config.publicUrl}/reports?from=${week.from}&to=${week.to}`,
    commentsUrl: `${config.publicUrl}/reports/comments?from=${week.from}&to=${week.to}`,
  });
  return { to: lead.email, ...rendered, headers: { 'Auto-Submitted': 'auto-generated' }, tag: 'digest' };
}
