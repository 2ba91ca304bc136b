/**
 * The load benchmark's database, stored from this process before the app starts: the
 * reports benchmark's sites, queues and a year of responses with their rollups (so the
 * report pages have data to sum), two quality leads who sign in with a password, and the
 * survey links the customers open: invitations made through the invitations service
 * (which hands back each token once) and marked sent the way the dispatch worker leaves them.
 */
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../server/auth/passwords';
import { createUser } from '../server/auth/users';
import { createInvitations, type NewInvitation } from '../server/invitations';
import { Invitation } from '../server/invitations/model';
import { getPublished } from '../server/templates';
import { localDate } from '../server/time/local-time';
import { seedReportData, seedReportSettings } from './reports-seed';

const SYSTEM = { type: 'system' } as const;
const DAY_MS = 86_400_000;
const BATCH = 1000;

/** Where each queue of reports-seed.ts answers now (after the move), and that site's time zone. */
export const QUEUES = [
  { code: 'business-support', site: 'ABV', timezone: 'Europe/Paris' },
  { code: 'billing', site: 'CAS', timezone: 'Africa/Casablanca' },
  { code: 'residential-support', site: 'DRX', timezone: 'Europe/Paris' },
] as const;
export const REASONS = ['billing', 'cancellation', 'outage', 'moving', 'contract', 'technical'];

export interface Lead {
  email: string;
  password: string;
  /** A site name every report page of this lead shows. */
  shows: string;
}

export interface SurveyLink {
  invitationId: string;
  token: string;
  locale: 'fr' | 'en';
}

/** One lead sees Abbeville and Casablanca (the relocated line), the other Dreux. */
async function seedLeads(): Promise<Lead[]> {
  const leads = [
    { email: 'lead.abbeville@example.com', sites: ['ABV', 'CAS'], locale: 'fr' as const, shows: 'Abbeville' },
    { email: 'lead.dreux@example.com', sites: ['DRX'], locale: 'en' as const, shows: 'Dreux' },
  ];
  const out: Lead[] = [];
  for (const lead of leads) {
    const password = randomBytes(12).toString('hex');
    const fields = { email: lead.email, name: lead.email.split('@')[0] as string, role: 'quality' as const, sites: lead.sites, locale: lead.locale };
    await createUser({ ...fields, passwordHash: await hashPassword(password) }, SYSTEM);
    out.push({ email: lead.email, password, shows: lead.shows });
  }
  return out;
}

/** `count` survey links of calls that ended in the last hours, sent half an hour after the call, open for 7 days. */
async function seedLinks(count: number, now: Date): Promise<SurveyLink[]> {
  const versionId = (await getPublished('post-call')).id;
  const links: SurveyLink[] = [];
  for (let from = 0; from < count; from += BATCH) {
    const inputs: NewInvitation[] = Array.from({ length: Math.min(BATCH, count - from) }, (_, k) => {
      const i = from + k;
      const queue = QUEUES[i % QUEUES.length] as (typeof QUEUES)[number];
      const callEndedAt = new Date(now.getTime() - 3_600_000 - (i % 360) * 60_000);
      return {
        callId: `load-call-${i}`,
        externalId: `load-pbx-${i}`,
        site: queue.site,
        queue: queue.code,
        agent: `${queue.site.toLowerCase()}.agent${1 + (i % 7)}`,
        reason: REASONS[i % REASONS.length],
        customer: { email: `load.customer.${i}@example.fr`, name: `Client ${i}`, locale: i % 10 === 0 ? 'en' : 'fr' },
        templateKey: 'post-call',
        callEndedAt,
        day: localDate(callEndedAt, queue.timezone),
        sendAt: new Date(callEndedAt.getTime() + 1_800_000),
        expiresAt: new Date(now.getTime() + 7 * DAY_MS),
      };
    });
    const results = await createInvitations(inputs);
    const made = results.map((r, k) => {
      if ('error' in r) throw r.error;
      return { invitationId: r.id, token: r.token, locale: inputs[k]!.customer.locale };
    });
    await Invitation.updateMany(
      { _id: { $in: made.map((m) => m.invitationId) } },
      { $set: { state: 'sent', templateVersionId: versionId, attempts: 1, nextAttemptAt: null, sentAt: new Date(now.getTime() - 600_000) } },
    );
    links.push(...made);
  }
  return links;
}

/** Everything the run needs, on the connected database; returns the leads and the survey links. */
export async function seedLoadWorld(responses: number, links: number, now: Date): Promise<{ leads: Lead[]; links: SurveyLink[]; buckets: number }> {
  await seedReportSettings(now);
  const { buckets } = await seedReportData(responses, now);
  return { leads: await seedLeads(), links: await seedLinks(links, now), buckets };
}
