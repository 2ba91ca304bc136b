/**
 * `npm run rollups:rebuild`: recounts every reporting rollup from the calls, invitations
 * and responses, connected like the app (configuration, then the database), and prints
 * how many buckets there are. Run it with the app stopped (the embedded engine allows one
 * process per DATA_DIR) or at a quiet moment (changes during the rebuild may be missed).
 */
import { performance } from 'node:perf_hooks';
import { rebuildRollups } from '../server/rollups';
import { startScript } from './connect';

async function run(): Promise<void> {
  const database = await startScript('rollups-rebuild').connectDatabase();
  try {
    const started = performance.now();
    const { buckets } = await rebuildRollups();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`Rollups rebuilt: ${buckets} bucket${buckets === 1 ? '' : 's'} in ${seconds} s.\n`);
  } catch (err) {
    process.stderr.write(`The rebuild failed: ${String((err as Error)?.message ?? err)}\n`);
    process.exitCode = 1;
  } finally {
    await database.disconnect();
  }
}

void run();
