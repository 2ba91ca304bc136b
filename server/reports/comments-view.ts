/**
 * What the comments page shows of each response: site, queue, agent, when it was answered
 * (in the site's time zone, by the view), the customer's answers labelled with the
 * question of the template version they answered, the verbatim text answers, and who
 * handled it. Template versions are read once per page (usually one).
 */
import type { Locale, Translate } from '../i18n';
import type { Site } from '../sites';
import { getVersion, localize, type AnswerValue, type PublishedVersion, type Question } from '../templates';
import type { CommentRecord } from './comments';

export interface AnswerView {
  label: string;
  value: string;
}

export interface CommentView {
  id: string;
  anchor: string;
  siteName: string;
  site: string;
  timeZone: string | undefined;
  queue: string;
  agent: string | null;
  reason: string | null;
  day: string;
  /** The customer's last save: the list's order. */
  at: Date;
  complete: boolean;
  answers: AnswerView[];
  /** Text answers, verbatim (the view keeps their line breaks). */
  texts: AnswerView[];
  handled: { at: Date; byEmail: string; note: string } | null;
}

const SCALE_MAX: Record<string, number> = { csat: 5, nps: 10, ces: 7 };

function answerText(question: Question, value: AnswerValue, locale: Locale, t: Translate): string {
  if (question.type === 'yesno') return value === 'yes' ? t('reports.comments.yes') : value === 'no' ? t('reports.comments.no') : String(value);
  if (question.type in SCALE_MAX) return `${String(value)}/${SCALE_MAX[question.type]}`;
  if (question.type === 'choice') {
    const labels = new Map((question.options ?? []).map((o) => [o.id, localize(o.label, locale)]));
    return [value].flat().map((v) => labels.get(String(v)) ?? String(v)).join(', ');
  }
  return String(value);
}

/** Answers in the version's question order; without the version, as stored. */
function answersOf(r: CommentRecord, version: PublishedVersion | null, locale: Locale, t: Translate): Pick<CommentView, 'answers' | 'texts'> {
  const stored = (r.answers ?? {}) as Record<string, AnswerValue | undefined | null>;
  const answers: AnswerView[] = [];
  const texts: AnswerView[] = [];
  if (!version) {
    // Versions are never deleted; this only guards against a damaged reference.
    for (const [id, value] of Object.entries(stored)) {
      if (value === undefined || value === null || value === '') continue;
      if (typeof value === 'string' && value !== 'yes' && value !== 'no') texts.push({ label: id, value });
      else answers.push({ label: id, value: value === 'yes' || value === 'no' ? t(`reports.comments.${value}`) : [value].flat().join(', ') });
    }
    return { answers, texts };
  }
  for (const question of version.definition.questions) {
    const value = stored[question.id];
    if (value === undefined || value === null || value === '') continue;
    const label = localize(question.label, locale);
    if (question.type === 'text') texts.push({ label, value: String(value) });
    else answers.push({ label, value: answerText(question, value, locale, t) });
  }
  return { answers, texts };
}

async function versionsOf(items: CommentRecord[]): Promise<Map<string, PublishedVersion | null>> {
  const ids = [...new Set(items.map((r) => r.templateVersionId))];
  const found = await Promise.all(ids.map((id) => getVersion(id).catch(() => null)));
  return new Map(ids.map((id, i) => [id, found[i] ?? null]));
}

export async function commentViews(items: CommentRecord[], sites: Map<string, Site>, locale: Locale, t: Translate): Promise<CommentView[]> {
  const versions = await versionsOf(items);
  return items.map((r) => {
    const id = String(r._id);
    const site = sites.get(r.site);
    return {
      id,
      anchor: `r-${id}`,
      site: r.site,
      siteName: site?.name ?? r.site,
      timeZone: site?.timezone,
      queue: r.queue,
      agent: r.agent ?? null,
      reason: r.reason ?? null,
      day: r.day,
      at: r.updatedAt,
      complete: r.complete,
      ...answersOf(r, versions.get(r.templateVersionId) ?? null, locale, t),
      handled: r.handled ? { at: r.handled.at, byEmail: r.handled.byEmail, note: r.handled.note ?? '' } : null,
    };
  });
}
