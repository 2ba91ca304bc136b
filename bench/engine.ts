/**
 * Embedded engine benchmark: the same operations on 10,000 and on 1,000,000 documents
 * of about 500 bytes, reported as ratios measured in one run (machines are noisy,
 * ratios travel), plus the engine process's peak resident memory and the time to open
 * the data directory again.
 *
 *   npm run bench -- engine            (BENCH_SIZES=10000,1000000 by default)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MongoClient, type Collection, type Document } from 'mongodb';
import { startEmbeddedProcess, type EmbeddedProcess } from '../server/db/embedded-process';
import { createLogger } from '../server/logger';
import { figure, type SuiteResult } from './results';

const SITES = ['ABV', 'CAS', 'DRX'];

interface Figures {
  size: number;
  loadSeconds: number;
  lookupMs: number;
  updateMs: number;
  insertMs: number;
  aggregateMs: number;
  loadedRssMb: number;
  peakBeforeAggregateMb: number;
  peakRssMb: number;
  /** Lookups one after another, alone and while another connection inserts batches of 1,000 back to back: p50 and p99. */
  lookupsAlone: { p50: number; p99: number };
  lookupsDuringInserts: { p50: number; p99: number };
  /** From starting the engine again on the data directory to its `ready`: storage read, indexes rebuilt. */
  reopenSeconds: number;
}

/** The engine as the app runs it (its process, its V8 flags); what it logs at warn and above is printed. */
function startEngine(dbPath: string): Promise<EmbeddedProcess> {
  return startEmbeddedProcess(dbPath, createLogger({ logLevel: 'warn' }));
}

/** Resident set of a process from Linux's /proc: VmHWM is the peak, VmRSS the current. */
function rssMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

function makeDoc(i: number): Document {
  return {
    ref: `call-${i}`,
    site: SITES[i % 3],
    queue: `queue-${i % 40}`,
    agent: `agent.${i % 500}`,
    reason: ['billing', 'contract', 'outage', 'moving'][i % 4],
    gotInformation: i % 5 !== 0,
    csat: (i % 5) + 1,
    nps: i % 11,
    submittedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    comment: `Le conseiller a bien répondu à ma question numéro ${i}, merci pour votre aide et votre patience au téléphone.`,
    answers: { info: i % 5 !== 0 ? 'yes' : 'no', csat: (i % 5) + 1, nps: i % 11, comment: 'Très bon accueil, réponse claire et rapide.' },
    locale: i % 7 === 0 ? 'en' : 'fr',
    channel: 'email-click',
  };
}

async function timePerOp(count: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await op(i);
  return (performance.now() - start) / count;
}

/** p50 and p99 of `count` operations run one after another, in ms. */
async function latencies(count: number, op: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await op(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(count * 0.5)]!, p99: times[Math.floor(count * 0.99)]! };
}

/** Lookups while another connection inserts batches of 1,000 documents (as ingest does) until they are done. */
async function lookupsDuringInserts(coll: Collection<Document>, count: number, pick: (i: number) => string, firstNew: number) {
  let done = false;
  let next = firstNew;
  const writer = (async () => {
    while (!done) await coll.insertMany(Array.from({ length: 1000 }, () => makeDoc(next++)), { ordered: false });
  })();
  try {
    return await latencies(count, (i) => coll.findOne({ ref: pick(i) }));
  } finally {
    done = true;
    await writer;
  }
}

async function measure(size: number): Promise<Figures> {
  const dbPath = mkdtempSync(path.join(tmpdir(), 'retour-bench-'));
  let engine = await startEngine(dbPath);
  const client = new MongoClient(engine.uri);
  try {
    const coll: Collection<Document> = client.db('bench').collection('responses');
    await coll.createIndex({ ref: 1 }, { unique: true });
    await coll.createIndex({ site: 1, submittedAt: 1 });
    const loadStart = performance.now();
    for (let from = 0; from < size; from += 1000) {
      await coll.insertMany(Array.from({ length: Math.min(1000, size - from) }, (_, k) => makeDoc(from + k)), { ordered: false });
    }
    const loadSeconds = (performance.now() - loadStart) / 1000;
    const loadedRssMb = rssMb(engine.pid, 'VmRSS');
    const pick = (i: number) => `call-${(i * 7919) % size}`;
    const lookupMs = await timePerOp(2000, (i) => coll.findOne({ ref: pick(i) }));
    const lookupsAlone = await latencies(1000, (i) => coll.findOne({ ref: pick(i + 2000) }));
    const updateMs = await timePerOp(2000, (i) => coll.updateOne({ ref: pick(i) }, { $inc: { nps: 1 } }));
    const insertMs = await timePerOp(2000, (i) => coll.insertOne(makeDoc(size + i)));
    const peakBeforeAggregateMb = rssMb(engine.pid, 'VmHWM');
    const aggregateMs = await timePerOp(3, () =>
      coll.aggregate([
        { $match: { site: 'ABV' } },
        { $group: { _id: '$queue', n: { $sum: 1 }, yes: { $sum: { $cond: ['$gotInformation', 1, 0] } }, csat: { $avg: '$csat' } } },
      ]).toArray());
    const peakRssMb = rssMb(engine.pid, 'VmHWM');
    // Last: its inserts add documents the figures above must not see.
    const duringInserts = await lookupsDuringInserts(coll, 1000, (i) => pick(i + 3000), size + 2000);
    await client.close();
    await engine.stop();
    const reopenStart = performance.now();
    engine = await startEngine(dbPath);
    const reopenSeconds = (performance.now() - reopenStart) / 1000;
    return { size, loadSeconds, lookupMs, updateMs, insertMs, aggregateMs, loadedRssMb, peakBeforeAggregateMb, peakRssMb, lookupsAlone, lookupsDuringInserts: duringInserts, reopenSeconds };
  } finally {
    await client.close();
    await engine.stop();
    rmSync(dbPath, { recursive: true, force: true });
  }
}

export async function runEngineBench(sizes = [10_000, 1_000_000]): Promise<SuiteResult> {
  const results: Figures[] = [];
  for (const size of sizes) {
    results.push(await measure(size));
    process.stdout.write(`measured ${size} documents\n`);
  }
  const base = results[0];
  const rows = results.map((r) => ({
    documents: r.size,
    'load (s)': r.loadSeconds.toFixed(1),
    'lookup (ms)': r.lookupMs.toFixed(3),
    'update (ms)': r.updateMs.toFixed(3),
    'insert (ms)': r.insertMs.toFixed(3),
    'aggregate (ms)': r.aggregateMs.toFixed(1),
    'lookup p50 / p99 alone (ms)': `${r.lookupsAlone.p50.toFixed(2)} / ${r.lookupsAlone.p99.toFixed(2)}`,
    'lookup p50 / p99 during inserts (ms)': `${r.lookupsDuringInserts.p50.toFixed(2)} / ${r.lookupsDuringInserts.p99.toFixed(2)}`,
    'reopen (s)': r.reopenSeconds.toFixed(1),
    'RSS loaded (MB)': r.loadedRssMb,
    'peak RSS before aggregation (MB)': r.peakBeforeAggregateMb,
    'peak RSS (MB)': r.peakRssMb,
    'lookup ×': (r.lookupMs / base.lookupMs).toFixed(2),
    'update ×': (r.updateMs / base.updateMs).toFixed(2),
    'insert ×': (r.insertMs / base.insertMs).toFixed(2),
    'aggregate ×': (r.aggregateMs / base.aggregateMs).toFixed(1),
  }));
  console.table(rows);
  return { name: 'engine', description: ENGINE_DESCRIPTION, figures: results.slice(1).flatMap((r) => engineFigures(r, base)) };
}

const ENGINE_DESCRIPTION =
  'The embedded engine through the official driver, in its own process with the app\'s V8 flags as the app starts it: the same operations on 10,000 and on 1,000,000 documents of about 500 bytes in the same run ' +
  '(2,000 indexed lookups, indexed updates and inserts each, 3 `$match`+`$group` aggregations over a third of the documents), and the engine process\'s peak memory; ' +
  'then 1,000 lookups one after another while another connection inserts batches of 1,000 documents back to back, against 1,000 lookups alone; ' +
  'then the engine stopped and started again on its data directory, timed until it is ready. ' +
  'Goals (issue #2): lookups and updates within 3× of their 10k figure, peak RSS under 1.5 GB at 1,000,000 documents; the aggregation\'s scaling is reported as it is.';

/** A size's figures against the first size's. */
function engineFigures(r: Figures, base: Figures) {
  const docs = (n: number) => `${n.toLocaleString('en')} docs`;
  const vs = (value: number) => ({ label: docs(base.size), value });
  return [
    figure({ label: `indexed lookup, ${docs(r.size)}`, value: r.lookupMs, unit: 'ms', baseline: vs(base.lookupMs), goal: { on: 'ratio', atMost: 3 } }),
    figure({ label: `indexed update, ${docs(r.size)}`, value: r.updateMs, unit: 'ms', baseline: vs(base.updateMs), goal: { on: 'ratio', atMost: 3 } }),
    figure({ label: `insert, ${docs(r.size)}`, value: r.insertMs, unit: 'ms', baseline: vs(base.insertMs) }),
    figure({ label: `$match+$group aggregation, ${docs(r.size)}`, value: r.aggregateMs, unit: 'ms', baseline: vs(base.aggregateMs) }),
    figure({ label: `load in batches of 1,000, ${docs(r.size)}`, value: r.loadSeconds, unit: 's', baseline: vs(base.loadSeconds) }),
    figure({ label: `reopen the data directory (storage read, indexes rebuilt), ${docs(r.size)}`, value: r.reopenSeconds, unit: 's', baseline: vs(base.reopenSeconds) }),
    figure({ label: `engine peak RSS, ${docs(r.size)}`, value: r.peakRssMb, unit: 'MB', baseline: vs(base.peakRssMb), goal: { on: 'value', below: 1536 } }),
    figure({ label: `lookup p50 during 1,000-document inserts, ${docs(r.size)}`, value: r.lookupsDuringInserts.p50, unit: 'ms', baseline: { label: 'lookups alone, p50', value: r.lookupsAlone.p50 } }),
    figure({ label: `lookup p99 during 1,000-document inserts, ${docs(r.size)}`, value: r.lookupsDuringInserts.p99, unit: 'ms', baseline: { label: 'lookups alone, p99', value: r.lookupsAlone.p99 } }),
  ];
}
