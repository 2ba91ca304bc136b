/**
 * Hostile input from signed-in staff (admins and leads are users too, and what they type
 * is shown to others): every /admin, /account and /reports route as an admin with a valid
 * CSRF token, with hostile parameters, queries and bodies; the call CSV import with hostile
 * files and mappings; report filters with operators. Never a 5xx, nothing injected into
 * the page that answers, no operator in any command (fuzz-db.ts), and the admin's session
 * and data still usable afterwards.
 */
import type { Express } from 'express';
import mongoose from 'mongoose';
import type request from 'supertest';
import { createApiKey } from '../../server/auth/api-keys';
import { createOutboxMailer } from '../../server/mail/outbox';
import { createTestApp } from '../helpers/app';
import { encode, fuzzer, OPERATOR_MARK, PROTOTYPE_JSON, RAW_BODIES, rounds, scriptPayloads, UNICODE } from '../helpers/fuzz';
import { useWatchedDatabase } from '../helpers/fuzz-db';
import { fillPath, listen, probeOk, type Body, type Probe } from '../helpers/fuzz-http';
import { appRoutes, bodyFields, isStaff, QUERY_FIELDS } from '../helpers/fuzz-routes';
import { seedResponses, responseDoc, seedWorld } from '../helpers/seed-responses';
import { createStaff, csrfFrom, signIn } from '../helpers/staff';
import { logger } from '../helpers/dispatch';
import { removeTempDirs } from '../helpers/tmp';

const watch = useWatchedDatabase();
afterAll(removeTempDirs);
// Hundreds of requests per test on a machine shared with other work.
jest.setTimeout(90_000);

const fz = fuzzer('fuzz-staff');
const { app } = createTestApp();
const served = listen(app);
let agent: request.Agent;
let csrf = '';
const pools: Record<string, string[]> = { code: ['ABV', 'CAS', 'business-support', 'billing'], key: ['post-call'], version: ['1', 'draft'], locale: ['fr', 'en'], externalId: [] };
const ids: Record<string, string[]> = { users: [], 'api-keys': [], comments: [], import: [], outbox: [] };
const DAY = 86_400_000;

/** Uploads a CSV through the import form; the import's page, or the form again. */
async function upload(text: string | Buffer, filename = 'calls.csv'): Promise<request.Response> {
  return agent.post('/admin/calls/import').field('_csrf', csrf).attach('file', Buffer.from(text), filename).redirects(0);
}

beforeAll(async () => {
  await seedWorld();
  const recent = (n: number) => new Date(Date.now() - n * DAY);
  ids.comments = await seedResponses(
    Array.from({ length: 6 }, (_, i) => responseDoc({ info: i % 2 ? 'yes' : 'no', csat: 1 + (i % 5), comment: `comment ${i} ${fz.pick(UNICODE)}` }, { at: recent(i + 1), site: i % 2 ? 'CAS' : 'ABV', queue: i % 2 ? 'billing' : 'business-support' })),
  );
  ids.users.push((await createStaff({ role: 'quality', sites: ['ABV'] })).user.id);
  ids['api-keys'].push(String((await createApiKey('telephony')).doc._id));
  const mailer = createOutboxMailer('Retour <retour@example.com>', logger);
  ids.outbox.push((await mailer.send({ to: 'x@example.com', subject: 'Hello', text: 'Hi', html: '<p>Hi</p>' })).messageId);
  const admin = await createStaff({ role: 'admin', locale: 'en' });
  // Signed in against the served app: one server for the whole file.
  agent = await signIn(served.server() as unknown as Express, admin.email, admin.password);
  csrf = csrfFrom((await agent.get('/account')).text);
  const started = await upload(`externalId;endedAt;queue;email\npbx-csv-1;${recent(1).toISOString()};business-support;a@example.com\n`);
  ids.import.push(String(started.headers.location).split('/').pop() ?? '');
  pools.externalId.push('pbx-csv-1');
});
afterEach(() => {
  expect(watch.take()).toEqual([]);
});

const ID_KINDS: [string, string][] = [['/reports/comments', 'comments'], ['/admin/users', 'users'], ['/admin/api-keys', 'api-keys'], ['/admin/outbox', 'outbox'], ['/admin/calls/import', 'import']];

/** The known values of a route's parameter: ids of the route's kind, codes, keys. */
function known(path: string, param: string): string[] {
  const kind = ID_KINDS.find(([prefix]) => path.startsWith(prefix))?.[1];
  return (param === 'id' && kind ? ids[kind] : pools[param]) ?? [];
}

/** A value for a route's parameter: a known one, or a hostile one. */
const paramValue = (path: string, param: string) => fz.segment(known(path, param));

function randomBody(path: string): Body | undefined {
  const fields = [...bodyFields(path)];
  const kind = fz.int(0, 5);
  if (kind === 0) return undefined;
  if (kind <= 2) return { form: { ...fz.form(fields), _csrf: csrf } };
  if (kind === 3) return { json: { ...fz.object(fields), _csrf: csrf } };
  if (kind === 4) return fz.pick(RAW_BODIES);
  return { raw: fz.pick(PROTOTYPE_JSON), type: 'application/json' };
}

describe('staff routes under hostile input', () => {
  it('answers every staff route, whatever its parameters, query and body, below 500 and with nothing injected', async () => {
    const routes = appRoutes(app).filter(isStaff);
    expect(routes.length).toBeGreaterThanOrEqual(60);
    for (const route of routes) {
      // Disabling or re-linking the lead, revoking the key: fine; the admin's own account is never a target.
      for (let i = 0; i < rounds(5); i += 1) {
        const url = fillPath(route.path, (p) => paramValue(route.path, p)) + fz.query(QUERY_FIELDS);
        const probe: Probe = { method: route.method as Probe['method'], url, headers: fz.chance(0.9) ? { 'X-CSRF-Token': csrf } : {} };
        if (route.method !== 'GET') probe.body = randomBody(route.path);
        await probeOk(agent, probe, fz);
      }
    }
    // Still signed in, still able to work.
    expect((await agent.get('/admin/sites')).status).toBe(200);
    expect((await agent.get('/reports/comments')).status).toBe(200);
  });

  it('answers every staff form posted without a body, or with an empty or array JSON body, below 500', async () => {
    const posts = appRoutes(app).filter((r) => isStaff(r) && r.method === 'POST');
    for (const route of posts) {
      const url = fillPath(route.path, (p) => encodeURIComponent(known(route.path, p)[0] ?? 'x'));
      for (const body of [undefined, { json: {} }, { json: [] }, { raw: '', type: 'application/x-www-form-urlencoded' }] as (Body | undefined)[]) {
        const res = await probeOk(agent, { method: 'POST', url, headers: { 'X-CSRF-Token': csrf }, body }, fz);
        expect(`${url} ${res.status}`).toMatch(/ [234]\d\d$/);
      }
    }
    const broken = await probeOk(agent, { method: 'POST', url: '/admin/calls/import', body: { raw: '--zz\r\nContent-Disposition: form-data; name="csv"\r\n', type: 'multipart/form-data; boundary=zz' } }, fz);
    expect(broken.status).toBe(400);
  });

  it('answers a field too long for its form with the form again (422), and a body over 100 kB with 413', async () => {
    const forms: [string, string][] = [
      ['/admin/sites', 'name'], ['/admin/queues', 'name'], ['/admin/users', 'name'], ['/admin/api-keys', 'name'],
      [`/reports/comments/${ids.comments[0]}/handled`, 'note'], ['/admin/templates/import', 'json'], ['/admin/queues/business-support/relocate', 'note'],
    ];
    for (const [url, field] of forms) {
      const long = await probeOk(agent, { method: 'POST', url, body: { form: { _csrf: csrf, [field]: 'x'.repeat(90_000) } } }, fz);
      expect(`${url} ${long.status}`).toBe(`${url} 422`);
      const huge = await probeOk(agent, { method: 'POST', url, body: { form: { _csrf: csrf, [field]: 'x'.repeat(200_000) } } }, fz);
      expect(`${url} ${huge.status}`).toBe(`${url} 413`);
    }
  });

  it('refuses hostile report filters with a 4xx, and operator keys change no page', async () => {
    const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
    const period = `from=${day(-30)}&to=${day(0)}`;
    for (const path of ['/reports', '/reports/sites', '/reports/drilldown', '/reports/trends', '/reports/comments', '/reports/responses.csv', '/admin/calls', '/admin/audit']) {
      const plain = await agent.get(`${path}?${period}`);
      expect(plain.status).toBe(200);
      for (const extra of ['site[$ne]=x', 'queue[$gt]=', `q[$regex]=.*`, '__proto__[site]=CAS', 'handled[$ne]=yes', 'template[$exists]=true', `response[$ne]=${OPERATOR_MARK}`]) {
        const res = await agent.get(`${path}?${period}&${extra}`);
        expect(res.status).toBe(200);
        // Pages carry per-request tokens and times: compare what they list.
        if (path.endsWith('.csv')) expect(res.text).toBe(plain.text);
        else expect(res.text.match(/<tr[\s>]|class="comment\b/g)?.length ?? 0).toBe(plain.text.match(/<tr[\s>]|class="comment\b/g)?.length ?? 0);
      }
      for (const value of ['site=%24ne', 'from=2026-13-45', 'to=9999-99-99', 'granularity=%7B%7D', `template=${encode('{"$ne":null}')}`, 'score=__proto__', 'before=1.x', `q=${'q'.repeat(201)}`, 'page=-1', 'outcome=constructor']) {
        const res = await probeOk(agent, { method: 'GET', url: `${path}?${value}` }, fz);
        expect(`${path}?${value} ${res.status}`).toMatch(/ (200|403|422)$/);
      }
    }
    // The search is literal: ".*" finds only comments that contain ".*".
    const all = await agent.get(`/reports/comments?${period}`);
    const literal = await agent.get(`/reports/comments?${period}&q=${encode('.*')}`);
    expect(all.text).toContain('comment 1');
    expect(literal.text).not.toContain('comment 1');
  });

  it('reads hostile CSV imports and mappings without a server error, storing only plain values', async () => {
    const when = new Date(Date.now() - DAY).toISOString();
    const files: (string | Buffer)[] = [
      `$where;a.b;__proto__;constructor;${OPERATOR_MARK}\n1;2;3;4;5\n`,
      `externalId;endedAt;queue;email;agent\n"=HYPERLINK(""http://evil"")";${when};business-support;b@example.com;${scriptPayloads('csv')[1]}\n`,
      `externalId,endedAt,queue,email\n${'x'.repeat(300)},${when},business-support,c@example.com\n`,
      Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc0, 0xaf, 0x0a, 0x00, 0x00]),
      `"unclosed;quote\n${'a;'.repeat(5000)}\n`,
      '\uFEFF\n\n\n',
      `externalId\tendedAt\tqueue\temail\n${UNICODE.join('\t')}\n`,
      `a;b\n${'1;2\n'.repeat(20_000)}`,
    ];
    for (const file of files) {
      const res = await probeOk(agent, { method: 'POST', url: '/admin/calls/import', body: { form: { _csrf: csrf, csv: String(file) } } }, fz);
      expect([303, 413, 422]).toContain(res.status);
      const uploaded = await upload(file, fz.pick(['calls.csv', '../../etc/passwd', `${scriptPayloads('fn')[2]}.csv`, '\u202Ecsv.exe', '%2e%2e%2fx.csv']));
      expect([303, 400, 413, 422]).toContain(uploaded.status);
      if (uploaded.status !== 303) continue;
      const page = String(uploaded.headers.location);
      await probeOk(agent, { method: 'GET', url: page }, fz);
      for (let i = 0; i < 4; i += 1) {
        const mapping = fz.form(['map_externalId', 'map_endedAt', 'map_queue', 'map_customerEmail', 'map_agent', 'map_site', 'timeZone']);
        await probeOk(agent, { method: 'POST', url: `${page}/mapping`, body: { form: { ...mapping, _csrf: csrf } } }, fz);
      }
      await probeOk(agent, { method: 'POST', url: `${page}/mapping`, body: { form: { map_externalId: '0', map_endedAt: '1', map_queue: '2', map_customerEmail: '3', map_agent: '4', timeZone: 'Europe/Paris', _csrf: csrf } } }, fz);
      await probeOk(agent, { method: 'POST', url: `${page}/run`, body: { form: { _csrf: csrf } } }, fz);
      await probeOk(agent, { method: 'GET', url: page }, fz);
    }
    for (const doc of await mongoose.connection.collection('calls').find({}).toArray()) {
      expect(typeof doc.externalId).toBe('string');
      expect(doc.agent === null || doc.agent === undefined || typeof doc.agent === 'string').toBe(true);
    }
  });
});
