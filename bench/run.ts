/**
 * Benchmark entry point: `npm run bench` runs every suite, `npm run bench -- engine` one.
 */
import { runEngineBench } from './engine';
import { runDispatchBench } from './dispatch';
import { runIngestBench } from './ingest';

const suites: Record<string, () => Promise<void>> = {
  engine: () => runEngineBench((process.env.BENCH_SIZES ?? '10000,1000000').split(',').map(Number)),
  ingest: () => runIngestBench(Number(process.env.BENCH_CALLS ?? 10_000)),
  dispatch: () => runDispatchBench(Number(process.env.BENCH_INVITATIONS ?? 2000)),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  for (const [name, run] of Object.entries(suites)) {
    if (wanted.length && !wanted.includes(name)) continue;
    process.stdout.write(`\n== ${name}\n`);
    await run();
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
