/**
 * What a lead's weekly digest says: per site, last week's headline figures from the
 * rollups (responses, response rate, information rate with its interval, CSAT, callback
 * rate; greyed under the minimum number of answers), and the week's notable comments
 * (no to the information question, or CSAT ≤ 2), newest first.
 */
import { answerSummary, commentUrl, excerpt } from '../alerts';
import type { Locale } from '../i18n';
import { emptyCounters, figuresOf, sumRollups, type Figures } from '../reports/figures';
import { ResponseModel, type ResponseRecord } from '../responses';
import type { Site } from '../sites';
import type { DigestWeek } from './schedule';

export const NOTABLE_COMMENTS = 5;

export interface DigestSite {
  code: string;
  name: string;
  figures: Figures;
}

export interface NotableComment {
  siteName: string;
  queue: string;
  agent: string | null;
  answers: string;
  excerpt: string | null;
  at: Date;
  timeZone: string | undefined;
  url: string;
}

export interface DigestContent {
  sites: DigestSite[];
  comments: NotableComment[];
}

type Notable = Pick<ResponseRecord, '_id' | 'site' | 'queue' | 'agent' | 'gotInformation' | 'csat' | 'nps' | 'text' | 'updatedAt'>;

/** One aggregation over the rollups for the figures, one indexed query for the comments. */
export async function digestContent(sites: Site[], week: DigestWeek, locale: Locale, publicUrl: string): Promise<DigestContent> {
  const codes = sites.map((s) => s.code);
  const period = { from: week.from, to: week.to };
  const [rows, notable] = await Promise.all([
    sumRollups(period, { sites: codes, queues: [], template: null }, ['site']),
    ResponseModel.find({
      site: { $in: codes },
      day: { $gte: week.from, $lte: week.to },
      text: { $ne: null },
      $or: [{ gotInformation: false }, { csat: { $lte: 2 } }],
    })
      .sort({ updatedAt: -1 })
      .limit(NOTABLE_COMMENTS)
      .lean<Notable[]>(),
  ]);
  const byCode = new Map(rows.map((row) => [row.key.site, row.counters]));
  const siteOf = new Map(sites.map((s) => [s.code, s]));
  return {
    sites: sites.map((site) => {
      const counters = byCode.get(site.code);
      return { code: site.code, name: site.name, figures: figuresOf(counters ?? emptyCounters()) };
    }),
    comments: notable.map((r) => ({
      siteName: siteOf.get(r.site)?.name ?? r.site,
      queue: r.queue,
      agent: r.agent ?? null,
      answers: answerSummary(r, locale).join(' · '),
      excerpt: excerpt(r.text),
      at: r.updatedAt,
      timeZone: siteOf.get(r.site)?.timezone,
      url: commentUrl(publicUrl, String(r._id)),
    })),
  };
}
