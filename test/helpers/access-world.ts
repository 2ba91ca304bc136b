/**
 * The world of the access-control tests (with useTestDatabase()): sites ABV, CAS and DRX,
 * the default template, queues, a call, a customer's survey link, comments of ABV and CAS,
 * an outbox message, a call import, templates in each state an admin action needs, users
 * and API keys — and the six callers: anonymous, customer, the lead of another site (CAS),
 * the lead of the data's site (ABV), an admin and an API key. Also a fingerprint of the
 * database, to prove that a refused request changed nothing.
 */
import { createHash } from 'node:crypto';
import type { Express } from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { createApiKey as storeApiKey } from '../../server/auth/api-keys';
import { createImport } from '../../server/calls/imports';
import { createLogger } from '../../server/logger';
import { createOutboxMailer } from '../../server/mail';
import { createTemplate, saveDraft, setArchived } from '../../server/templates';
import { makeCall } from './calls';
import { seedResponse, seedWorld } from './seed-responses';
import { createApiKey, createStaff, csrfFrom, loginAs, type StaffOptions } from './staff';
import { surveyLink } from './survey';
import { DEFAULT_TEMPLATE, seedTemplate } from './templates';

export const ROLES = ['anonymous', 'customer', 'otherLead', 'lead', 'admin', 'apiKey'] as const;
export type RoleName = (typeof ROLES)[number];

/** One caller: a cookie-keeping agent, the CSRF token its session holds, what it sends on every request. */
export interface Actor {
  role: RoleName;
  agent: request.Agent;
  csrf: string;
}

export interface World {
  /** The API key of the `apiKey` caller, and another one for the revoke action. */
  apiKey: string;
  spareKeyId: string;
  /** The customer's survey link (site ABV). */
  surveyToken: string;
  /** A call ingested through the API (queue business-support, site ABV). */
  externalId: string;
  /** Comments (responses with text) of ABV and of CAS, answered yesterday. */
  commentOfA: string;
  commentOfB: string;
  outboxId: string;
  importId: string;
  /** A quality lead the admin actions change (never one of the callers). */
  targetUserId: string;
}

const SYSTEM = { type: 'system' } as const;
const YESTERDAY = () => new Date(Date.now() - 86_400_000);
export const COMMENT_OF_A = 'Abbeville: nobody knew my contract';
export const COMMENT_OF_B = 'Casablanca: the hold music was too loud';

/** Templates in the state each admin action needs (the key says which). */
async function seedTemplates(): Promise<void> {
  for (const key of ['to-archive', 'to-edit', 'to-discard', 'archived']) await seedTemplate(key);
  await saveDraft('to-discard', { ...DEFAULT_TEMPLATE, key: 'to-discard', name: { fr: 'Brouillon', en: 'Draft' } }, SYSTEM);
  await setArchived('archived', true, SYSTEM);
  await createTemplate({ ...DEFAULT_TEMPLATE, key: 'to-publish' }, SYSTEM);
}

export async function seedAccessWorld(app: Express): Promise<World> {
  await seedWorld();
  await seedTemplates();
  const apiKey = await createApiKey('telephony');
  const spare = await storeApiKey('spare');
  const call = makeCall({ queue: 'business-support' });
  const ingest = await request(app).post('/api/v1/calls').set('Authorization', `Bearer ${apiKey}`).send(call);
  if (ingest.status !== 202) throw new Error(`the call was not ingested: ${ingest.status}`);
  const { token } = await surveyLink({ email: 'holder@example.fr' });
  const commentOfA = await seedResponse({ info: 'no', comment: COMMENT_OF_A }, { site: 'ABV', queue: 'business-support', at: YESTERDAY() });
  const commentOfB = await seedResponse({ info: 'no', comment: COMMENT_OF_B }, { site: 'CAS', queue: 'billing', at: YESTERDAY() });
  const outbox = createOutboxMailer('Retour <retour@example.com>', createLogger({ logLevel: 'silent' }));
  const { messageId } = await outbox.send({ to: 'someone@example.fr', subject: 'Votre avis', text: 'Bonjour', html: '<p>Bonjour</p>', tag: 'invitation' });
  const ended = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' }).format(new Date(Date.now() - 7_200_000));
  const csv = `Identifiant appel;Date fin;File;Conseiller;Motif;Email;Nom\nimp-1;${ended};business-support;a.martin;billing;imported@example.fr;Client\n`;
  const importId = await createImport(csv, 'export.csv', SYSTEM);
  const target = await createStaff({ role: 'quality', sites: ['DRX'] });
  return {
    apiKey,
    spareKeyId: String(spare.doc._id),
    surveyToken: token,
    externalId: String(call.externalId),
    commentOfA,
    commentOfB,
    outboxId: messageId,
    importId,
    targetUserId: target.user.id,
  };
}

/** A new caller of this role: staff sign in through the form; the others hold the login page's anonymous token. */
export async function makeActor(app: Express, role: RoleName, world: World): Promise<Actor> {
  const staff: Record<'otherLead' | 'lead' | 'admin', StaffOptions> = {
    otherLead: { role: 'quality', sites: ['CAS'] },
    lead: { role: 'quality', sites: ['ABV'] },
    admin: { role: 'admin' },
  };
  if (role === 'otherLead' || role === 'lead' || role === 'admin') {
    const { agent, csrf } = await loginAs(app, staff[role]);
    return { role, agent, csrf: await csrf() };
  }
  const agent = request.agent(app);
  // The strongest position of an outsider: a session of its own, with a valid form token.
  const csrf = csrfFrom((await agent.get('/login')).text);
  if (role === 'apiKey') agent.set('Authorization', `Bearer ${world.apiKey}`);
  return { role, agent, csrf };
}

// Sessions change with every request (rolling expiry) and sign-in attempts are counted: neither is data.
const NOT_DATA = new Set(['sessions', 'loginthrottles']);

/** A digest of every stored document outside sessions and sign-in throttling. */
export async function databaseFingerprint(): Promise<Record<string, string>> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('the database is not connected');
  const names = (await db.listCollections().toArray()).map((c) => c.name).filter((n) => !NOT_DATA.has(n)).sort();
  const digest: Record<string, string> = {};
  for (const name of names) {
    const docs = await db.collection(name).find().sort({ _id: 1 }).toArray();
    digest[name] = `${docs.length}:${createHash('sha256').update(JSON.stringify(docs)).digest('hex').slice(0, 16)}`;
  }
  return digest;
}
