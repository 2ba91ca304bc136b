/**
 * Hostile input on the public routes (home, health, sign-in, set-password, the survey and
 * unsubscribe links, static files, unknown paths): random and malformed bodies, hostile
 * query strings and path segments, odd headers. Never a 5xx or a hang, no payload turned
 * into markup, answers stored only as the survey's types, and no query operator reaching
 * MongoDB: operator payloads find no invitation and sign no one in (seen from outside),
 * and no command carries one (the driver's command monitor, seen from inside).
 */
import http from 'node:http';
import mongoose from 'mongoose';
import { createTestApp } from '../helpers/app';
import { encode, fuzzer, OPERATOR_MARK, operatorPayloads, PROTOTYPE_JSON, RAW_BODIES, rounds, TRAVERSAL, UNICODE } from '../helpers/fuzz';
import { useWatchedDatabase } from '../helpers/fuzz-db';
import { client, fillPath, listen, probeOk, type Body, type Probe } from '../helpers/fuzz-http';
import { appRoutes, bodyFields, isPublic, QUERY_FIELDS } from '../helpers/fuzz-routes';
import { createStaff, csrfFrom } from '../helpers/staff';
import { FULL_JSON, invitations, responses, seedSurveyWorld, surveyLink } from '../helpers/survey';
import { removeTempDirs } from '../helpers/tmp';
import request from 'supertest';

const watch = useWatchedDatabase();
afterAll(removeTempDirs);

const fz = fuzzer('fuzz-public');
// Each request comes from its own address (behind a trusted proxy), so the per-address limits stay out of the way.
const { app } = createTestApp({ env: { TRUST_PROXY: 'loopback' } });
const served = listen(app);
const web = () => client(served.server());
const from = () => ({ 'X-Forwarded-For': `10.${fz.int(0, 255)}.${fz.int(0, 255)}.${fz.int(1, 254)}` });
const tokens: string[] = [];
let firstLink: mongoose.Types.ObjectId;
let admin = { email: '', password: '' };

beforeAll(async () => {
  await seedSurveyWorld();
  for (let i = 0; i < 10; i += 1) {
    const link = await surveyLink({ locale: i % 2 ? 'fr' : 'en' });
    tokens.push(link.token);
    firstLink ??= link.oid;
  }
  admin = await createStaff({ role: 'admin' });
});
afterEach(() => {
  expect(watch.take()).toEqual([]);
});

function randomBody(path: string): Body | undefined {
  const kind = fz.int(0, 4);
  if (kind === 0) return undefined;
  if (kind === 1) return { json: fz.chance(0.5) ? fz.object(bodyFields(path)) : { answers: fz.object(['info', 'missing', 'csat', 'nps', 'comment']), partial: fz.value(0) } };
  if (kind === 2) return { form: fz.form(bodyFields(path)) };
  if (kind === 3) return fz.pick(RAW_BODIES);
  return { raw: fz.pick(PROTOTYPE_JSON), type: 'application/json' };
}

describe('public routes under hostile input', () => {
  it('answers every public route, whatever its parameters, query and body, below 500 and with nothing injected', async () => {
    const routes = appRoutes(app).filter(isPublic);
    expect(routes.length).toBeGreaterThanOrEqual(11);
    for (const route of routes) {
      for (let i = 0; i < rounds(24); i += 1) {
        const url = fillPath(route.path, () => fz.segment(tokens)) + fz.query(QUERY_FIELDS);
        const probe: Probe = { method: route.method as Probe['method'], url, headers: from() };
        if (route.method !== 'GET') probe.body = randomBody(route.path);
        if (fz.chance(0.2)) probe.headers = { ...probe.headers, Accept: fz.pick(['application/json', 'text/html', '*/*', 'image/*;q=0', '']) };
        await probeOk(web(), probe, fz);
      }
    }
    expect(watch.count()).toBeGreaterThan(0);
  });

  it('keeps hostile answers out of the stored response, then still takes the customer\'s real answers', async () => {
    const token = tokens[0] as string;
    const url = `/s/${token}`;
    for (let i = 0; i < 22; i += 1) {
      const answers = fz.object(['info', 'missing', 'csat', 'nps', 'comment']);
      const body: Body = fz.chance(0.5) ? { json: { answers, partial: fz.chance(0.5) } } : { form: fz.form(['info', 'missing', 'csat', 'nps', 'comment', '_unseen', '_channel']) };
      const res = await probeOk(web(), { method: 'POST', url, body, headers: { ...from(), Accept: 'json' in body ? 'application/json' : 'text/html' } }, fz);
      if ('json' in body && res.status >= 400) {
        expect(res.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
      }
    }
    const stored = await responses().findOne({ invitationId: String(firstLink) });
    for (const [id, value] of Object.entries((stored?.answers ?? {}) as Record<string, unknown>)) {
      expect(['info', 'missing', 'csat', 'nps', 'comment']).toContain(id);
      if (id === 'info') expect(['yes', 'no']).toContain(value);
      else if (id === 'csat') expect(value).toEqual(expect.any(Number));
      else if (id === 'nps') expect(value).toEqual(expect.any(Number));
      else expect(typeof value).toBe('string');
    }
    const done = await web().post(url).set(from()).send({ answers: FULL_JSON });
    expect(done.status).toBe(200);
    expect(done.body).toEqual(expect.objectContaining({ complete: true }));
    const after = await responses().findOne({ invitationId: String(firstLink) });
    expect(after?.answers).toEqual(FULL_JSON);
  });
});

describe('huge fields', () => {
  it('takes fields within the 100 kB page limit and refuses larger bodies with 413, as JSON or a page', async () => {
    // 90 kB in one field: ASCII in a form (an "é" would be 6 bytes once %-encoded), 40,000 × "é" in JSON.
    const big = 'x'.repeat(90_000);
    const bigUnicode = 'é'.repeat(40_000);
    const cases: [string, string, number[]][] = [
      ['/login', 'email', [403, 422]],
      [`/s/${tokens[3]}`, 'comment', [200, 422]],
      [`/u/${tokens[4]}`, 'note', [200]],
      ['/set-password', 'token', [403]],
    ];
    for (const [url, field, within] of cases) {
      const form = await probeOk(web(), { method: 'POST', url, headers: from(), body: { form: { [field]: big } } }, fz);
      expect(within).toContain(form.status);
      const json = await probeOk(web(), { method: 'POST', url, headers: { ...from(), Accept: 'application/json' }, body: { json: { answers: { comment: bigUnicode } } } }, fz);
      expect(json.status).toBeLessThan(500);
      for (const over of [110_000, 3_000_000]) {
        const huge = 'x'.repeat(over);
        const asForm = await probeOk(web(), { method: 'POST', url, headers: from(), body: { form: { comment: huge } } }, fz);
        expect(asForm.status).toBe(413);
        const asJson = await probeOk(web(), { method: 'POST', url, headers: { ...from(), Accept: 'application/json' }, body: { json: { answers: { comment: huge } } } }, fz);
        expect(asJson.status).toBe(413);
        expect(asJson.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      }
    }
  });
});

describe('operators from outside', () => {
  it('never finds an invitation with an operator in the token, in the path, the query or the body', async () => {
    const before = await invitations().find({}).sort({ _id: 1 }).toArray();
    const suppressed = await mongoose.connection.collection('suppressions').countDocuments();
    const shapes = ['{"$ne":null}', '{"$gt":""}', '{"$regex":".*"}', '[$ne]', '$where', '.*', '*'];
    for (const shape of shapes) {
      for (const prefix of ['/s/', '/u/']) {
        for (const method of ['GET', 'POST'] as const) {
          const url = `${prefix}${encode(shape)}?token[$ne]=x&token=${encode(shape)}`;
          const res = await probeOk(web(), { method, url, headers: from(), body: method === 'POST' ? { json: { token: { $ne: null }, answers: { info: 'yes' } } } : undefined }, fz);
          expect(res.status).toBe(404);
        }
      }
    }
    expect(await invitations().find({}).sort({ _id: 1 }).toArray()).toEqual(before);
    expect(await mongoose.connection.collection('suppressions').countDocuments()).toBe(suppressed);
  });

  it('signs no one in with operators, arrays or prototype keys in the login form', async () => {
    const agent = request.agent(served.server());
    const csrf = csrfFrom((await agent.get('/login')).text);
    const bodies: unknown[] = [
      { email: { $gt: '' }, password: { $gt: '' } },
      { email: admin.email, password: { $ne: null } },
      { email: { $regex: '.*' }, password: { $ne: 'x' } },
      { email: [admin.email], password: [admin.password] },
      { email: admin.email, password: { $where: 'true' } },
      ...operatorPayloads().map((p) => ({ email: p, password: p })),
    ];
    for (const body of bodies) {
      const res = await agent.post('/login').set(from()).set('X-CSRF-Token', csrf).send({ ...(body as object), _csrf: csrf });
      expect(res.status).not.toBe(303);
      expect(res.status).toBeLessThan(500);
    }
    for (const form of [`email[$gt]=&password[$gt]=&_csrf=${csrf}`, `email=${encode(admin.email)}&password[$ne]=x&_csrf=${csrf}`]) {
      const res = await agent.post('/login').set(from()).type('form').send(form);
      expect(res.status).toBe(422);
    }
    for (const raw of PROTOTYPE_JSON) {
      const res = await agent.post('/login').set(from()).set('X-CSRF-Token', csrf).set('Content-Type', 'application/json').send(raw);
      expect([403, 422]).toContain(res.status);
    }
    expect((await agent.get('/reports')).status).not.toBe(200);
    // The account still works: nothing above changed it.
    const page = await agent.get('/login');
    const ok = await agent.post('/login').set(from()).type('form').send({ _csrf: csrfFrom(page.text), email: admin.email, password: admin.password });
    expect(ok.status).toBe(303);
  });

  it('spends no set-password link with an operator for a token', async () => {
    const agent = request.agent(served.server());
    const csrf = csrfFrom((await agent.get('/login')).text);
    for (const token of [{ $ne: null }, { $gt: '' }, ['x'], { $regex: '.*' }]) {
      const res = await agent.post('/set-password').set(from()).send({ _csrf: csrf, token, password: 'a new passphrase 123', confirm: 'a new passphrase 123' });
      expect([410, 422]).toContain(res.status);
    }
    for (const query of ['token[$ne]=x', `token=${encode('{"$ne":null}')}`, 'token=&token=x']) {
      expect((await agent.get(`/set-password?${query}`)).status).toBe(410);
    }
  });
});

describe('redirects, static files, unknown paths and odd headers', () => {
  /** A GET with the path exactly as written: no client-side normalising of `..` or escapes. */
  function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${served.url()}/`, { path, headers, method: 'GET', timeout: 15_000 }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer to GET ${path}`)));
      req.on('error', reject);
      req.end();
    });
  }

  it('sends a sign-in only to a page of this site, whatever `next` says', async () => {
    const nexts = ['//evil.example', '/\\evil.example', 'https://evil.example/', '/\t/evil.example', 'javascript:alert(1)', '/%2F%2Fevil.example', `/reports?x=${OPERATOR_MARK}`, '/login', ...UNICODE.slice(0, 6)];
    const expectHere = (location: unknown) => {
      expect(String(location)).toMatch(/^\/(?![/\\])/);
      expect(new URL(String(location), 'http://retour.invalid').origin).toBe('http://retour.invalid');
    };
    // Signing in with a hostile `next`, then, signed in, being sent on by the login page.
    const agent = request.agent(served.server());
    const csrf = csrfFrom((await agent.get(`/login?next=${encode(nexts[0] as string)}`)).text);
    const res = await agent.post('/login').set(from()).type('form').send({ _csrf: csrf, email: admin.email, password: admin.password, next: nexts[0] });
    expect(res.status).toBe(303);
    expectHere(res.headers.location);
    for (const next of [...nexts, ...Array.from({ length: 20 }, () => fz.string())]) {
      const again = await agent.get(`/login?next=${encode(next)}`);
      // 431: a 20 kB `next` is refused by Node's header limit before the app sees it.
      expect([303, 431]).toContain(again.status);
      if (again.status === 303) expectHere(again.headers.location);
    }
  });

  it('serves static files from public/ only, whatever the traversal', async () => {
    expect((await rawGet('/css/app.css')).status).toBe(200);
    const paths = [
      '/css/../../package.json', '/../package.json', '/%2e%2e/package.json', '/css/..%2f..%2fpackage.json', '/css/%2e%2e%2f%2e%2e%2fpackage.json',
      '/..%5c..%5cpackage.json', '/css/app.css%00.js', '/css/%00', '/js/%C0%AE%C0%AE/%C0%AE%C0%AE/package.json', '/css/....//....//package.json',
      '/%252e%252e/package.json', '/css/../../../../../../etc/passwd', '/css/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/.env', '/data/dev-secrets.json',
      '/css/', '/css', '/js/', '/favicon.svg/..', '/css/app.css/', '/%', '/%zz', '/css/%ED%A0%80.css',
    ];
    for (const path of paths) {
      const res = await rawGet(path);
      expect({ path, status: res.status }).toEqual({ path, status: expect.any(Number) });
      expect(res.status).toBeLessThan(500);
      expect(res.body).not.toContain('"dependencies"');
      expect(res.body).not.toMatch(/root:.*:0:0:/);
      expect(res.body).not.toContain('SESSION_SECRET');
    }
  });

  it('answers unknown paths, odd methods and odd headers without a server error', async () => {
    const paths = ['/nope', '/s/', '/u/', '/s', '/api', '/api/v1', '/api/v2/calls', `/${'a/'.repeat(500)}`, `/${'x'.repeat(8000)}`, ...TRAVERSAL.map((t) => `/s/${t}/more`)];
    for (const path of paths) {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const) {
        await probeOk(web(), { method, url: path, headers: from() }, fz);
      }
    }
    const headers: Record<string, string>[] = [
      { 'Accept-Language': `${'fr;q=0.'.repeat(2000)}x` },
      { 'Accept-Language': '*;q=NaN, en;q=-1, ;q=' },
      { Cookie: 'retour.sid=%E0%A4%A; lang=<script>' },
      { Cookie: `retour.sid=s%3A${'A'.repeat(4000)}.sig; lang=${encode(UNICODE[3] as string)}` },
      { 'X-Request-Id': 'x'.repeat(4000) },
      { 'X-Request-Id': `"><img data-fzx src=x>` },
      { Accept: 'application/json;q=abc, text/html;q=' },
      { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      { 'Content-Encoding': 'br, x-unknown' },
      { 'If-None-Match': '*', Range: 'bytes=9999999-0' },
    ];
    for (const extra of headers) {
      for (const url of ['/', '/login', `/s/${tokens[1]}`, '/css/app.css']) {
        await probeOk(web(), { method: 'GET', url, headers: { ...from(), ...extra } }, fz);
      }
      await probeOk(web(), { method: 'POST', url: `/u/${tokens[2]}`, headers: { ...from(), ...extra }, body: { raw: 'List-Unsubscribe=One-Click', type: 'application/x-www-form-urlencoded' } }, fz);
    }
  });

  it('leaves no prototype polluted behind', () => {
    const probe = {} as Record<string, unknown>;
    expect(probe.polluted).toBeUndefined();
    expect(probe.isAdmin).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('x');
  });
});
