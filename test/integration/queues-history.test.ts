/**
 * What other features read from queue histories, against the database: the site of a
 * queue on a date (calls), relocations as report markers with site scopes and date
 * ranges, and the queues a quality lead may see.
 */
import type { AuditActor } from '../../server/audit';
import {
  createQueue,
  listQueuesFor,
  queueAssignments,
  relocateQueue,
  relocations,
  siteAt,
  siteOfQueueAt,
} from '../../server/queues';
import { createSite } from '../../server/sites';
import { loadSurveyTemplates } from '../../server/templates';
import { useTestDatabase } from '../helpers/database';
import { createStaff } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const system: AuditActor = { type: 'system' };
const d = (iso: string) => new Date(iso);

beforeAll(async () => {
  await loadSurveyTemplates();
  for (const [code, timezone] of [['CAS', 'Africa/Casablanca'], ['ABV', 'Europe/Paris'], ['DRX', 'Europe/Paris']] as const) {
    await createSite(code, { name: code, country: code === 'CAS' ? 'MA' : 'FR', timezone, locale: 'fr' }, system);
  }
  // business: CAS → ABV (2024-03-01) → DRX (2025-09-01); retail: always at DRX; billing: CAS → DRX (2024-06-01).
  await createQueue('business', { name: 'Business support', site: 'CAS', since: d('2023-01-01T00:00:00Z') }, system);
  await relocateQueue('business', 'ABV', d('2024-03-01T00:00:00Z'), system, 'back to France');
  await relocateQueue('business', 'DRX', d('2025-09-01T00:00:00Z'), system);
  await createQueue('retail', { name: 'Retail', site: 'DRX', since: d('2023-01-01T00:00:00Z') }, system);
  await createQueue('billing', { name: 'Billing', site: 'CAS', since: d('2023-01-01T00:00:00Z') }, system);
  await relocateQueue('billing', 'DRX', d('2024-06-01T00:00:00Z'), system);
});

describe('siteOfQueueAt', () => {
  it('answers the site that had the queue at that instant', async () => {
    expect(await siteOfQueueAt('business', d('2023-06-01T00:00:00Z'))).toBe('CAS');
    expect(await siteOfQueueAt('business', d('2024-02-29T23:59:59Z'))).toBe('CAS');
    expect(await siteOfQueueAt('business', d('2024-03-01T00:00:00Z'))).toBe('ABV');
    expect(await siteOfQueueAt('business', d('2026-01-01T00:00:00Z'))).toBe('DRX');
  });

  it('answers null for an unknown queue or a date before its first assignment', async () => {
    expect(await siteOfQueueAt('nothing', d('2024-01-01T00:00:00Z'))).toBeNull();
    expect(await siteOfQueueAt('business', d('2022-12-31T00:00:00Z'))).toBeNull();
  });

  it('serves batches through queueAssignments and siteAt', async () => {
    const histories = await queueAssignments(['business', 'retail', 'nothing']);
    expect([...histories.keys()].sort()).toEqual(['business', 'retail']);
    expect(siteAt(histories.get('business') ?? [], d('2024-05-01T00:00:00Z'))).toBe('ABV');
  });
});

describe('relocations', () => {
  it('lists every move with its sites, date and note, oldest first', async () => {
    expect(await relocations()).toEqual([
      { queue: 'business', queueName: 'Business support', fromSite: 'CAS', toSite: 'ABV', at: d('2024-03-01T00:00:00Z'), note: 'back to France', scheduled: false },
      { queue: 'billing', queueName: 'Billing', fromSite: 'CAS', toSite: 'DRX', at: d('2024-06-01T00:00:00Z'), note: null, scheduled: false },
      { queue: 'business', queueName: 'Business support', fromSite: 'ABV', toSite: 'DRX', at: d('2025-09-01T00:00:00Z'), note: null, scheduled: false },
    ]);
  });

  it('keeps moves from or to the given sites only (a quality lead’s scope)', async () => {
    const abv = await relocations({ sites: ['ABV'] });
    expect(abv.map((m) => `${m.queue}:${m.fromSite}>${m.toSite}`)).toEqual(['business:CAS>ABV', 'business:ABV>DRX']);
  });

  it('filters by queue and by a date range, start included and end excluded', async () => {
    expect((await relocations({ queue: 'billing' })).map((m) => m.toSite)).toEqual(['DRX']);
    const in2024 = await relocations({ from: d('2024-03-01T00:00:00Z'), to: d('2024-06-01T00:00:00Z') });
    expect(in2024.map((m) => m.queue)).toEqual(['business']);
  });

  it('marks a move that has not taken effect yet as scheduled', async () => {
    await createQueue('future', { name: 'Future', site: 'ABV', since: d('2023-01-01T00:00:00Z') }, system);
    const at = new Date(Date.now() + 30 * 86_400_000);
    await relocateQueue('future', 'CAS', at, system);
    expect(await relocations({ queue: 'future' })).toEqual([expect.objectContaining({ fromSite: 'ABV', toSite: 'CAS', at, scheduled: true })]);
  });
});

describe('listQueuesFor', () => {
  it('gives a quality lead the queues that were ever at their sites, and admins every queue', async () => {
    const abvLead = (await createStaff({ role: 'quality', sites: ['ABV'] })).user;
    const casLead = (await createStaff({ role: 'quality', sites: ['CAS'] })).user;
    const admin = (await createStaff({ role: 'admin' })).user;
    expect((await listQueuesFor(abvLead)).map((q) => q.code)).toEqual(['business', 'future']);
    expect((await listQueuesFor(casLead)).map((q) => q.code)).toEqual(['billing', 'business', 'future']);
    expect((await listQueuesFor(admin)).map((q) => q.code)).toEqual(['billing', 'business', 'future', 'retail']);
  });
});
