/**
 * The CSV exports: /reports/responses.csv (staff session, their sites, with a BOM) and
 * /api/v1/responses.csv (API key, every site, no BOM), with the filters of the report and
 * comments pages; one column per question id of the versions involved; cells that a
 * spreadsheet would run as formulas defused; and streaming: 20,000 rows arrive chunked,
 * the first bytes before the server has finished, the server waits for a slow client
 * instead of buffering, and stops when the client goes away.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { createApp } from '../../server/app';
import { createLogger } from '../../server/logger';
import { createTemplate, publish } from '../../server/templates';
import { testConfig } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { responseDoc, seedResponse, seedResponses, seedWorld } from '../helpers/seed-responses';
import { createApiKey, loginAs } from '../helpers/staff';
import { DEFAULT_TEMPLATE } from '../helpers/templates';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

// The app with its log lines kept: the export logs how it ended.
const logLines: string[] = [];
const config = testConfig({ LOG_LEVEL: 'info' });
const logger = createLogger(config, new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) }) as never);
const app = createApp({ config, logger, health: () => ({ status: 'ok', db: 'embedded' }) });

const NOV = 'from=2026-11-01&to=2026-11-30';
const T = (day: number, hour = 10) => new Date(Date.UTC(2026, 10, day, hour));
const BOM = '\uFEFF';
const ids: Record<string, string> = {};
let apiKey = '';

type Row = Record<string, string>;
function rowsOf(csv: string, delimiter = ','): Row[] {
  return parse(csv, { columns: true, bom: true, delimiter, skip_empty_lines: true }) as Row[];
}
function headerOf(csv: string): string[] {
  return (parse(csv, { bom: true, to_line: 1 }) as string[][])[0] as string[];
}

beforeAll(async () => {
  await seedWorld();
  apiKey = await createApiKey('bi');
  // A second template, with a question the first does not have.
  const label = { fr: 'Attente', en: 'Waiting' };
  await createTemplate(
    {
      ...DEFAULT_TEMPLATE,
      key: 'quick',
      questions: [
        DEFAULT_TEMPLATE.questions[0],
        { id: 'waiting', type: 'choice', label, required: false, multiple: true, options: [{ id: 'hold', label }, { id: 'transfer', label }] },
        DEFAULT_TEMPLATE.questions[4],
      ],
    },
    { type: 'system' },
  );
  const quick = await publish('quick', { type: 'system' });
  ids.plain = await seedResponse({ info: 'no', missing: 'Pas de délai, personne ne savait', csat: 2, nps: 4 }, { site: 'ABV', at: T(3), agent: 'a.martin', reason: 'refund' });
  ids.formula = await seedResponse(
    { info: 'yes', csat: 5, comment: '=HYPERLINK("http://evil.example","click")' },
    { site: 'ABV', at: T(4), agent: '@admin', reason: '-2+3' },
  );
  ids.quick = await seedResponse({ info: 'yes' }, { site: 'CAS', queue: 'billing', at: T(5), template: { key: 'quick', versionId: quick.id }, answers: { info: 'yes', waiting: ['hold', 'transfer'], comment: '+33 1 23 45 67 89' } });
  ids.tab = await seedResponse({ info: 'no', missing: '\tstarts with a tab', comment: '\rstarts with a carriage return' }, { site: 'DRX', at: T(6), complete: false });
  ids.silent = await seedResponse({ info: 'yes', csat: 4 }, { site: 'ABV', at: T(7), agent: null, reason: null });
  ids.october = await seedResponse({ info: 'yes' }, { site: 'ABV', at: new Date(Date.UTC(2026, 9, 1, 10)) });
});

describe('GET /reports/responses.csv', () => {
  it('sends an anonymous visitor to the sign-in page', async () => {
    expect((await request(app).get(`/reports/responses.csv?${NOV}`)).status).toBe(303);
  });

  it('downloads every response of the period as a UTF-8 CSV with a BOM, one column per question id, in call-day order', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/responses.csv?${NOV}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="retour-responses-2026-11-01-2026-11-30.csv"');
    expect(res.text.startsWith(BOM)).toBe(true);
    expect(headerOf(res.text)).toEqual([
      'response_id', 'submitted_at', 'updated_at', 'call_day', 'call_site', 'call_queue', 'call_agent', 'call_reason',
      'template_key', 'template_version', 'survey_locale', 'survey_channel', 'survey_complete',
      // post-call's questions, then those only quick has.
      'info', 'missing', 'csat', 'nps', 'comment', 'waiting',
      'got_information', 'csat_score', 'nps_score', 'ces_score', 'handled_at', 'handled_note',
    ]);
    const rows = rowsOf(res.text);
    expect(rows.map((r) => r.response_id)).toEqual([ids.plain, ids.formula, ids.quick, ids.tab, ids.silent]);
    expect(rows[0]).toMatchObject({
      submitted_at: '2026-11-03T10:00:00.000Z', call_day: '2026-11-03', call_site: 'ABV', call_queue: 'business-support',
      call_agent: 'a.martin', call_reason: 'refund', template_key: 'post-call', survey_locale: 'fr', survey_complete: 'true',
      info: 'no', missing: 'Pas de délai, personne ne savait', csat: '2', nps: '4', comment: '', waiting: '',
      got_information: 'no', csat_score: '2', nps_score: '4', ces_score: '', handled_at: '',
    });
    expect(rows[2]).toMatchObject({ template_key: 'quick', info: 'yes', waiting: 'hold|transfer', csat: '', got_information: 'yes' });
    expect(rows[3]).toMatchObject({ survey_complete: 'false', submitted_at: '' });
    expect(rows[4]).toMatchObject({ call_agent: '', call_reason: '', got_information: 'yes', csat_score: '4' });
  });

  it('defuses cells a spreadsheet would run as a formula with a leading apostrophe', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const rows = rowsOf((await agent.get(`/reports/responses.csv?${NOV}`)).text);
    const byId = new Map(rows.map((r) => [r.response_id, r]));
    expect(byId.get(ids.formula)).toMatchObject({ comment: `'=HYPERLINK("http://evil.example","click")`, call_agent: "'@admin", call_reason: "'-2+3" });
    expect(byId.get(ids.quick)).toMatchObject({ comment: "'+33 1 23 45 67 89" });
    expect(byId.get(ids.tab)).toMatchObject({ missing: "'\tstarts with a tab", comment: "'\rstarts with a carriage return" });
    expect(byId.get(ids.plain)?.missing).toBe('Pas de délai, personne ne savait');
  });

  it('applies the filters of the comments page', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const idsFor = async (query: string) => rowsOf((await agent.get(`/reports/responses.csv?${query}`)).text).map((r) => r.response_id);
    expect(await idsFor(`${NOV}&site=ABV`)).toEqual([ids.plain, ids.formula, ids.silent]);
    expect(await idsFor(`${NOV}&info=no`)).toEqual([ids.plain, ids.tab]);
    expect(await idsFor(`${NOV}&score=csat-low`)).toEqual([ids.plain]);
    expect(await idsFor(`${NOV}&text=yes&site=ABV`)).toEqual([ids.plain, ids.formula]);
    expect(await idsFor(`${NOV}&q=PERSONNE`)).toEqual([ids.plain]);
    expect(await idsFor(`${NOV}&queue=billing`)).toEqual([ids.quick]);
    expect(await idsFor('from=2026-10-01&to=2026-10-31')).toEqual([ids.october]);
    // Only post-call's questions when no quick response is involved.
    expect(headerOf((await agent.get(`/reports/responses.csv?${NOV}&site=ABV`)).text)).not.toContain('waiting');
    const bad = await agent.get(`/reports/responses.csv?${NOV}&sep=tab`);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('sep must be comma or semicolon');
  });

  it('sends the header alone when nothing matches', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get('/reports/responses.csv?from=2025-01-01&to=2025-01-31');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^\uFEFFresponse_id,.*,handled_note\r\n$/);
  });

  it('uses semicolons when asked, for spreadsheets with a French list separator', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const res = await agent.get(`/reports/responses.csv?${NOV}&site=ABV&sep=semicolon`);
    expect(res.text.split('\r\n')[0]).toMatch(/^\uFEFFresponse_id;submitted_at;/);
    expect(rowsOf(res.text, ';').map((r) => r.response_id)).toEqual([ids.plain, ids.formula, ids.silent]);
  });

  it('gives a quality lead the rows of their sites only, and refuses another site', async () => {
    const { agent } = await loginAs(app, { role: 'quality', sites: ['CAS'] });
    expect(rowsOf((await agent.get(`/reports/responses.csv?${NOV}`)).text).map((r) => r.call_site)).toEqual(['CAS']);
    expect((await agent.get(`/reports/responses.csv?${NOV}&site=ABV`)).status).toBe(403);
  });
});

describe('GET /api/v1/responses.csv', () => {
  it('answers 401 without a valid API key', async () => {
    const res = await request(app).get(`/api/v1/responses.csv?${NOV}`);
    expect(res.status).toBe(401);
    expect((await request(app).get(`/api/v1/responses.csv?${NOV}`).set('Authorization', 'Bearer nope')).status).toBe(401);
  });

  it('exports every site with the same filters and columns, without a BOM', async () => {
    const res = await request(app).get(`/api/v1/responses.csv?${NOV}&info=no`).set('Authorization', `Bearer ${apiKey}`);
    expect(res.status).toBe(200);
    expect(res.text.startsWith('response_id,')).toBe(true);
    expect(rowsOf(res.text).map((r) => r.response_id)).toEqual([ids.plain, ids.tab]);
    const bad = await request(app).get('/api/v1/responses.csv?site=NOPE').set('Authorization', `Bearer ${apiKey}`);
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'INVALID_FILTERS' });
  });
});

describe('streaming a large export', () => {
  const ROWS = 20_000;
  let server: http.Server;
  let port = 0;
  let serverSide: http.ServerResponse | undefined;

  beforeAll(async () => {
    // A long comment per row: the file (about 12 MB) cannot hide in socket buffers.
    const comment = 'Waited a long time and nobody could answer my question. '.repeat(9);
    for (let start = 0; start < ROWS; start += 2000) {
      const docs = Array.from({ length: 2000 }, (_, i) =>
        responseDoc({ info: i % 3 === 0 ? 'no' : 'yes', csat: 1 + (i % 5), comment: `${start + i} ${comment}` }, { site: 'DRX', at: new Date(Date.UTC(2027, 0, 1 + ((start + i) % 28), 10)) }),
      );
      await seedResponses(docs);
    }
    server = http.createServer(app);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (req.url?.startsWith('/api/v1/responses.csv')) serverSide = res;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function get(): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
    return new Promise((resolve, reject) => {
      const req = http.get({ port, host: '127.0.0.1', path: '/api/v1/responses.csv?from=2027-01-01&to=2027-01-31&site=DRX', headers: { Authorization: `Bearer ${apiKey}` } }, (res) => resolve({ req, res }));
      req.on('error', reject);
    });
  }

  async function until(what: () => boolean, label: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!what()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${label}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('sends every row chunked, the first bytes while the server is still writing, and waits for a slow reader', async () => {
    serverSide = undefined;
    const { res } = await get();
    expect(res.statusCode).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();

    const chunks: Buffer[] = [];
    await new Promise<void>((resolve) =>
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (chunks.length === 1) {
          // The client stops reading at the first bytes.
          res.pause();
          resolve();
        }
      }),
    );
    expect(serverSide!.writableEnded).toBe(false);
    // The client reads nothing more: the server must stop at a full buffer, not pile up the file in memory.
    await until(() => serverSide!.writableNeedDrain, 'the server waits for the client');
    expect(serverSide!.writableEnded).toBe(false);
    expect(serverSide!.writableLength).toBeLessThan(64 * 1024);

    const ended = new Promise((resolve) => res.on('end', resolve));
    res.resume();
    await ended;
    expect(chunks.length).toBeGreaterThan(1);
    const rows = rowsOf(Buffer.concat(chunks).toString('utf8'));
    expect(rows).toHaveLength(ROWS);
    expect(new Set(rows.map((r) => r.response_id)).size).toBe(ROWS);
    await until(() => logLines.some((l) => l.includes('CSV export sent') && l.includes(`"rows":${ROWS}`)), 'the export is logged');
  });

  it('stops reading the database when the client goes away', async () => {
    const { req, res } = await get();
    await new Promise((resolve) => res.once('data', resolve));
    req.destroy();
    await until(() => logLines.some((l) => l.includes('CSV export stopped: the client went away')), 'the server notices');
    const line = JSON.parse(logLines.find((l) => l.includes('CSV export stopped'))!) as { rows: number };
    expect(line.rows).toBeLessThan(ROWS);
    // The app still answers.
    expect((await request(app).get('/healthz')).status).toBe(200);
  });
});
