/**
 * Benchmark entry point: `npm run bench` runs every suite, `npm run bench -- engine` one
 * (or several). Each suite's figures go into bench/RESULTS.md as it finishes: a run
 * replaces the sections of the suites it ran and keeps the others (`--no-write`: none).
 */
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runEngineBench } from './engine';
import { runDispatchBench } from './dispatch';
import { runIngestBench } from './ingest';
import { runLoadBench } from './load';
import { runReportsBench } from './reports';
import { writeResults, type SuiteResult, type SuiteRun } from './results';
import { runSubmitBench } from './submit';

const RESULTS = path.join(__dirname, 'RESULTS.md');

const suites: Record<string, () => Promise<SuiteResult>> = {
  engine: () => runEngineBench((process.env.BENCH_SIZES ?? '10000,1000000').split(',').map(Number)),
  ingest: () => runIngestBench(Number(process.env.BENCH_CALLS ?? 10_000)),
  dispatch: () => runDispatchBench(Number(process.env.BENCH_INVITATIONS ?? 2000)),
  submit: () => runSubmitBench(Number(process.env.BENCH_DB_INVITATIONS ?? 1_000_000), Number(process.env.BENCH_SUBMITS ?? 2000)),
  reports: () => runReportsBench((process.env.BENCH_REPORT_SIZES ?? '10000,1000000').split(',').map(Number)),
  load: () => runLoadBench(Number(process.env.BENCH_LOAD_SECONDS ?? 60), Number(process.env.BENCH_LOAD_CUSTOMERS ?? 200), Number(process.env.BENCH_LOAD_RESPONSES ?? 50_000)),
};

/** The command that reproduces a suite's run, with the BENCH_* settings it ran under. */
function commandOf(name: string): string {
  const settings = Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_')).map(([k, v]) => `${k}=${v} `);
  return `${settings.sort().join('')}npm run bench -- ${name}`;
}

async function main(): Promise<void> {
  const write = !process.argv.includes('--no-write');
  const wanted = process.argv.slice(2).filter((a) => a !== '--no-write');
  const unknown = wanted.filter((name) => !(name in suites));
  if (unknown.length) throw new Error(`no benchmark suite ${unknown.join(', ')}; the suites are ${Object.keys(suites).join(', ')}`);
  const runs: SuiteRun[] = [];
  for (const [name, run] of Object.entries(suites)) {
    if (wanted.length && !wanted.includes(name)) continue;
    process.stdout.write(`\n== ${name}\n`);
    const at = new Date();
    const load = os.loadavg();
    const start = performance.now();
    const result = await run();
    runs.push({ ...result, command: commandOf(name), seconds: (performance.now() - start) / 1000, at, load });
    // After each suite: a long run that fails later keeps what it measured.
    if (write) writeResults(RESULTS, runs, Object.keys(suites));
  }
  if (write) process.stdout.write(`\nWritten: ${path.relative(process.cwd(), RESULTS)}\n`);
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
