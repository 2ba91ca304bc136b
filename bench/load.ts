/**
 * Load benchmark (issue #9): the real app in its own process (production settings, real
 * rate limits, the embedded engine, outbox mail) under 200 customers answering their
 * survey for 60 s, while the telephony system posts a batch of 200 calls every 2 s and
 * two quality leads reload the report pages. Per kind of request and overall: requests,
 * throughput, p50/p99 latency and errors (goal: none, and p99 under 500 ms). Then the app
 * is stopped and every acknowledged submission and call is checked to be stored once.
 * Loopback only; stops by itself; the data directory is removed at the end.
 *
 *   npm run bench -- load   (BENCH_LOAD_SECONDS=60, BENCH_LOAD_CUSTOMERS=200, BENCH_LOAD_RESPONSES=50000)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../server/config';
import { connect } from '../server/db';
import { mulberry32 } from '../server/demo/random';
import { prepareFeatures } from '../server/features';
import { createLogger } from '../server/logger';
import { machineBusyMs, startApp, type RunningApp } from './load-app';
import { checkStored } from './load-check';
import { customer, lead, Recorder, telephony, THINK_MS, type Acknowledged, type Run } from './load-people';
import { loadResult } from './load-result';
import { seedLoadWorld, type Lead, type SurveyLink } from './load-seed';
import type { SuiteResult } from './results';

const BATCH = { size: 200, everyMs: 2000 };
/** Before the clock starts: a few customers, calls and report pages, so the figures are those of a warm app. */
const WARM_UP = { seconds: 5, customers: 20 };
/** Customers arrive over the first seconds rather than all in the same millisecond. */
const RAMP_MS = 2000;

interface People {
  key: string;
  leads: Lead[];
  links: () => SurveyLink | undefined;
  acknowledged: Acknowledged;
}

/** Everyone at once until the run's time is up; returns when the last one has stopped, with the calls acknowledged as scheduled. */
async function drive(run: Run, name: string, customers: number, people: People): Promise<{ seconds: number; scheduled: string[] }> {
  const start = performance.now();
  const arrive = (n: number) => new Promise((r) => setTimeout(r, (n / customers) * RAMP_MS));
  const [scheduled] = await Promise.all([
    telephony(run, people.key, `load-${name}`, BATCH.size, BATCH.everyMs),
    ...people.leads.map((login, i) => lead(run, i + 1, login)),
    ...Array.from({ length: customers }, (_, n) => arrive(n).then(() => customer(run, n, people.links, people.acknowledged))),
  ]);
  return { seconds: (performance.now() - start) / 1000, scheduled };
}

export async function runLoadBench(seconds = 60, customers = 200, responses = 50_000): Promise<SuiteResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'retour-bench-load-'));
  const key = randomBytes(24).toString('hex');
  const env = {
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    TRUST_PROXY: 'loopback',
    PUBLIC_URL: 'http://127.0.0.1',
    SESSION_SECRET: randomBytes(32).toString('hex'),
    BOOTSTRAP_API_KEY: key,
  };
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
  const logger = createLogger(config);
  let app: RunningApp | undefined;
  try {
    // Each customer takes a new link at most every THINK_MS.min: enough links that none runs out.
    const perCustomer = (s: number) => Math.ceil((s * 1000) / THINK_MS.min) + 1;
    const needed = customers * perCustomer(seconds) + WARM_UP.customers * perCustomer(WARM_UP.seconds);
    const seedStart = performance.now();
    let database = await connect(config, logger, { startTimeoutMs: 120_000 });
    const world = await (async () => {
      try {
        await prepareFeatures({ config, logger });
        return await seedLoadWorld(responses, needed, new Date());
      } finally {
        await database.disconnect();
      }
    })();
    const seedSeconds = (performance.now() - seedStart) / 1000;
    process.stdout.write(`${responses.toLocaleString('en')} responses (${world.buckets.toLocaleString('en')} rollup buckets) and ${needed.toLocaleString('en')} survey links stored in ${seedSeconds.toFixed(1)} s\n`);

    app = await startApp({ ...env, PORT: '0' });
    let next = 0;
    const people: People = { key, leads: world.leads, links: () => world.links[next++], acknowledged: new Map() };
    const random = mulberry32(customers * 1000 + seconds);
    const runFor = (s: number, recorder: Recorder): Run => {
      const endAt = performance.now() + s * 1000;
      return { base: app!.url, recorder, going: () => performance.now() < endAt, random };
    };

    const warm = new Recorder();
    const warmed = await drive(runFor(WARM_UP.seconds, warm), 'warm-up', WARM_UP.customers, people);
    process.stdout.write(`warm-up: ${WARM_UP.seconds} s, ${WARM_UP.customers} customers, ${Object.values(warm.latencies).flat().length} requests\n`);

    const recorder = new Recorder();
    const cpu = app.cpu();
    const here = process.cpuUsage();
    const machine = machineBusyMs();
    const measured = await drive(runFor(seconds, recorder), 'run', customers, people);
    const used = app.cpu();
    const generator = process.cpuUsage(here);
    const machineMs = machineBusyMs() - machine;
    const appLog = app.process.stdout() + app.process.stderr();
    await app.stop();
    app = undefined;

    // A loaded machine may take a while to reopen the data directory.
    database = await connect(config, logger, { startTimeoutMs: 120_000 });
    const stored = await checkStored(people.acknowledged, [...warmed.scheduled, ...measured.scheduled]).finally(() => database.disconnect());
    return loadResult({
      seconds: measured.seconds,
      customers,
      responses,
      links: needed,
      seedSeconds,
      batch: BATCH,
      rampMs: RAMP_MS,
      warmUp: { ...WARM_UP, errors: warm.firstErrors },
      recorder,
      calls: measured.scheduled.length,
      cpuMs: { app: used.app - cpu.app, engine: used.engine - cpu.engine, generator: (generator.user + generator.system) / 1000, machine: machineMs },
      appWarnings: appLog.split('\n').filter((l) => /"level":(40|50|60)/.test(l)),
      stored,
    });
  } finally {
    if (app) await app.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
