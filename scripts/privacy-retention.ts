/**
 * `npm run privacy:retention`: one retention pass now (server/privacy), connected like the
 * app: customers' addresses, names and words erased from calls older than RETENTION_MONTHS
 * and from their invitations and responses, outbox emails past it deleted. Prints what it
 * erased. The app does the same every hour; with the embedded engine, stop the app first
 * (one process per DATA_DIR).
 */
import { runRetentionPass } from '../server/privacy';
import { startScript } from './connect';

async function run(): Promise<void> {
  const { config, logger, connectDatabase } = startScript('privacy-retention');
  const database = await connectDatabase();
  try {
    const pass = await runRetentionPass({ months: config.retentionMonths, logger });
    const cutoff = pass.cutoff.toISOString().slice(0, 10);
    process.stdout.write(
      `Retention of ${config.retentionMonths} months (calls that ended before ${cutoff}): ` +
        `erased calls ${pass.calls}, invitations ${pass.invitations}, responses ${pass.responses}; ` +
        `deleted outbox emails ${pass.outbox}.\n`,
    );
  } catch (err) {
    process.stderr.write(`The retention pass failed: ${String((err as Error)?.message ?? err)}\n`);
    process.exitCode = 1;
  } finally {
    await database.disconnect();
  }
}

void run();
