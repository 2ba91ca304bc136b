/**
 * How a call's survey decision reads on the admin pages, in the reader's language:
 * the outcome's label and the reason rebuilt from the stored code and dates (the API's
 * English `reason` stays in the database), dates shown in the site's time zone.
 */
import { formatDate } from '../http/helpers';
import type { Locale, Translate } from '../i18n';
import type { CallRecord } from './model';

export function outcomeLabel(t: Translate, outcome: string): string {
  return t(`calls.outcomes.${outcome}`);
}

/** "Outside quiet hours → sent on 21 Nov 2026, 09:00 (Europe/Paris)", in the reader's locale. */
export function decisionText(t: Translate, locale: Locale, call: Pick<CallRecord, 'decision'>, timeZone: string): string {
  const d = call.decision;
  const at = (date: Date | null) => `${formatDate(date, locale, { timeZone, style: 'datetime' })} (${timeZone})`;
  const day = (date: Date | null) => formatDate(date, locale, { timeZone, style: 'date' });
  let text: string;
  switch (d.code) {
    case 'SCHEDULED':
      text = t('calls.reasons.SCHEDULED', { sendAt: at(d.sendAt) });
      break;
    case 'QUIET_HOURS':
      text = t('calls.reasons.QUIET_HOURS', { sendAt: at(d.sendAt) });
      break;
    case 'SUPPRESSED':
      text = t('calls.reasons.SUPPRESSED', { why: t(`calls.suppression.${d.suppression ?? 'unsubscribed'}`) });
      break;
    case 'QUARANTINED':
      text = t('calls.reasons.QUARANTINED', { until: day(d.until), surveyedOn: day(d.surveyedOn) });
      break;
    case 'TOO_OLD':
      text = t('calls.reasons.TOO_OLD');
      break;
    case 'SAMPLED_OUT':
      text = t('calls.reasons.SAMPLED_OUT');
      break;
    default:
      text = d.reason;
  }
  return d.balanced ? `${text} ${t('calls.reasons.balanced')}` : text;
}
