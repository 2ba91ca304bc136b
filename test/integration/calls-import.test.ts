/**
 * The CSV import pages: upload (file or paste), preview of the first rows with the
 * column mapping guessed from the headers, per-row problems with their line numbers,
 * then the import through the same rules as the API, and its summary.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { callsTestKit } from '../helpers/calls';
import { useTestDatabase } from '../helpers/database';
import { formValues } from '../helpers/html-form';
import { csrfFrom, loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app, calls, invitations } = callsTestKit();
const imports = () => mongoose.connection.collection('callimports');

/** A recent local time in Paris as "YYYY-MM-DD HH:MM" (no zone), `hoursAgo` before now. */
function parisTime(hoursAgo: number, from = new Date()): string {
  const at = new Date(from.getTime() - hoursAgo * 3_600_000);
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' }).format(at).replace(',', '');
}

let run = 0;
/** A semicolon-separated export with French headers: `rows` good calls, then whatever `extra` adds. */
function csvOf(rows: number, extra: string[] = []): { text: string; ids: string[] } {
  run += 1;
  const ids = Array.from({ length: rows }, (_, i) => `csv-${run}-${i + 1}`);
  const lines = ids.map((id, i) => `${id};${parisTime(2)};business-support;agent.${i % 3};billing;client.${run}.${i}@example.fr;Client ${i}`);
  return { text: ['Identifiant appel;Date fin;File;Conseiller;Motif;Email;Nom', ...lines, ...extra].join('\n') + '\n', ids };
}

async function admin() {
  const { agent } = await loginAs(app, { role: 'admin' });
  const start = await agent.get('/admin/calls/import?lang=en');
  return { agent, token: csrfFrom(start.text) };
}

/** Uploads `text` as a file and returns the import's page address. */
async function upload(agent: request.Agent, token: string, text: string | Buffer, filename = 'export.csv'): Promise<string> {
  const res = await agent.post('/admin/calls/import').field('_csrf', token).attach('file', Buffer.from(text), filename);
  expect(res.status).toBe(303);
  return res.headers.location as string;
}

describe('who may import calls', () => {
  it('sends visitors to the login page and refuses quality leads', async () => {
    const anonymous = await request(app).get('/admin/calls/import');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Fadmin%2Fcalls%2Fimport');
    const { agent } = await loginAs(app, { role: 'quality' });
    expect((await agent.get('/admin/calls/import').set('Accept-Language', 'en')).status).toBe(403);
  });

  it('refuses an upload without the form’s token and stores nothing', async () => {
    const { agent } = await admin();
    const before = await imports().countDocuments();
    const res = await agent.post('/admin/calls/import').field('_csrf', 'forged').attach('file', Buffer.from(csvOf(1).text), 'x.csv');
    expect(res.status).toBe(403);
    expect(await imports().countDocuments()).toBe(before);
  });
});

describe('uploading', () => {
  it('shows the first 10 rows and a mapping guessed from the column names', async () => {
    const { agent, token } = await admin();
    const { text, ids } = csvOf(12);
    const page = await agent.get(`${await upload(agent, token, text)}?lang=en`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Rows found: 12 · export.csv');
    expect(page.text).toContain(ids[9]);
    expect(page.text).not.toContain(ids[10]);
    const mapping = formValues(page.text, '/mapping');
    expect(mapping).toMatchObject({ map_externalId: '0', map_endedAt: '1', map_queue: '2', map_agent: '3', map_reason: '4', map_customerEmail: '5', map_customerName: '6', map_site: '' });
  });

  it('takes CSV text pasted in the box when no file is chosen', async () => {
    const { agent, token } = await admin();
    const res = await agent.post('/admin/calls/import').type('form').send({ _csrf: token, csv: csvOf(2).text });
    expect(res.status).toBe(303);
    expect((await agent.get(res.headers.location as string)).text).toContain('Rows found: 2');
  });

  it('answers 422 beside the field when nothing was sent, or the text is not CSV, keeping what was pasted', async () => {
    const { agent, token } = await admin();
    const empty = await agent.post('/admin/calls/import?lang=en').field('_csrf', token).field('csv', '');
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('<p class="field-error" id="f-csv-error">Choose a file or paste the CSV text.</p>');
    expect(empty.text).toMatch(/<textarea id="f-csv"[^>]*aria-describedby="f-csv-hint f-csv-error"/);

    const broken = 'id;endedAt\n1;"2026-11-20\n2;x\n';
    const bad = await agent.post('/admin/calls/import?lang=en').field('_csrf', token).field('csv', broken);
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/The file cannot be read as CSV \(line \d+\)/);
    expect(bad.text).toContain('1;&quot;2026-11-20');
  });

  it('refuses a file over 5 MB with 413 and stores nothing', async () => {
    const { agent, token } = await admin();
    const before = await imports().countDocuments();
    const huge = Buffer.alloc(5 * 1024 * 1024 + 1, 'a');
    const res = await agent.post('/admin/calls/import?lang=en').field('_csrf', token).attach('file', huge, 'huge.csv');
    expect(res.status).toBe(413);
    expect(res.text).toContain('The file is too large; split it into smaller files.');
    expect(await imports().countDocuments()).toBe(before);
  });

  it('reads a Windows-1252 export (what spreadsheets often save in France)', async () => {
    const { agent, token } = await admin();
    const { text, ids } = csvOf(1);
    const latin1 = Buffer.from(text.replace('Client 0', 'Hélène Dubois'), 'latin1');
    const page = await agent.get(await upload(agent, token, latin1));
    expect(page.text).toContain('Hélène Dubois');
    expect(page.text).toContain(ids[0]);
  });
});

describe('choosing columns and checking rows', () => {
  it('answers 422 with the message beside each wrong choice and keeps every choice made', async () => {
    const { agent, token } = await admin();
    const address = await upload(agent, token, csvOf(3).text);
    const page = await agent.get(address);
    const values = { ...formValues(page.text, '/mapping'), map_customerEmail: '', map_agent: '2' };
    const res = await agent.post(`${address}/mapping?lang=en`).type('form').send(values);
    expect(res.status).toBe(422);
    expect(res.text).toContain('<p class="field-error" id="f-map_customerEmail-error">Choose the column that holds this.</p>');
    expect(res.text).toContain('<p class="field-error" id="f-map_agent-error">This column is already chosen for another field.</p>');
    expect(formValues(res.text, '/mapping')).toMatchObject({ map_customerEmail: '', map_agent: '2', map_externalId: '0' });
    expect((await imports().findOne({}, { sort: { _id: -1 } }))?.state).toBe('uploaded');
  });

  it('lists every row that will not be taken with its line number, counting lines inside quoted cells', async () => {
    const { agent, token } = await admin();
    const { text } = csvOf(2, [
      `bad-email;${parisTime(1)};business-support;a;"billing`,
      `over two lines";not-an-email;X`,
      `no-queue;${parisTime(1)};nope;a;billing;q@example.fr;Q`,
      `dup;${parisTime(1)};business-support;a;billing;d@example.fr;D`,
      `dup;${parisTime(1)};business-support;a;billing;d@example.fr;D`,
    ]);
    const address = await upload(agent, token, text);
    const mapped = await agent.post(`${address}/mapping`).type('form').send(formValues((await agent.get(address)).text, '/mapping'));
    expect(mapped.status).toBe(303);
    expect(mapped.headers.location).toBe(`${address}#check`);
    const page = await agent.get(`${address}?lang=en`);
    expect(page.text).toContain('Rows: 6 — ready to import: 3; not taken: 3.');
    expect(page.text).toMatch(/<th scope="row">4<\/th><td>bad-email<\/td><td>Invalid<\/td><td lang="en">customer.email must be a valid email<\/td>/);
    expect(page.text).toMatch(/<th scope="row">6<\/th><td>no-queue<\/td><td>Invalid<\/td><td lang="en">queue nope is unknown<\/td>/);
    expect(page.text).toMatch(/<th scope="row">8<\/th><td>dup<\/td><td>Duplicate<\/td><td lang="en">repeated in this batch<\/td>/);
    expect(page.text).toContain('Import the calls that are ready (3)');
  });
});

describe('importing', () => {
  it('imports the rows through the API’s rules once, shows the outcomes and forgets the file', async () => {
    const { agent, token } = await admin();
    const { text, ids } = csvOf(3, ['bad;x;business-support;a;b;c@example.fr;C']);
    const address = await upload(agent, token, text, 'november.csv');
    await agent.post(`${address}/mapping`).type('form').send(formValues((await agent.get(address)).text, '/mapping'));
    const check = await agent.get(address);
    const done = await agent.post(`${address}/run`).type('form').send(formValues(check.text, '/run'));
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(address);

    const stored = await calls().find({ externalId: { $in: ids } }).toArray();
    expect(stored.map((c) => c.decision.outcome)).toEqual(['scheduled', 'scheduled', 'scheduled']);
    expect(stored[0]?.source).toEqual({ type: 'csv', id: address.split('/').pop() });
    expect(await invitations().countDocuments({ externalId: { $in: ids } })).toBe(3);

    const summary = await agent.get(`${address}?lang=en`);
    expect(summary.text).toContain('Import finished');
    expect(summary.text).toMatch(/<dt>Scheduled<\/dt><dd>3<\/dd>/);
    expect(summary.text).toMatch(/<dt>Invalid<\/dt><dd>1<\/dd>/);
    expect(summary.text).toMatch(/<th scope="row">5<\/th><td>bad<\/td><td>Invalid<\/td><td lang="en">endedAt must be an ISO 8601/);
    const record = await imports().findOne({ filename: 'november.csv' });
    expect(record).toMatchObject({ state: 'done', text: null, expiresAt: null });

    // Pressing the button again changes nothing.
    const again = await agent.post(`${address}/run`).type('form').send({ _csrf: token });
    expect(again.status).toBe(303);
    expect(await calls().countDocuments({ externalId: { $in: ids } })).toBe(3);
    expect(await mongoose.connection.collection('auditentries').countDocuments({ action: 'calls.import' })).toBe(1);
  });

  it('reads dates without a zone in the zone chosen for the file', async () => {
    const { agent, token } = await admin();
    const at = new Date(Math.floor((Date.now() - 3 * 86_400_000) / 60_000) * 60_000);
    const local = parisTime(0, at); // "YYYY-MM-DD HH:MM" in Paris
    const [date = '', time = ''] = local.split(' ');
    const [y, m, d] = date.split('-');
    const text = `externalId,endedAt,queue,email\nzoned-1,${local},business-support,z@example.fr\nzoned-2,${d}/${m}/${y} ${time}:30,business-support,y@example.fr\n`;
    const address = await upload(agent, token, text);
    const values = { ...formValues((await agent.get(address)).text, '/mapping'), timeZone: 'Europe/Paris' };
    expect((await agent.post(`${address}/mapping`).type('form').send(values)).status).toBe(303);
    await agent.post(`${address}/run`).type('form').send({ _csrf: token });
    const stored = await calls().find({ externalId: { $in: ['zoned-1', 'zoned-2'] } }).sort({ externalId: 1 }).toArray();
    expect(stored.map((c) => c.endedAt.toISOString())).toEqual([at.toISOString(), new Date(at.getTime() + 30_000).toISOString()]);
  });
});
