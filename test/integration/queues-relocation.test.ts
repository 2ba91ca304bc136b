/**
 * Relocating a queue from its admin page: a confirmation step before anything changes,
 * dates read at midnight in the new site's time zone, refused overlaps, scheduled moves
 * and their cancellation, the timeline, and the audit entries.
 */
import { useTestDatabase } from '../helpers/database';
import { inOneYear, queueTestKit, SINCE } from '../helpers/queues';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { adminWithQueue, queues, audit } = queueTestKit();

describe('relocating a queue from the admin pages', () => {
  it('asks for confirmation first, then records the move from midnight at the new site and audits it', async () => {
    const { agent, csrf, user } = await adminWithQueue('moving');
    const form = await agent.get('/admin/queues/moving/relocate?lang=en');
    expect(form.status).toBe(200);
    expect(form.text).toContain('<label for="f-date">Date of the move</label>');
    expect(form.text).not.toContain('<option value="CAS">');
    const token = await csrf('/admin/queues/moving/relocate');
    const move = { _csrf: token, site: 'ABV', date: '2024-03-01', time: '', note: 'Customers asked for French speakers' };

    const review = await agent.post('/admin/queues/moving/relocate?lang=en').type('form').send(move);
    expect(review.status).toBe(200);
    expect(review.text).toContain('Move Queue moving from Casablanca (CAS) to Abbeville (ABV) on Friday, March 1, 2024');
    expect(review.text).toContain('<input type="hidden" name="confirm" value="yes">');
    expect((await queues().findOne({ code: 'moving' }))?.assignments).toHaveLength(1);

    const done = await agent.post('/admin/queues/moving/relocate').type('form').send({ ...move, confirm: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/admin/queues/moving?saved=relocated');
    const at = new Date('2024-02-29T23:00:00Z');
    expect((await queues().findOne({ code: 'moving' }))?.assignments).toEqual([
      { site: 'CAS', from: SINCE, to: at, note: null },
      { site: 'ABV', from: at, to: null, note: 'Customers asked for French speakers' },
    ]);
    const entry = await audit().findOne({ action: 'queue.relocate', 'target.id': 'moving' });
    expect(entry).toMatchObject({
      actor: { type: 'user', id: user.id },
      before: { site: 'CAS' },
      after: { site: 'ABV', from: at.toISOString(), note: 'Customers asked for French speakers' },
    });
    const page = await agent.get('/admin/queues/moving?saved=relocated&lang=en');
    expect(page.text).toContain('The move was recorded.');
    expect(page.text).toMatch(/Casablanca \(CAS\)[\s\S]*From [^<]*2020[^<]* to [^<]*2024[\s\S]*Abbeville \(ABV\)[\s\S]*Since/);
    expect(page.text).toContain('Note: Customers asked for French speakers');
    expect(page.text).toMatch(/<svg class="timeline-bar"[\s\S]*<rect [\s\S]*<rect /);
    expect(page.text).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
  });

  it('refuses a date at or before the start of the current assignment with 422 beside the date', async () => {
    const { agent, csrf } = await adminWithQueue('early');
    const res = await agent
      .post('/admin/queues/early/relocate?lang=en')
      .type('form')
      .send({ _csrf: await csrf('/admin/queues/early/relocate'), site: 'ABV', date: '2019-06-01', confirm: 'yes' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('id="f-date-error">Choose a later date');
    expect(res.text).toMatch(/id="f-date"[^>]*value="2019-06-01"/);
    expect((await queues().findOne({ code: 'early' }))?.assignments).toHaveLength(1);
  });

  it('schedules a move in the future, shows it, and can cancel it before it takes effect', async () => {
    const { agent, csrf } = await adminWithQueue('later');
    const token = await csrf('/admin/queues/later/relocate');
    const date = inOneYear();
    const review = await agent.post('/admin/queues/later/relocate?lang=en').type('form').send({ _csrf: token, site: 'DRX', date, time: '08:00' });
    expect(review.text).toContain('the move is scheduled and takes effect then');
    await agent.post('/admin/queues/later/relocate').type('form').send({ _csrf: token, site: 'DRX', date, time: '08:00', confirm: 'yes' });
    const list = await agent.get('/admin/queues?lang=en');
    expect(list.text).toMatch(/Queue later[\s\S]*Casablanca \(CAS\)[\s\S]*To DRX on/);
    const page = await agent.get('/admin/queues/later?lang=en');
    expect(page.text).toContain('Now at Casablanca (CAS).');
    expect(page.text).toMatch(/Dreux \(DRX\)<\/strong>\s*<span class="tag tag--scheduled">scheduled<\/span>/);

    const cancelled = await agent.post('/admin/queues/later/relocation/cancel').type('form').send({ _csrf: token });
    expect(cancelled.status).toBe(303);
    expect((await queues().findOne({ code: 'later' }))?.assignments).toEqual([
      { site: 'CAS', from: SINCE, to: null, note: null },
    ]);
    expect(await audit().findOne({ action: 'queue.relocation.cancel', 'target.id': 'later' })).toMatchObject({
      before: { site: 'DRX' },
      after: { site: 'CAS' },
    });
  });
});
