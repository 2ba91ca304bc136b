/**
 * `npm run rollups:rebuild` as a real process on a DATA_DIR holding responses, calls and
 * invitations (written while the app is stopped, as the command expects): it prints the
 * number of buckets, exits 0 and leaves the counters of the records; a bad setting stops
 * it with the variable's name and exit code 1.
 */
import mongoose, { Types } from 'mongoose';
import { createInvitation } from '../../server/invitations';
import { ResponseModel } from '../../server/responses';
import { COARSE, DailyRollup, type RollupRecord } from '../../server/rollups';
import { runScript } from '../helpers/process';
import { withDatabase } from '../helpers/database';
import { makeTempDir, removeTempDirs } from '../helpers/tmp';

afterAll(removeTempDirs);

const DAY = '2026-11-20';

const rebuild = (env: Record<string, string>) => runScript('scripts/rebuild-rollups.ts', env);

it('recounts every bucket from the records, prints how many there are and exits 0', async () => {
  const dataDir = makeTempDir('retour-rebuild-');
  await withDatabase(dataDir, async () => {
    const ended = new Date(`${DAY}T09:00:00Z`);
    for (const [i, agent] of ['a.martin', 'b.durand'].entries()) {
      await ResponseModel.create({
        invitationId: new Types.ObjectId().toHexString(),
        callId: `call-${i}`,
        externalId: `pbx-${i}`,
        site: 'ABV',
        queue: 'business-support',
        agent,
        reason: null,
        callEndedAt: ended,
        day: DAY,
        customerHash: 'a'.repeat(64),
        templateKey: 'post-call',
        templateVersionId: 'v1',
        locale: 'fr',
        channel: 'web',
        answers: { info: false },
        gotInformation: false,
        csat: 2,
        complete: true,
        startedAt: ended,
        rollupPending: false,
      });
    }
    const { id } = await createInvitation({
      callId: 'call-0',
      externalId: 'pbx-0',
      site: 'ABV',
      queue: 'business-support',
      agent: 'a.martin',
      customer: { email: 'claire@example.fr', locale: 'fr' },
      templateKey: 'post-call',
      callEndedAt: ended,
      day: DAY,
      sendAt: new Date(ended.getTime() + 1_800_000),
      expiresAt: new Date(ended.getTime() + 7 * 86_400_000),
    });
    // Its email went out.
    await mongoose.connection.collection('invitations').updateOne({ _id: new Types.ObjectId(id) }, { $set: { state: 'sent', sentAt: new Date(ended.getTime() + 1_800_000) } });
    // A stale bucket the records do not support.
    await DailyRollup.collection.insertOne({ day: '2001-01-01', site: 'ABV', queue: 'gone', agent: '', reason: '', template: 'post-call', responses: 4 });
  });

  const { code, stdout } = await rebuild({ DATA_DIR: dataDir });
  expect(stdout).toMatch(/^Rollups rebuilt: 3 buckets in \d+\.\d s\.\n$/);
  expect(code).toBe(0);

  const rows = await withDatabase(dataDir, () => DailyRollup.find({}, { _id: 0, agent: 1, responses: 1, infoNo: 1, csatLow: 1, surveyed: 1, invited: 1 }).sort({ agent: 1 }).lean<RollupRecord[]>());
  expect(rows).toEqual([
    // The coarse bucket of the day, site, queue and template: the sum of the two below.
    { agent: COARSE, responses: 2, infoNo: 2, csatLow: 2, surveyed: 0, invited: 1 },
    { agent: 'a.martin', responses: 1, infoNo: 1, csatLow: 1, surveyed: 0, invited: 1 },
    { agent: 'b.durand', responses: 1, infoNo: 1, csatLow: 1, surveyed: 0, invited: 0 },
  ]);
}, 60_000);

it('stops with the variable at fault and exit code 1 when a setting is wrong', async () => {
  const { code, stdout, stderr } = await rebuild({ DATA_DIR: makeTempDir('retour-rebuild-'), MONGODB_URI: 'postgres://nope' });
  expect(code).toBe(1);
  expect(stdout).toBe('');
  expect(stderr).toContain('MONGODB_URI');
}, 60_000);
