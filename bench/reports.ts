/**
 * Reports benchmark: the overview page (`GET /reports`, 90 days × 3 sites, compared with
 * the 90 days before) served by the real app over loopback HTTP to an admin signed in
 * through the login form, with 10,000 and with 1,000,000 responses in the database,
 * measured in the same run. Each size has its own embedded engine; the app's Mongoose
 * connection moves between them, and rounds alternate the sizes so that a burst of load
 * on the machine hits both. Per round and page: a warm-up, sequential requests, then a
 * burst of concurrent ones. The trends and comments pages are timed the same way, for
 * information. Goal (issue #7): the 1M overview within 2× of the 10k one, and under 300 ms.
 *
 *   npm run bench -- reports   (BENCH_REPORT_SIZES=10000,1000000, BENCH_ROUNDS=3 by default)
 *
 * About 7 minutes on 2 cores, half of it storing the 1,000,000 responses; everything runs
 * on loopback and the engines' temporary directories are removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { startEmbeddedProcess, type EmbeddedProcess } from '../server/db/embedded-process';
import { prepareFeatures } from '../server/features';
import { createLogger } from '../server/logger';
import { ResponseModel } from '../server/responses/model';
import { COARSE_LEVEL, DailyRollup } from '../server/rollups';
import { addDays } from '../server/time/local-time';
import { signIn, timed } from './reports-http';
import { seedReportData, seedReportSettings } from './reports-seed';
import { figure, median, percentile, type Figure, type SuiteResult } from './results';

const ADMIN = { email: 'bench.admin@example.com', password: randomBytes(12).toString('hex') };
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PERIOD_DAYS = 90;

/**
 * Requests per round: warm-up (not counted), sequential ones (at least `min`, then up to
 * `sequential` while within `budgetMs`: a slow page must not make the bench endless),
 * then a burst all at once.
 */
const PAGES = [
  { id: 'overview', path: '/reports', warm: 5, min: 5, sequential: 20, budgetMs: 20_000, burst: 10 },
  { id: 'trends', path: '/reports/trends', warm: 2, min: 3, sequential: 10, budgetMs: 5_000, burst: 5 },
  { id: 'comments', path: '/reports/comments', warm: 1, min: 2, sequential: 10, budgetMs: 5_000, burst: 2 },
] as const;
type PageId = (typeof PAGES)[number]['id'];

interface Samples {
  sequential: number[];
  burst: number[];
  burstPagesPerSecond: number[];
}

interface Database {
  size: number;
  uri: string;
  engine: EmbeddedProcess;
  dir: string;
  cookie: string;
  seedSeconds: number;
  buckets: number;
  /** Rollup documents in the overview's two periods: what the page sums. */
  overviewBuckets: number;
  samples: Record<PageId, Samples>;
}

/**
 * Points the app's Mongoose connection at this engine, with the app models' indexes
 * (Mongoose builds them once per process, on the first connection; other suites' scratch
 * models, whose collections are named bench_*, are left out).
 */
async function use(uri: string): Promise<void> {
  await mongoose.disconnect();
  await mongoose.connect(uri, { dbName: 'retour' });
  for (const model of Object.values(mongoose.models)) {
    if (!model.collection.collectionName.startsWith('bench_')) await model.createIndexes();
  }
}

async function measurePage(base: string, db: Database, page: (typeof PAGES)[number], query: string): Promise<void> {
  const url = `${base}${page.path}${query}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: page.burst });
  try {
    for (let i = 0; i < page.warm; i++) await timed(agent, url, db.cookie);
    const s = db.samples[page.id];
    const until = performance.now() + page.budgetMs;
    for (let i = 0; i < page.sequential && (i < page.min || performance.now() < until); i++) s.sequential.push(await timed(agent, url, db.cookie));
    const start = performance.now();
    s.burst.push(...(await Promise.all(Array.from({ length: page.burst }, () => timed(agent, url, db.cookie)))));
    s.burstPagesPerSecond.push((page.burst * 1000) / (performance.now() - start));
  } finally {
    agent.destroy();
  }
}

interface Context {
  base: string;
  now: Date;
  features: Parameters<typeof prepareFeatures>[0];
  /** The overview's previous period and its period, together. */
  read: { from: string; to: string };
  dbs: Database[];
}

/** Stores the size's data in a fresh engine and signs in there. */
async function prepare(size: number, { base, now, features, read, dbs }: Context): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'retour-bench-reports-'));
  // The engine as the app runs it (its process, its V8 flags); what it logs at warn and above is printed.
  const engine = await startEmbeddedProcess(dir, createLogger({ logLevel: 'warn' }));
  const db: Database = { size, uri: engine.uri, engine, dir, cookie: '', seedSeconds: 0, buckets: 0, overviewBuckets: 0, samples: Object.fromEntries(PAGES.map((p): [PageId, Samples] => [p.id, { sequential: [], burst: [], burstPagesPerSecond: [] }])) as Record<PageId, Samples> };
  // Listed at once, so that the clean-up stops this engine whatever happens next.
  dbs.push(db);
  await use(engine.uri);
  await prepareFeatures(features);
  await seedReportSettings(now);
  const start = performance.now();
  db.buckets = (await seedReportData(size, now)).buckets;
  db.seedSeconds = (performance.now() - start) / 1000;
  // Each level (detailed buckets, coarse buckets) counts every response once.
  const [stored, levels] = await Promise.all([ResponseModel.estimatedDocumentCount(), DailyRollup.aggregate<{ n: number }>([{ $group: { _id: '$level', n: { $sum: '$responses' } } }])]);
  if (stored !== size || levels.length !== 2 || levels.some((l) => l.n !== size)) throw new Error(`expected ${size} responses, stored ${stored}, counted in rollups ${levels.map((l) => l.n).join(' and ')}`);
  // The overview reads the coarse level.
  db.overviewBuckets = await DailyRollup.countDocuments({ day: { $gte: read.from, $lte: read.to }, level: COARSE_LEVEL });
  const agent = new http.Agent({ keepAlive: true });
  db.cookie = await signIn(agent, base, ADMIN);
  agent.destroy();
  process.stdout.write(`${size.toLocaleString('en')} responses and ${db.buckets.toLocaleString('en')} rollup buckets stored in ${db.seedSeconds.toFixed(1)} s\n`);
}

const ms = (label: string, value: number, base?: { label: string; value: number }, goal?: Figure['goal']) =>
  figure({ label, value, unit: 'ms', baseline: base, goal });

function figuresOf(dbs: Database[]): Figure[] {
  const [small, ...large] = dbs;
  if (!small) return [];
  const n = (db: Database) => `${db.size.toLocaleString('en')} responses`;
  const out: Figure[] = [];
  for (const page of PAGES) {
    const stat = (db: Database, kind: 'sequential' | 'burst', p: number) => percentile(db.samples[page.id][kind], p);
    const goals = page.id === 'overview';
    out.push(ms(`${page.path} median, ${n(small)}`, stat(small, 'sequential', 50)), ms(`${page.path} p95, ${n(small)}`, stat(small, 'sequential', 95)));
    for (const db of large) {
      out.push(
        ms(`${page.path} median, ${n(db)}`, stat(db, 'sequential', 50), { label: n(small), value: stat(small, 'sequential', 50) }, goals ? { on: 'ratio', atMost: 2 } : undefined),
        ms(`${page.path} p95, ${n(db)}`, stat(db, 'sequential', 95), { label: n(small), value: stat(small, 'sequential', 95) }, goals ? { on: 'value', below: 300 } : undefined),
        ms(`${page.path} p95 in bursts of ${page.burst}, ${n(db)}`, stat(db, 'burst', 95), { label: n(small), value: stat(small, 'burst', 95) }),
        figure({ label: `${page.path} pages/s in bursts, ${n(db)}`, value: median(db.samples[page.id].burstPagesPerSecond), unit: 'pages/s', baseline: { label: n(small), value: median(small.samples[page.id].burstPagesPerSecond) } }),
      );
    }
  }
  for (const db of large) {
    out.push(figure({ label: `rollup documents the overview sums, ${n(db)}`, value: db.overviewBuckets, baseline: { label: n(small), value: small.overviewBuckets } }));
  }
  return out;
}

export async function runReportsBench(sizes = [10_000, 1_000_000]): Promise<SuiteResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'retour-bench-reports-app-'));
  const config = loadConfig({
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://127.0.0.1',
    SESSION_SECRET: randomBytes(32).toString('hex'),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  });
  const logger = createLogger(config);
  const server: Server = await new Promise((resolve) => {
    const s = createApp({ config, logger, health: () => ({ status: 'ok', db: 'embedded' }) }).listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const now = new Date();
  const to = addDays(now.toISOString().slice(0, 10), -1);
  const query = `?from=${addDays(to, -(PERIOD_DAYS - 1))}&to=${to}`;
  const dbs: Database[] = [];
  try {
    const read = { from: addDays(to, -(2 * PERIOD_DAYS - 1)), to };
    for (const size of sizes) await prepare(size, { base, now, features: { config, logger }, read, dbs });
    for (let round = 0; round < ROUNDS; round++) {
      for (const db of dbs) {
        await use(db.uri);
        for (const page of PAGES) await measurePage(base, db, page, query);
      }
      process.stdout.write(`round ${round + 1} of ${ROUNDS} measured\n`);
    }
    console.table(
      PAGES.flatMap((page) =>
        dbs.map((db) => {
          const s = db.samples[page.id];
          return {
            page: `${page.path}${query}`,
            responses: db.size,
            'rollup buckets': db.buckets,
            'median (ms)': median(s.sequential).toFixed(1),
            'p95 (ms)': percentile(s.sequential, 95).toFixed(1),
            [`burst p95 (ms)`]: percentile(s.burst, 95).toFixed(1),
            'burst pages/s': median(s.burstPagesPerSecond).toFixed(1),
          };
        }),
      ),
    );
    const figures = figuresOf(dbs);
    return {
      name: 'reports',
      description:
        `The report pages served by the real app (production settings) over loopback HTTP to an admin signed in through the login form, for ${PERIOD_DAYS} days × 3 sites ` +
        `(\`${query}\`, compared with the ${PERIOD_DAYS} days before), with ${sizes.map((s) => s.toLocaleString('en')).join(' and ')} responses over a year in the database, ` +
        `in the same run (one embedded engine per size, rounds alternating). Per round and page: a warm-up, sequential requests, then a burst of concurrent ones (${ROUNDS} rounds). ` +
        'Goal (issue #7): the overview with 1,000,000 responses within 2× of the one with 10,000, and under 300 ms. Trends and comments: for information.',
      figures,
      notes: [
        ...dbs.map(
          (db) =>
            `${db.size.toLocaleString('en')} responses: ${db.buckets.toLocaleString('en')} rollup buckets over the year (day × site × queue × agent × reason), ` +
            `${db.overviewBuckets.toLocaleString('en')} of them in the overview's two periods; stored in ${db.seedSeconds.toFixed(0)} s.`,
        ),
        'Responses inserted with the driver\'s insertMany in batches of 10,000; rollups counted while generating them with the rollups feature\'s responseFacts/countsOf and bulk-inserted (rebuildRollups() would need the calls and invitations this database does not hold); delivery counters drawn beside them (about 30% of invitations answered).',
        `Sequential samples per page and size: ${PAGES.flatMap((p) => dbs.map((db) => `${p.path} ${db.size.toLocaleString('en')}: ${db.samples[p.id].sequential.length}`)).join('; ')} (${ROUNDS} rounds; a page stops early within a round once past its time budget); plus one burst per round.`,
      ],
    };
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await mongoose.disconnect();
    for (const db of dbs) {
      await db.engine.stop();
      rmSync(db.dir, { recursive: true, force: true });
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}
