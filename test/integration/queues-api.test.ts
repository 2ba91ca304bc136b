/**
 * The queues API (API key): PUT creates (201) or updates (200) idempotently, a different
 * site records a relocation from now (once), fields are validated, and every change is
 * audited with before and after.
 */
import { useTestDatabase } from '../helpers/database';
import { inOneYear, queueTestKit } from '../helpers/queues';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { api, adminWithQueue, queues, audit } = queueTestKit();

describe('the queues API', () => {
  it('creates with defaults (201), and the same PUT again changes nothing and writes no second audit entry', async () => {
    const body = { name: 'Retail', site: 'cas', survey: { samplingRate: 0.5 } };
    const first = await api.put('/api/v1/queues/retail', body);
    expect(first.status).toBe(201);
    expect(first.body.queue).toMatchObject({ code: 'retail', name: 'Retail', site: 'CAS', survey: { template: 'post-call', samplingRate: 0.5, delayMinutes: 30 } });
    const stored = await queues().findOne({ code: 'retail' });
    const again = await api.put('/api/v1/queues/retail', body);
    expect(again.status).toBe(200);
    expect(await queues().findOne({ code: 'retail' })).toEqual(stored);
    expect(await audit().countDocuments({ 'target.type': 'queue', 'target.id': 'retail' })).toBe(1);
  });

  it('records a relocation from now when the site changes, once, and keeps settings it was not sent', async () => {
    await api.put('/api/v1/queues/mover', { name: 'Mover', site: 'CAS', survey: { delayMinutes: 60 } });
    const before = Date.now();
    const moved = await api.put('/api/v1/queues/mover', { name: 'Mover', site: 'ABV' });
    expect(moved.status).toBe(200);
    expect(moved.body.queue).toMatchObject({ site: 'ABV', survey: { delayMinutes: 60 } });
    const stored = await queues().findOne({ code: 'mover' });
    expect(stored?.assignments.map((a: { site: string }) => a.site)).toEqual(['CAS', 'ABV']);
    expect(stored?.assignments[1].from.getTime()).toBeGreaterThanOrEqual(before - 1000);
    await api.put('/api/v1/queues/mover', { name: 'Mover', site: 'ABV' });
    expect(await audit().countDocuments({ action: 'queue.relocate', 'target.id': 'mover' })).toBe(1);
    expect(await audit().countDocuments({ action: 'queue.update', 'target.id': 'mover' })).toBe(0);
    expect(await audit().findOne({ action: 'queue.relocate', 'target.id': 'mover' })).toMatchObject({ actor: { type: 'apiKey' }, before: { site: 'CAS' }, after: { site: 'ABV' } });
  });

  it('audits settings changes with before and after', async () => {
    await api.put('/api/v1/queues/tuned', { name: 'Tuned', site: 'CAS' });
    const res = await api.put('/api/v1/queues/tuned', { name: 'Tuned', site: 'CAS', survey: { quietHours: null, reminderDays: 2 } });
    expect(res.status).toBe(200);
    expect(await audit().findOne({ action: 'queue.update', 'target.id': 'tuned' })).toMatchObject({
      before: { survey: { quietHours: { start: '20:00', end: '09:00' }, reminderDays: 3 } },
      after: { survey: { quietHours: null, reminderDays: 2 } },
    });
  });

  it('answers 409 when a site change would jump over a scheduled move', async () => {
    const { agent, csrf } = await adminWithQueue('pending');
    const token = await csrf('/admin/queues/pending/relocate');
    await agent.post('/admin/queues/pending/relocate').type('form').send({ _csrf: token, site: 'DRX', date: inOneYear(), confirm: 'yes' });
    const res = await api.put('/api/v1/queues/pending', { name: 'Queue pending', site: 'ABV' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('RELOCATION_PENDING');
    // Saying where it is now is no change at all.
    expect((await api.put('/api/v1/queues/pending', { name: 'Queue pending', site: 'CAS' })).status).toBe(200);
    expect((await queues().findOne({ code: 'pending' }))?.assignments.map((a: { site: string }) => a.site)).toEqual(['CAS', 'DRX']);
  });

  it('answers 422 naming the fields: shape, cross-field rules, unknown site', async () => {
    const shape = await api.put('/api/v1/queues/Not_A_Slug', { site: 'CAS', survey: { samplingRate: 2, quietHours: { start: '9am' } } });
    expect(shape.status).toBe(422);
    expect(shape.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(
      ['code', 'name', 'survey.quietHours.end', 'survey.quietHours.start', 'survey.samplingRate'].sort(),
    );
    const rule = await api.put('/api/v1/queues/rule', { name: 'Rule', site: 'CAS', survey: { expiryDays: 2, reminderDays: 5 } });
    expect(rule.status).toBe(422);
    expect(rule.body.error.details).toEqual([expect.objectContaining({ field: 'survey.reminderDays', type: 'REMINDER_AFTER_EXPIRY' })]);
    const site = await api.put('/api/v1/queues/rule', { name: 'Rule', site: 'NOWHERE' });
    expect(site.status).toBe(422);
    expect(site.body.error.details).toEqual([expect.objectContaining({ field: 'site', type: 'UNKNOWN_SITE' })]);
    const template = await api.put('/api/v1/queues/rule', { name: 'Rule', site: 'CAS', survey: { template: 'no-such-survey' } });
    expect(template.status).toBe(422);
    expect(template.body.error.details).toEqual([expect.objectContaining({ field: 'survey.template', type: 'UNKNOWN_TEMPLATE' })]);
    expect(await queues().findOne({ code: 'rule' })).toBeNull();
  });

  it('lists queues and reads one with its history, 404 for an unknown code', async () => {
    await api.put('/api/v1/queues/readable', { name: 'Readable', site: 'DRX' });
    const list = await api.get('/api/v1/queues');
    expect(list.status).toBe(200);
    expect(list.body.queues.map((q: { code: string }) => q.code)).toContain('readable');
    const one = await api.get('/api/v1/queues/readable');
    expect(one.body.queue).toMatchObject({ code: 'readable', site: 'DRX', assignments: [{ site: 'DRX', to: null }] });
    const missing = await api.get('/api/v1/queues/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('QUEUE_NOT_FOUND');
  });
});
