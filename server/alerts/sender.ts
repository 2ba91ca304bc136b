/**
 * The alert sender's one pass: responses marked `alert: 'pending'` (no to the information
 * question, or CSAT ≤ 2) → one email per quality lead of their sites listing them, at most
 * one email per lead per 15 minutes (the batch that must wait stays pending), then
 * `alert: 'sent'` once every lead of the site has been told. Safe with several processes:
 * a lead's send is claimed with one conditional update of their last alert time.
 */
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Mailer } from '../mail';
import { ResponseModel } from '../responses';
import { listSites, type Site } from '../sites';
import { canSeeSite, type StaffUser } from '../auth';
import { buildAlertEmail, type AlertedResponse } from './email';
import { leadsOfSite, qualityLeads } from './leads';
import { AlertLead } from './model';

export const ALERT_GAP_MS = 15 * 60_000;
/** Pending responses handled per pass; a larger backlog drains over the next passes. */
const BATCH = 500;

export interface AlertPass {
  /** Emails sent. */
  sent: number;
  /** Responses that became `alert: 'sent'`. */
  settled: number;
}

export interface AlertSenderDeps {
  mailer: Mailer;
  config: Pick<Config, 'publicUrl'>;
  logger: Logger;
}

type Pending = AlertedResponse & { _id: { toString(): string } };

/** Still worth an alert: the customer may have changed their answers since. */
function qualifies(r: Pick<AlertedResponse, 'gotInformation' | 'csat'>): boolean {
  return r.gotInformation === false || (typeof r.csat === 'number' && r.csat <= 2);
}

const noTimestamps = { timestamps: false } as const;

export async function runAlertPass(deps: AlertSenderDeps, now = new Date()): Promise<AlertPass> {
  const pending = await ResponseModel.find({ alert: 'pending' })
    .sort({ updatedAt: 1 })
    .limit(BATCH)
    .select({ site: 1, queue: 1, agent: 1, gotInformation: 1, csat: 1, nps: 1, text: 1, updatedAt: 1 })
    .lean<Pending[]>();
  const stale = pending.filter((r) => !qualifies(r)).map((r) => r._id);
  // Answers changed back before the alert went out: nothing to say (a later "no" marks it pending again).
  if (stale.length > 0) await ResponseModel.updateMany({ _id: { $in: stale }, alert: 'pending' }, { $set: { alert: 'none' } }, noTimestamps);
  const live = pending.filter(qualifies);
  if (live.length === 0) return { sent: 0, settled: 0 };

  const [leads, sites] = await Promise.all([qualityLeads(), listSites()]);
  const siteMap = new Map<string, Site>(sites.map((s) => [s.code, s]));
  const known = await alertedSets(leads);
  let sent = 0;
  for (const lead of leads) {
    const told = known.get(lead.id) ?? new Set<string>();
    const mine = live.filter((r) => canSeeSite(lead, r.site) && !told.has(String(r._id)));
    if (mine.length === 0) continue;
    if (await alertLead(deps, lead, mine, siteMap, now)) sent += 1;
  }
  const settled = await settle(live, leads);
  return { sent, settled };
}

/** Per lead, the pending responses they were already alerted about. */
async function alertedSets(leads: StaffUser[]): Promise<Map<string, Set<string>>> {
  const states = await AlertLead.find({ user: { $in: leads.map((l) => l.id) } }).lean();
  return new Map(states.map((s) => [s.user, new Set(s.alerted)]));
}

/** Claims the lead's 15-minute slot, sends, and gives the slot back if the send failed. False when the lead must wait. */
async function alertLead(deps: AlertSenderDeps, lead: StaffUser, responses: Pending[], sites: Map<string, Site>, now: Date): Promise<boolean> {
  const ids = responses.map((r) => String(r._id));
  await AlertLead.updateOne({ user: lead.id }, { $setOnInsert: { lastAlertAt: null, alerted: [] } }, { upsert: true });
  const before = await AlertLead.findOneAndUpdate(
    { user: lead.id, $or: [{ lastAlertAt: null }, { lastAlertAt: { $lte: new Date(now.getTime() - ALERT_GAP_MS) } }] },
    { $set: { lastAlertAt: now }, $addToSet: { alerted: { $each: ids } } },
    { returnDocument: 'before' },
  ).lean();
  if (!before) return false;
  try {
    await deps.mailer.send(buildAlertEmail(lead, responses, sites, deps.config));
    deps.logger.info({ user: lead.id, responses: ids.length }, 'alert sent to a quality lead');
    return true;
  } catch (err) {
    await AlertLead.updateOne({ user: lead.id, lastAlertAt: now }, { $set: { lastAlertAt: before.lastAlertAt ?? null }, $pullAll: { alerted: ids } });
    deps.logger.warn({ err, user: lead.id }, 'alert not sent; it will be tried again at the next poll');
    return false;
  }
}

/** Marks `sent` the responses every lead of their site was told about (or that no lead can hear of). */
async function settle(live: Pending[], leads: StaffUser[]): Promise<number> {
  const known = await alertedSets(leads);
  const done = live
    .filter((r) => leadsOfSite(leads, r.site).every((lead) => known.get(lead.id)?.has(String(r._id))))
    .map((r) => String(r._id));
  if (done.length === 0) return 0;
  const result = await ResponseModel.updateMany({ _id: { $in: done }, alert: 'pending' }, { $set: { alert: 'sent' } }, noTimestamps);
  await AlertLead.updateMany({ alerted: { $in: done } }, { $pull: { alerted: { $in: done } } });
  return result.modifiedCount;
}
