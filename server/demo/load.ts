/**
 * loadDemo(): puts the generated demo into the database once. Settings and accounts go
 * through the features' services; calls, invitations, responses and suppressions go in
 * as bulk inserts; then every rollup is rebuilt from them. A marker document makes a
 * second load change nothing, and lets a load cut short be cleaned up and redone.
 */
import type { mongo } from 'mongoose';
import { CallModel } from '../calls/model';
import { Invitation } from '../invitations/model';
import type { Logger } from '../logger';
import { ResponseModel } from '../responses';
import { rebuildRollups } from '../rollups';
import { Suppression } from '../suppressions/model';
import { getPublished, loadSurveyTemplates } from '../templates';
import { DEMO_PREFIX, DEMO_SOURCE, demoDocuments } from './documents';
import { DEFAULT_SEED, generateDemo } from './generate';
import { DEMO_ID, DemoLoad, type DemoCounts, type DemoLoadRecord } from './model';
import { ensureDemoSettings, ensureDemoUsers } from './world';

export interface LoadDemoOptions {
  seed?: number;
  /** 1 (default): about 30,000 calls; tests load less. */
  size?: number;
  /** The load time; default now. */
  now?: Date;
  logger?: Logger;
}

export interface DemoLoadResult {
  /** False when the demo was already there (or another instance is loading it): nothing was written. */
  changed: boolean;
  state: 'loaded' | 'loading';
  seed: number;
  size: number;
  loadedAt: Date | null;
  counts: DemoCounts | null;
  /** How long this load took. */
  ms: number | null;
}

const BATCH = 2_000;
/** A marker left `loading` for longer than this is a crashed load, not one in progress elsewhere. */
const STALE_LOAD_MS = 10 * 60_000;

/** The demo marker, or null when the demo was never loaded here. */
export async function demoMarker(): Promise<DemoLoadRecord | null> {
  return DemoLoad.findById(DEMO_ID).lean<DemoLoadRecord>();
}

function resultOf(marker: DemoLoadRecord, changed: boolean, ms: number | null = null): DemoLoadResult {
  const { state, seed, size, loadedAt, counts } = marker;
  return { changed, state: state as 'loaded' | 'loading', seed, size, loadedAt: loadedAt ?? null, counts: counts ?? null, ms };
}

/** Takes the marker for this load; null when the demo is loaded, or being loaded by another instance. */
async function claimLoad(seed: number, size: number, now: Date): Promise<{ claimed: true } | { claimed: false; marker: DemoLoadRecord }> {
  try {
    await DemoLoad.create({ _id: DEMO_ID, state: 'loading', seed, size, startedAt: now });
    return { claimed: true };
  } catch (err) {
    if ((err as { code?: unknown }).code !== 11000) throw err;
  }
  // A load cut short (the process died): take it over and start again from clean.
  const stale = await DemoLoad.findOneAndUpdate(
    { _id: DEMO_ID, state: 'loading', startedAt: { $lt: new Date(Date.now() - STALE_LOAD_MS) } },
    { $set: { seed, size, startedAt: now } },
  ).lean<DemoLoadRecord>();
  if (stale) {
    await removePartialLoad();
    return { claimed: true };
  }
  return { claimed: false, marker: (await demoMarker()) as DemoLoadRecord };
}

async function removePartialLoad(): Promise<void> {
  const demo = { externalId: { $regex: `^${DEMO_PREFIX}` } };
  await CallModel.deleteMany({ 'source.type': DEMO_SOURCE.type, 'source.id': DEMO_SOURCE.id });
  await Invitation.deleteMany(demo);
  await ResponseModel.deleteMany(demo);
}

async function insertAll(collection: mongo.Collection, docs: Record<string, unknown>[]): Promise<void> {
  for (let from = 0; from < docs.length; from += BATCH) await collection.insertMany(docs.slice(from, from + BATCH), { ordered: false });
}

/**
 * Loads the demo unless it is already in the database. Throws what the services throw
 * (a database failure; a template missing from surveys/); the marker then stays
 * `loading` and the next load cleans up and starts again.
 */
export async function loadDemo(options: LoadDemoOptions = {}): Promise<DemoLoadResult> {
  const seed = options.seed ?? DEFAULT_SEED;
  const size = options.size ?? 1;
  const now = options.now ?? new Date();
  const started = Date.now();
  const claim = await claimLoad(seed, size, now);
  if (!claim.claimed) return resultOf(claim.marker, false);

  const data = generateDemo({ seed, size, now });
  await loadSurveyTemplates({ logger: options.logger });
  const users = await ensureDemoUsers();
  await ensureDemoSettings(data.plan, { type: 'user', ...users.admin });
  const version = await getPublished(data.plan.queues[0]?.survey.template ?? 'post-call');
  const docs = demoDocuments(data, version.id, users);

  await insertAll(CallModel.collection as unknown as mongo.Collection, docs.calls);
  await insertAll(Invitation.collection as unknown as mongo.Collection, docs.invitations);
  await insertAll(ResponseModel.collection as unknown as mongo.Collection, docs.responses);
  if (docs.suppressions.length > 0) {
    await Suppression.bulkWrite(
      docs.suppressions.map((s) => ({ updateOne: { filter: { hash: s.hash }, update: { $setOnInsert: s }, upsert: true } })),
      { ordered: false },
    );
  }
  await rebuildRollups();

  const counts: DemoCounts = {
    sites: data.plan.sites.length,
    queues: data.plan.queues.length,
    agents: new Set(data.plan.agents.map((a) => a.login)).size,
    calls: docs.calls.length,
    invitations: docs.invitations.length,
    responses: docs.responses.length,
  };
  const loadedAt = new Date();
  const marker = await DemoLoad.findOneAndUpdate(
    { _id: DEMO_ID },
    { $set: { state: 'loaded', loadedAt, counts } },
    { returnDocument: 'after' },
  ).lean<DemoLoadRecord>();
  const ms = Date.now() - started;
  options.logger?.info({ seed, size, ms, ...counts }, 'demo data loaded');
  return resultOf(marker as DemoLoadRecord, true, ms);
}
