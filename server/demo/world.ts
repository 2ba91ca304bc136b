/**
 * The demo's settings, made through the features' own services so they are audited and
 * checked like an admin's: the two demo accounts, the three sites, the three queues and
 * their relocations dated in the past. Whatever already exists is left as it is.
 */
import type { AuditActor } from '../audit';
import { hashPassword } from '../auth/passwords';
import { User } from '../auth/user-model';
import { createUser } from '../auth/users';
import { createQueue, queueByCode, relocateQueue } from '../queues';
import { createSite, siteByCode } from '../sites';
import type { DemoPlan } from './plan';

export interface DemoLogin {
  role: 'admin' | 'quality';
  email: string;
  password: string;
  name: string;
  /** The sites a quality lead sees; empty for all. */
  sites: string[];
}

/** The demo's accounts: their passwords are public, which is why the demo never loads by itself in production. */
export const DEMO_LOGINS: readonly DemoLogin[] = [
  { role: 'admin', email: 'demo.admin@example.com', password: 'demo-admin-retour', name: 'Nadia Roussel', sites: [] },
  { role: 'quality', email: 'demo.qualite@example.com', password: 'demo-qualite-retour', name: 'Julien Carpentier', sites: ['ABV', 'DRX'] },
];

export interface DemoUsers {
  admin: { id: string; email: string };
  quality: { id: string; email: string };
}

/** Creates the demo accounts that do not exist yet; returns the ids of both. */
export async function ensureDemoUsers(): Promise<DemoUsers> {
  const found: Partial<DemoUsers> = {};
  for (const login of DEMO_LOGINS) {
    let doc = await User.findOne({ email: login.email }, { _id: 1, email: 1 }).lean();
    if (!doc) {
      const fields = { email: login.email, name: login.name, role: login.role, sites: login.sites, locale: 'fr' as const };
      doc = (await createUser({ ...fields, passwordHash: await hashPassword(login.password) }, { type: 'system' })).user;
    }
    found[login.role] = { id: String(doc._id), email: doc.email };
  }
  return found as DemoUsers;
}

/** Creates the sites and queues of the plan that do not exist yet, queues with their past moves. */
export async function ensureDemoSettings(plan: DemoPlan, actor: AuditActor): Promise<void> {
  for (const site of plan.sites) {
    if (await siteByCode(site.code)) continue;
    const { code, ...input } = site;
    await createSite(code, input, actor);
  }
  for (const queue of plan.queues) {
    if (await queueByCode(queue.code, plan.now)) continue;
    const [first, ...moves] = queue.history;
    if (!first) continue;
    await createQueue(queue.code, { name: queue.name, site: first.site, since: first.from, survey: queue.survey }, actor, plan.now);
    for (const move of moves) await relocateQueue(queue.code, move.site, move.from, actor, move.note ?? undefined, plan.now);
  }
}
