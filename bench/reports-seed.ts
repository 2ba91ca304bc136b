/**
 * The reports benchmark's database: three sites, three queues (business support moved
 * from Casablanca to Abbeville 200 days ago), 25 agents, six call reasons, and `size`
 * responses over the year ending yesterday, written with the driver's insertMany in big
 * batches as the survey service stores them. Their daily rollups are counted while the
 * responses are generated, with the rollups feature's own rules (responseFacts, countsOf),
 * and bulk-inserted at both levels (each detailed bucket, and the coarse bucket of its day,
 * site, queue and template summing them); the delivery counters (surveyed, invited, callbacks) are drawn beside
 * them (about 30% of invitations answered) since no calls or invitations are stored.
 * Seeded draws: the same size gives the same answers, dated back from the run's start.
 */
import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { createQueue, relocateQueue } from '../server/queues';
import { ResponseModel } from '../server/responses/model';
import { bucketFilter, bucketId, coarseOf, countsOf, DailyRollup, DELIVERY_COUNTERS, RESPONSE_COUNTERS, responseFacts, type BucketKey, type Counters } from '../server/rollups';
import { createSite } from '../server/sites';
import { getPublished } from '../server/templates';
import { localDate } from '../server/time/local-time';
import { mulberry32 } from '../server/demo/random';

const SYSTEM = { type: 'system' } as const;
const DAY_MS = 86_400_000;
const BATCH = 10_000;
const DAYS = 365;
export const MOVE_DAYS_AGO = 200;

const SITES = [
  { code: 'ABV', name: 'Abbeville', country: 'FR', timezone: 'Europe/Paris', information: 0.8, agents: 8 },
  { code: 'CAS', name: 'Casablanca', country: 'MA', timezone: 'Africa/Casablanca', information: 0.68, agents: 10 },
  { code: 'DRX', name: 'Dreux', country: 'FR', timezone: 'Europe/Paris', information: 0.76, agents: 7 },
];
type SiteCode = 'ABV' | 'CAS' | 'DRX';
/** Share of the calls, and the site before and after the move. */
const QUEUES = [
  { code: 'business-support', name: 'Business support', share: 0.4, before: 'CAS', after: 'ABV' },
  { code: 'billing', name: 'Billing', share: 0.3, before: 'CAS', after: 'CAS' },
  { code: 'residential-support', name: 'Residential support', share: 0.3, before: 'DRX', after: 'DRX' },
] as const;
const REASONS = ['billing', 'cancellation', 'outage', 'moving', 'contract', 'technical'];
const MISSING = [
  "On ne m'a pas donné le délai de résiliation.",
  "Je n'ai pas compris pourquoi ma facture a augmenté.",
  'Aucune date de rétablissement de la ligne.',
  "Personne n'a su me dire quand le technicien passerait.",
  'Je voulais savoir si les frais de déménagement sont remboursés.',
  'No one could tell me when the refund would arrive.',
];
const COMMENTS = [
  'Conseiller très aimable, réponse claire et rapide.',
  "Trop d'attente avant d'avoir quelqu'un, mais le problème est réglé.",
  "J'ai dû rappeler deux fois pour avoir la bonne information.",
  'Merci pour votre patience au téléphone.',
  'Very helpful, thank you.',
];

const agentsOf = (site: (typeof SITES)[number]) => Array.from({ length: site.agents }, (_, k) => `${site.code.toLowerCase()}.agent${k + 1}`);

/** Sites, queues and the move, through the features' services. */
export async function seedReportSettings(now: Date): Promise<void> {
  for (const { code, name, country, timezone } of SITES) await createSite(code, { name, country, timezone, locale: 'fr', active: true }, SYSTEM);
  const since = new Date(now.getTime() - (DAYS + 30) * DAY_MS);
  for (const q of QUEUES) await createQueue(q.code, { name: q.name, site: q.before, since }, SYSTEM, now);
  await relocateQueue('business-support', 'ABV', new Date(now.getTime() - MOVE_DAYS_AGO * DAY_MS), SYSTEM, 'Line moved to Abbeville', now);
}

type Doc = Record<string, unknown>;

/** One response: its call over the last year (business hours, fewer at weekends), the customer's answers. */
function makeResponse(i: number, random: () => number, now: Date, versionId: string): Doc {
  let ended: Date;
  do {
    const daysAgo = 1 + Math.floor(random() * DAYS);
    ended = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysAgo, 6 + Math.floor(random() * 11), Math.floor(random() * 60)));
  } while ([0, 6].includes(ended.getUTCDay()) && random() < 0.7);
  const pick = random();
  const queue = QUEUES.find((_, k) => pick < QUEUES.slice(0, k + 1).reduce((s, q) => s + q.share, 0)) ?? QUEUES[0];
  const moved = ended.getTime() >= now.getTime() - MOVE_DAYS_AGO * DAY_MS;
  const site = SITES.find((s) => s.code === (moved ? queue.after : queue.before) as SiteCode)!;
  const agents = agentsOf(site);
  const reason = REASONS[Math.floor(random() * REASONS.length)] as string;
  const yes = random() < site.information;
  const complete = random() < 0.8;
  const csat = complete ? (yes ? 3 + Math.floor(random() * 3) : 1 + Math.floor(random() * 4)) : null;
  const nps = complete && random() < 0.85 ? Math.min(10, Math.max(0, Math.round((csat ?? 3) * 2 + random() * 3 - 1))) : null;
  const missing = !yes && complete && random() < 0.6 ? (MISSING[i % MISSING.length] as string) : null;
  const comment = complete && random() < 0.2 ? (COMMENTS[i % COMMENTS.length] as string) : null;
  const texts = [missing, comment].filter((t): t is string => t !== null);
  const answers: Doc = { info: yes ? 'yes' : 'no' };
  if (complete) Object.assign(answers, { csat, ...(nps === null ? {} : { nps }), ...(missing ? { missing } : {}), ...(comment ? { comment } : {}) });
  const started = new Date(Math.min(now.getTime() - 60_000, ended.getTime() + 1_800_000 + Math.floor(random() * 36 * 3_600_000)));
  const submitted = complete ? new Date(Math.min(now.getTime() - 60_000, started.getTime() + 60_000 + Math.floor(random() * 300_000))) : null;
  const alerting = !yes || (csat !== null && csat <= 2);
  const old = now.getTime() - ended.getTime() > 14 * DAY_MS;
  return {
    _id: new Types.ObjectId(),
    invitationId: `bench-invitation-${i}`,
    callId: `bench-call-${i}`,
    externalId: `pbx-${i}`,
    site: site.code,
    queue: queue.code,
    agent: agents[Math.floor(random() * agents.length)],
    reason,
    callEndedAt: ended,
    day: localDate(ended, site.timezone),
    customerHash: createHash('sha256').update(`customer-${i}`).digest('hex'),
    templateKey: 'post-call',
    templateVersionId: versionId,
    locale: random() < 0.9 ? 'fr' : 'en',
    channel: complete && random() < 0.5 ? 'web' : 'email-click',
    answers,
    gotInformation: yes,
    csat,
    nps,
    ces: null,
    text: texts.length > 0 ? texts.join('\n\n') : null,
    complete,
    startedAt: started,
    submittedAt: submitted,
    revision: complete ? 2 : 1,
    rollupPending: false,
    handled: texts.length > 0 && old && random() < 0.5 ? { at: submitted ?? started, by: 'bench', byEmail: 'quality@example.com', note: 'Rappelé' } : null,
    alert: alerting ? 'sent' : 'none',
    createdAt: started,
    updatedAt: submitted ?? started,
    __v: 0,
  };
}

/** Adds one response to its bucket, with the invitations and calls it stands for. */
function count(buckets: Map<string, { key: BucketKey; counters: Counters }>, doc: Doc, random: () => number): void {
  const facts = responseFacts(doc as Parameters<typeof responseFacts>[0]);
  const id = bucketId(facts.bucket);
  let bucket = buckets.get(id);
  if (!bucket) {
    bucket = { key: facts.bucket, counters: Object.fromEntries([...DELIVERY_COUNTERS, ...RESPONSE_COUNTERS].map((c) => [c, 0])) as Counters };
    buckets.set(id, bucket);
  }
  const c = bucket.counters;
  for (const [k, v] of Object.entries(countsOf(facts))) c[k as keyof Counters] += v;
  // About 30% of invitations are answered: this one plus two or three that were not.
  const unanswered = random() < 0.33 ? 3 : 2;
  c.invited += 1 + unanswered;
  c.surveyed += 1 + unanswered + (random() < 0.05 ? 1 : 0);
  c.callbacks += (facts.gotInformation === false && random() < 0.3 ? 1 : 0) + (random() < 0.08 * unanswered ? 1 : 0);
}

/** Stores `size` responses and their rollups; returns how many buckets. */
export async function seedReportData(size: number, now: Date): Promise<{ buckets: number }> {
  const versionId = (await getPublished('post-call')).id;
  const random = mulberry32(size);
  const buckets = new Map<string, { key: BucketKey; counters: Counters }>();
  for (let from = 0; from < size; from += BATCH) {
    const docs = Array.from({ length: Math.min(BATCH, size - from) }, (_, k) => makeResponse(from + k, random, now, versionId));
    for (const doc of docs) count(buckets, doc, random);
    await ResponseModel.collection.insertMany(docs, { ordered: false });
  }
  const coarse = new Map<string, { key: BucketKey; counters: Counters }>();
  for (const { key, counters } of buckets.values()) {
    const id = bucketId(coarseOf(key));
    const sum = coarse.get(id) ?? { key: coarseOf(key), counters: Object.fromEntries(Object.keys(counters).map((c) => [c, 0])) as Counters };
    coarse.set(id, sum);
    for (const c of Object.keys(counters) as (keyof Counters)[]) sum.counters[c] += counters[c];
  }
  const rows = [...buckets.values(), ...coarse.values()].map(({ key, counters }) => ({ ...bucketFilter(key), ...counters, responseSeq: 0, rebuilt: { responses: null, calls: null, invitations: null } }));
  for (let from = 0; from < rows.length; from += BATCH) await DailyRollup.collection.insertMany(rows.slice(from, from + BATCH), { ordered: false });
  return { buckets: rows.length };
}
