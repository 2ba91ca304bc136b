/**
 * Ingest benchmark: 10,000 calls posted to POST /api/v1/calls in batches of 1,000 (the
 * whole pipeline: API key, validation, lookups, eligibility, the Call documents and an
 * invitation per scheduled call) against a bare Mongoose insertMany of the same 10,000
 * call documents into a fresh collection, in the same run on the same embedded engine.
 * Reported as baseline time / API time (goal ≥ 0.5).
 *
 *   npm run bench -- ingest            (BENCH_CALLS=10000 by default)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose, { Schema } from 'mongoose';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { connect } from '../server/db';
import { prepareFeatures } from '../server/features';
import { createLogger } from '../server/logger';
import { createQueue } from '../server/queues';
import { createSite } from '../server/sites';

const BATCH = 1000;
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

async function postAll(url: string, calls: unknown[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let from = 0; from < calls.length; from += BATCH) {
    const res = await fetch(`${url}/api/v1/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ calls: calls.slice(from, from + BATCH) }),
    });
    if (res.status !== 202) throw new Error(`POST /api/v1/calls answered ${res.status}: ${await res.text()}`);
    for (const r of ((await res.json()) as { results: { outcome: string }[] }).results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  }
  return counts;
}

export async function runIngestBench(size = 10_000): Promise<void> {
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

    // Bare: the same documents, no rules, no indexes but _id.
    const Bare = mongoose.model('BenchBareCall', new Schema({}, { strict: false, versionKey: false }), 'bench_bare_calls');
    await Bare.insertMany(Array.from({ length: 200 }, (_, i) => makeCall('warm-bare', i, now)));
    await postAll(url, Array.from({ length: 200 }, (_, i) => makeCall('warm-api', i, now)));

    const docs = Array.from({ length: size }, (_, i) => makeCall('bare', i, now));
    const bareStart = performance.now();
    for (let from = 0; from < size; from += BATCH) await Bare.insertMany(docs.slice(from, from + BATCH));
    const bareMs = performance.now() - bareStart;

    const calls = Array.from({ length: size }, (_, i) => makeCall('api', i, now));
    const apiStart = performance.now();
    const outcomes = await postAll(url, calls);
    const apiMs = performance.now() - apiStart;

    console.table([
      {
        calls: size,
        'bare insertMany (ms)': Math.round(bareMs),
        'POST /api/v1/calls (ms)': Math.round(apiMs),
        'calls/s through the API': Math.round((size / apiMs) * 1000),
        'ratio (bare / API, goal ≥ 0.5)': (bareMs / apiMs).toFixed(2),
        outcomes: Object.entries(outcomes).map(([o, n]) => `${o} ${n}`).join(', '),
      },
    ]);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await database.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
