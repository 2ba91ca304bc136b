/**
 * `npm run rollups:rebuild`: recounts every reporting rollup from the calls, invitations
 * and responses, connected like the app (configuration, then the database), and prints
 * how many buckets there are. Run it with the app stopped (the embedded engine allows one
 * process per DATA_DIR) or at a quiet moment (changes during the rebuild may be missed).
 */
import { performance } from 'node:perf_hooks';
import { loadConfig, type Config } from '../server/config';
import { connect } from '../server/db';
import { StartupError } from '../server/errors';
import { createLogger } from '../server/logger';
import { rebuildRollups } from '../server/rollups';

async function run(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(undefined, { envFile: '.env' });
  } catch (err) {
    process.stderr.write(`${err instanceof StartupError ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const logger = createLogger(config).child({ process: 'rollups-rebuild' });
  let database;
  try {
    database = await connect(config, logger);
  } catch (err) {
    process.stderr.write(`${err instanceof StartupError ? err.message : `Could not connect to the database: ${String(err)}`}\n`);
    process.exit(1);
  }
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
