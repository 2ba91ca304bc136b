/**
 * `npm run privacy:retention` as a real process on a DATA_DIR holding calls ingested three
 * years ago and today (written while the app is stopped, as the command expects): it erases
 * the old customer, keeps the recent one, prints what it did and exits 0; run again it
 * finds nothing; a bad RETENTION_MONTHS stops it with the variable's name and exit code 1.
 */
import mongoose from 'mongoose';
import { ingestCalls } from '../../server/calls';
import { createLogger } from '../../server/logger';
import { createQueue } from '../../server/queues';
import { createSite } from '../../server/sites';
import { loadSurveyTemplates } from '../../server/templates';
import { runScript } from '../helpers/process';
import { withDatabase } from '../helpers/database';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

afterAll(removeTempDirs);

const SYSTEM = { type: 'system' } as const;
const logger = createLogger({ logLevel: 'silent' });
const YEAR = 365 * 86_400_000;

const retention = (env: Record<string, string>) => runScript('scripts/privacy-retention.ts', env);

const call = (externalId: string, endedAt: Date, email: string) => ({
  externalId,
  endedAt: endedAt.toISOString(),
  queue: 'business-support',
  agent: 'a.martin',
  customer: { email, name: 'Claire Dubois', locale: 'fr' },
});

it('erases the customers of calls older than RETENTION_MONTHS, says so and exits 0, then finds nothing more', async () => {
  const dataDir = makeTempDir('retour-retention-');
  const threeYearsAgo = new Date(Date.now() - 3 * YEAR);
  await withDatabase(dataDir, async () => {
    await loadSurveyTemplates({ logger });
    await createSite('ABV', { name: 'Abbeville', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' }, SYSTEM);
    await createQueue('business-support', { name: 'Business support', site: 'ABV', since: new Date('2020-01-01T00:00:00Z') }, SYSTEM);
    // Each call posted when it ended: the old one got its invitation then.
    const source = { type: 'api', id: 'telephony' } as const;
    expect((await ingestCalls([call('pbx-old', threeYearsAgo, 'old@example.fr')], source, { now: new Date(threeYearsAgo.getTime() + 60_000) }))[0]?.outcome).toBe('scheduled');
    expect((await ingestCalls([call('pbx-new', new Date(Date.now() - 60_000), 'new@example.fr')], source))[0]?.outcome).toBe('scheduled');
  });

  const first = await retention({ DATA_DIR: dataDir, RETENTION_MONTHS: '24' });
  expect(first.stdout).toMatch(/^Retention of 24 months \(calls that ended before \d{4}-\d{2}-\d{2}\): erased calls 1, invitations 1, responses 0; deleted outbox emails 0\.\n$/);
  expect(first.code).toBe(0);

  const stored = await withDatabase(dataDir, async () => {
    const calls = await mongoose.connection.collection('calls').find({}, { projection: { externalId: 1, customer: 1 } }).sort({ externalId: 1 }).toArray();
    const invitations = await mongoose.connection.collection('invitations').find({}, { projection: { externalId: 1, customer: 1, state: 1 } }).sort({ externalId: 1 }).toArray();
    return { calls, invitations };
  });
  expect(stored.calls.map((c) => [c.externalId, c.customer.email, c.customer.name])).toEqual([
    ['pbx-new', 'new@example.fr', 'Claire Dubois'],
    ['pbx-old', null, null],
  ]);
  expect(stored.invitations.map((i) => [i.externalId, i.customer.email, i.state])).toEqual([
    ['pbx-new', 'new@example.fr', 'scheduled'],
    ['pbx-old', null, 'expired'],
  ]);

  const second = await retention({ DATA_DIR: dataDir });
  expect(second.stdout).toContain('erased calls 0, invitations 0, responses 0; deleted outbox emails 0.');
  expect(second.code).toBe(0);
}, 60_000);

it('stops with the variable at fault and exit code 1 when RETENTION_MONTHS is wrong', async () => {
  const { code, stdout, stderr } = await retention({ DATA_DIR: makeTempDir('retour-retention-'), RETENTION_MONTHS: '1' });
  expect(code).toBe(1);
  expect(stdout).toBe('');
  expect(stderr).toContain('RETENTION_MONTHS must be a whole number of months from 3 to 120');
}, 60_000);
