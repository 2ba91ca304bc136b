/**
 * Ingest benchmark: 10,000 calls posted to POST /api/v1/calls in batches of 1,000 (the
 * whole pipeline: API key, validation, lookups, eligibility, the Call documents and an
 * invitation per scheduled call) against a bare Mongoose insertMany of the same 10,000
 * calls, in the same run on the same embedded engine. The baseline that counts stores them
 * as Retour stores calls: a fresh collection with the calls collection's indexes (storing
 * a call means indexing it; what the ratio measures is everything the API adds on top).
 * A second baseline, a collection with only `_id`, is shown beside it for reference.
 * Reported as baseline time / API time (goal ≥ 0.5).
 *
 *   npm run bench -- ingest            (BENCH_CALLS=10000, BENCH_ROUNDS=5 by default)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose, { Schema } from 'mongoose';
import { createApp } from '../server/app';
import { CallModel } from '../server/calls/model';
import { loadConfig } from '../server/config';
import { connect } from '../server/db';
import { prepareFeatures } from '../server/features';
import { createLogger } from '../server/logger';
import { createQueue } from '../server/queues';
import { createSite } from '../server/sites';
import { send } from './http';
import { figure, type SuiteResult } from './results';

const BATCH = 1000;
// Rounds are short (about 2 s) and the machine noisy: five of them, so that one disturbed round does not decide.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const KEY = 'bench-ingest-key-0123456789abcdef';
const SYSTEM = { type: 'system' } as const;

function makeCall(run: string, i: number, now: number) {
  return {
    externalId: `${run}-${i}`,
    endedAt: new Date(now - 3_600_000 + (i % 3_000) * 1_000).toISOString(),
    queue: `queue-${i % 4}`,
    agent: `agent.${i % 200}`,
    reason: ['billing', 'contract', 'outage', 'moving'][i % 4],
    durationSec: 60 + (i % 900),
    customer: { email: `customer.${run}.${i}@example.fr`, name: `Client ${i}`, locale: i % 7 === 0 ? 'en' : 'fr' },
  };
}

/** The request bodies, serialised before the clock starts: the telephony system's JSON is not Retour's work. */
function bodies(calls: unknown[]): string[] {
  const out: string[] = [];
  for (let from = 0; from < calls.length; from += BATCH) out.push(JSON.stringify({ calls: calls.slice(from, from + BATCH) }));
  return out;
}

async function postAll(url: string, batches: string[]): Promise<Record<string, number>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const counts: Record<string, number> = {};
  try {
    for (const body of batches) {
      const res = await send(agent, `${url}/api/v1/calls`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body });
      if (res.status !== 202) throw new Error(`POST /api/v1/calls answered ${res.status}: ${res.text}`);
      for (const r of (JSON.parse(res.text) as { results: { outcome: string }[] }).results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    }
  } finally {
    agent.destroy();
  }
  return counts;
}

export async function runIngestBench(size = 10_000): Promise<SuiteResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'retour-bench-ingest-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', BOOTSTRAP_API_KEY: KEY });
  const logger = createLogger(config);
  const database = await connect(config, logger);
  const app = createApp({ config, logger, health: () => ({ status: 'ok', db: 'embedded' }) });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    await prepareFeatures({ config, logger });
    await createSite('ABV', { name: 'Abbeville', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' }, SYSTEM);
    for (let q = 0; q < 4; q++) {
      await createQueue(`queue-${q}`, { name: `Queue ${q}`, site: 'ABV', since: new Date('2020-01-01T00:00:00Z') }, SYSTEM);
    }
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const now = Date.now();

    // Bare: the same documents, no rules; one collection indexed as calls are, one with only _id.
    const bareSchema = new Schema({}, { strict: false, versionKey: false });
    for (const [fields, options] of CallModel.schema.indexes()) bareSchema.index(fields, options);
    const Bare = mongoose.model('BenchBareCall', bareSchema, 'bench_bare_calls');
    const BareIdOnly = mongoose.model('BenchBareCallIdOnly', new Schema({}, { strict: false, versionKey: false }), 'bench_bare_calls_id_only');
    await Bare.init();

    const timeBare = async (model: typeof Bare, run: string) => {
      const docs = Array.from({ length: size }, (_, i) => makeCall(run, i, now));
      const start = performance.now();
      for (let from = 0; from < size; from += BATCH) await model.insertMany(docs.slice(from, from + BATCH));
      return performance.now() - start;
    };
    // Rounds alternate the three so that a burst of load on the machine hits all of them; the
    // median round counts. A first round, not counted, warms up the code paths of all three.
    const rounds: { bareMs: number; idOnlyMs: number; apiMs: number; outcomes: Record<string, number> }[] = [];
    for (let round = -1; round < ROUNDS; round++) {
      const bareMs = await timeBare(Bare, `bare-${round}`);
      const idOnlyMs = await timeBare(BareIdOnly, `bare-id-only-${round}`);
      const batches = bodies(Array.from({ length: size }, (_, i) => makeCall(`api-${round}`, i, now)));
      const apiStart = performance.now();
      const outcomes = await postAll(url, batches);
      if (round >= 0) rounds.push({ bareMs, idOnlyMs, apiMs: performance.now() - apiStart, outcomes });
    }
    rounds.sort((a, b) => a.bareMs / a.apiMs - b.bareMs / b.apiMs);
    console.table(
      rounds.map(({ bareMs, idOnlyMs, apiMs, outcomes }, i) => ({
        round: i === (rounds.length - 1) >> 1 ? 'median' : '',
        calls: size,
        'bare insertMany, calls indexes (ms)': Math.round(bareMs),
        'POST /api/v1/calls (ms)': Math.round(apiMs),
        'calls/s through the API': Math.round((size / apiMs) * 1000),
        'ratio (bare / API, goal ≥ 0.5)': (bareMs / apiMs).toFixed(2),
        'for reference: _id only (ms), ratio': `${Math.round(idOnlyMs)}, ${(idOnlyMs / apiMs).toFixed(2)}`,
        outcomes: Object.entries(outcomes).map(([o, n]) => `${o} ${n}`).join(', '),
      })),
    );
    return ingestResult(size, rounds[(rounds.length - 1) >> 1]!);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await database.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The median round as figures: calls per second through the API against the bare inserts. */
function ingestResult(size: number, median: { bareMs: number; idOnlyMs: number; apiMs: number; outcomes: Record<string, number> }): SuiteResult {
  const perSecond = (ms: number) => (size / ms) * 1000;
  const api = perSecond(median.apiMs);
  return {
    name: 'ingest',
    description:
      `${size.toLocaleString('en')} calls posted to POST /api/v1/calls in batches of ${BATCH.toLocaleString('en')} (API key, validation, eligibility, the calls and their invitations) ` +
      `against a bare Mongoose insertMany of the same calls into a collection with the calls' indexes, on the same embedded engine in the same run; ` +
      `the median of ${ROUNDS} alternating rounds after one warm-up round. Goal (issue #5): ratio ≥ 0.5.`,
    figures: [
      figure({ label: 'calls/s through POST /api/v1/calls', value: api, unit: 'calls/s', baseline: { label: 'bare insertMany, calls indexes', value: perSecond(median.bareMs) }, goal: { on: 'ratio', atLeast: 0.5 } }),
      figure({ label: 'calls/s through POST /api/v1/calls (for reference)', value: api, unit: 'calls/s', baseline: { label: 'bare insertMany, _id only', value: perSecond(median.idOnlyMs) } }),
    ],
    notes: [`Outcomes of the median round: ${Object.entries(median.outcomes).map(([o, n]) => `${o} ${n}`).join(', ')}.`],
  };
}
