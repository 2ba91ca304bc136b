/**
 * Report fixtures for integration tests (with useTestDatabase()): sites, queues and the
 * default template made through the real services, daily rollups seeded bucket by bucket
 * (counters written straight into DailyRollup, as the rollups feature keeps them), and
 * raw responses for pages that read responses (comments, exports).
 *
 *   await seedReportWorld();                       // ABV, CAS, DRX + post-call + two queues
 *   await seedRollups([{ day: '2026-03-02', site: 'ABV', ...answers({ yes: 40, no: 10 }) }]);
 */
import { randomUUID } from 'node:crypto';
import { COARSE, COARSE_LEVEL, DailyRollup, type Counters } from '../../server/rollups';
import { ResponseModel } from '../../server/responses/model';
import { createQueue, queueByCode } from '../../server/queues';
import { createSite, siteByCode } from '../../server/sites';
import { loadSurveyTemplates } from '../../server/templates';

const SYSTEM = { type: 'system' } as const;

export interface SeedSite {
  code: string;
  name: string;
  country: string;
  timezone: string;
}

export const REPORT_SITES: SeedSite[] = [
  { code: 'ABV', name: 'Abbeville', country: 'FR', timezone: 'Europe/Paris' },
  { code: 'CAS', name: 'Casablanca', country: 'MA', timezone: 'Africa/Casablanca' },
  { code: 'DRX', name: 'Dreux', country: 'FR', timezone: 'Europe/Paris' },
];

export const REPORT_QUEUES = [
  { code: 'business-support', name: 'Business support', site: 'ABV' },
  { code: 'billing', name: 'Billing', site: 'CAS' },
];

/** Creates the sites that do not exist yet (through the sites service). */
export async function seedSites(sites: SeedSite[] = REPORT_SITES): Promise<void> {
  for (const s of sites) {
    if (await siteByCode(s.code)) continue;
    await createSite(s.code, { name: s.name, country: s.country, timezone: s.timezone, locale: 'fr', active: true }, SYSTEM);
  }
}

/** The default survey template (post-call) published, and the queues (since 2020-01-01). */
export async function seedQueues(queues = REPORT_QUEUES): Promise<void> {
  await loadSurveyTemplates();
  for (const q of queues) {
    if (await queueByCode(q.code)) continue;
    await createQueue(q.code, { name: q.name, site: q.site, since: new Date('2020-01-01T00:00:00Z') }, SYSTEM);
  }
}

/** Sites, template and queues: what report pages need to accept filters. */
export async function seedReportWorld(): Promise<void> {
  await seedSites();
  await seedQueues();
}

export interface RollupSeed extends Partial<Counters> {
  day: string;
  site: string;
  queue?: string;
  agent?: string;
  reason?: string;
  template?: string;
}

/**
 * Adds these counters to their buckets and to their coarse buckets, as the rollups feature
 * does (a bucket seeded twice sums up, like real traffic).
 */
export async function seedRollups(rows: RollupSeed[]): Promise<void> {
  if (rows.length === 0) return;
  await DailyRollup.bulkWrite(
    rows.flatMap(({ day, site, queue = 'business-support', agent = '', reason = '', template = 'post-call', ...counters }) =>
      [{ agent, reason }, { agent: COARSE, reason: COARSE, level: COARSE_LEVEL }].map((level) => ({
        updateOne: {
          filter: { day, site, queue, ...level, template },
          update: { $inc: counters as Record<string, number> },
          upsert: true,
        },
      })),
    ),
  );
}

export async function clearRollups(): Promise<void> {
  await DailyRollup.deleteMany({});
}

export interface AnswerCounts {
  /** Answers to the information question. */
  yes?: number;
  no?: number;
  /** Each CSAT answer (1-5), NPS answer (0-10), CES answer (1-7). */
  csat?: number[];
  nps?: number[];
  ces?: number[];
  /** Default: the larger of yes + no and the number of CSAT answers (everyone answered). */
  responses?: number;
  /** Default: responses. */
  invited?: number;
  surveyed?: number;
  callbacks?: number;
  texts?: number;
}

/** Counters of a bucket from plain answer counts: `...answers({ yes: 40, no: 10, csat: [5, 4, 2] })`. */
export function answers(a: AnswerCounts): Partial<Counters> {
  const csat = a.csat ?? [];
  const nps = a.nps ?? [];
  const ces = a.ces ?? [];
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  const squares = (xs: number[]) => sum(xs.map((x) => x * x));
  const responses = a.responses ?? Math.max((a.yes ?? 0) + (a.no ?? 0), csat.length, nps.length, ces.length);
  const invited = a.invited ?? responses;
  return {
    surveyed: a.surveyed ?? invited,
    callbacks: a.callbacks ?? 0,
    invited,
    responses,
    completed: responses,
    infoYes: a.yes ?? 0,
    infoNo: a.no ?? 0,
    csatN: csat.length,
    csatSum: sum(csat),
    csatSumSq: squares(csat),
    csatTop2: csat.filter((x) => x >= 4).length,
    csatLow: csat.filter((x) => x <= 2).length,
    npsN: nps.length,
    npsSum: sum(nps),
    npsSumSq: squares(nps),
    npsPromoters: nps.filter((x) => x >= 9).length,
    npsDetractors: nps.filter((x) => x <= 6).length,
    cesN: ces.length,
    cesSum: sum(ces),
    cesSumSq: squares(ces),
    cesEasy: ces.filter((x) => x >= 5).length,
    texts: a.texts ?? 0,
  };
}

/** `count` copies of `value`: `[...times(30, 5), ...times(10, 2)]`. */
export function times(count: number, value: number): number[] {
  return Array.from({ length: count }, () => value);
}

export interface ResponseSeed {
  site: string;
  day: string;
  queue?: string;
  agent?: string | null;
  reason?: string | null;
  gotInformation?: boolean | null;
  csat?: number | null;
  nps?: number | null;
  ces?: number | null;
  text?: string | null;
  answers?: Record<string, unknown>;
  complete?: boolean;
  /** Default: noon UTC of `day`. */
  callEndedAt?: Date;
  locale?: 'fr' | 'en';
}

/** Stored responses (no rollups change: seed those apart when a page reads both). */
export async function seedResponses(rows: ResponseSeed[]): Promise<void> {
  await ResponseModel.insertMany(
    rows.map((r) => {
      const ended = r.callEndedAt ?? new Date(`${r.day}T12:00:00Z`);
      return {
        invitationId: randomUUID(),
        callId: randomUUID(),
        externalId: `pbx-${randomUUID()}`,
        site: r.site,
        queue: r.queue ?? 'business-support',
        agent: r.agent ?? null,
        reason: r.reason ?? null,
        callEndedAt: ended,
        day: r.day,
        customerHash: randomUUID().replace(/-/g, ''),
        templateKey: 'post-call',
        templateVersionId: 'seeded',
        locale: r.locale ?? 'fr',
        channel: 'web',
        answers: r.answers ?? {},
        gotInformation: r.gotInformation ?? null,
        csat: r.csat ?? null,
        nps: r.nps ?? null,
        ces: r.ces ?? null,
        text: r.text ?? null,
        complete: r.complete ?? true,
        startedAt: new Date(ended.getTime() + 3_600_000),
        submittedAt: r.complete === false ? null : new Date(ended.getTime() + 3_660_000),
        revision: 1,
        rollupPending: false,
      };
    }),
  );
}

/** HTML with Handlebars' entities decoded (`=` is written &#x3D;), to assert on what a reader sees. */
export function decoded(html: string): string {
  const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#x60;': '`', '&#x3D;': '=' };
  return html.replace(/&(?:amp|lt|gt|quot|#x27|#x60|#x3D);/g, (e) => entities[e] ?? e);
}
