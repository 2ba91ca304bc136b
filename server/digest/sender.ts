/**
 * The digest sender's one pass: for every quality lead whose digest is due (Monday 08:00 in
 * their sites' zone), claim the (lead, week) DigestLog, send, mark it sent. A failed send
 * drops the claim so the next pass tries again; a crash after the mail server accepted
 * the message leaves the claim, so a week's digest goes at most once.
 */
import { canSeeSite, type StaffUser } from '../auth';
import { qualityLeads } from '../alerts';
import type { Config } from '../config';
import type { Logger } from '../logger';
import type { Mailer } from '../mail';
import { listSites, type Site } from '../sites';
import { digestContent } from './content';
import { buildDigestEmail } from './email';
import { DigestLog } from './model';
import { dueWeek, type DigestWeek } from './schedule';

export interface DigestSenderDeps {
  mailer: Mailer;
  config: Pick<Config, 'publicUrl'>;
  logger: Logger;
}

interface Due {
  lead: StaffUser;
  sites: Site[];
  week: DigestWeek;
}

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: unknown })?.code === 11000;
}

/** Resolves with the number of digests sent. */
export async function runDigestPass(deps: DigestSenderDeps, now = new Date()): Promise<number> {
  const [leads, sites] = await Promise.all([qualityLeads(), listSites()]);
  const due: Due[] = [];
  for (const lead of leads) {
    const mine = sites.filter((s) => s.active && canSeeSite(lead, s.code));
    const week = dueWeek(now, [...new Set(mine.map((s) => s.timezone))]);
    if (week) due.push({ lead, sites: mine, week });
  }
  if (due.length === 0) return 0;
  const logged = await DigestLog.find({ user: { $in: due.map((d) => d.lead.id) }, week: { $in: [...new Set(due.map((d) => d.week.week))] } }).lean();
  const done = new Set(logged.map((l) => `${l.user} ${l.week}`));
  let sent = 0;
  for (const item of due) {
    if (done.has(`${item.lead.id} ${item.week.week}`)) continue;
    if (await sendDigest(deps, item, now)) sent += 1;
  }
  return sent;
}

async function sendDigest(deps: DigestSenderDeps, { lead, sites, week }: Due, now: Date): Promise<boolean> {
  try {
    await DigestLog.create({ user: lead.id, week: week.week, state: 'sending', claimedAt: now });
  } catch (err) {
    if (isDuplicateKey(err)) return false; // another process has it
    throw err;
  }
  try {
    const content = await digestContent(sites, week, lead.locale, deps.config.publicUrl);
    await deps.mailer.send(buildDigestEmail(lead, week, content, deps.config));
  } catch (err) {
    await DigestLog.deleteOne({ user: lead.id, week: week.week, state: 'sending' });
    deps.logger.warn({ err, user: lead.id, week: week.week }, 'weekly digest not sent; it will be tried again at the next poll');
    return false;
  }
  await DigestLog.updateOne({ user: lead.id, week: week.week }, { $set: { state: 'sent', sentAt: now } });
  deps.logger.info({ user: lead.id, week: week.week }, 'weekly digest sent');
  return true;
}
