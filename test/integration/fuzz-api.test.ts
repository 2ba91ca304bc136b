/**
 * Hostile input on the API (/api/v1): every route with hostile parameters, queries and
 * bodies, with a valid key and without (or with a mangled Authorization header); call
 * ingest one at a time and in batches whose valid calls must survive their hostile
 * neighbours; bodies within and beyond the 5 MB limit; operator payloads that must change
 * nothing that is returned or stored, and no command that carries one (fuzz-db.ts).
 */
import mongoose from 'mongoose';
import { makeCall, callsTestKit } from '../helpers/calls';
import { CallModel } from '../../server/calls/model';
import { encode, fuzzer, OPERATOR_MARK, operatorPayloads, PROTOTYPE_JSON, RAW_BODIES, rounds, TRAVERSAL, UNICODE } from '../helpers/fuzz';
import { useWatchedDatabase } from '../helpers/fuzz-db';
import { client, fillPath, listen, probeOk, type Body, type Probe } from '../helpers/fuzz-http';
import { appRoutes, bodyFields, isApi, QUERY_FIELDS } from '../helpers/fuzz-routes';
import { createApiKey } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

const watch = useWatchedDatabase();
afterAll(removeTempDirs);

const fz = fuzzer('fuzz-api');
const kit = callsTestKit();
const { app } = kit;
const served = listen(app);
const web = () => client(served.server());
let key = '';
const auth = () => ({ Authorization: `Bearer ${key}` });
const externalIds: string[] = [];

beforeAll(async () => {
  key = await createApiKey('fuzz');
  const res = await kit.api.post({ calls: [makeCall(), makeCall({ externalId: '../../etc/passwd' }), makeCall({ externalId: 'pbx "<b data-fzx>" %2e%2e%2f' })] });
  externalIds.push(...(res.body as { results: { externalId: string }[] }).results.map((r) => r.externalId));
});
afterEach(() => {
  expect(watch.take()).toEqual([]);
});

const PARAMS: Record<string, string[]> = { code: ['ABV', 'CAS', 'business-support'], externalId: externalIds };

function randomBody(path: string): Body | undefined {
  const kind = fz.int(0, 4);
  if (kind === 0) return undefined;
  if (kind === 1) return { json: fz.object(bodyFields(path)) };
  if (kind === 2) return { json: fz.chance(0.5) ? { calls: Array.from({ length: fz.int(0, 4) }, () => fz.value(2)) } : fz.value(3) };
  if (kind === 3) return fz.pick(RAW_BODIES);
  return { raw: fz.pick(PROTOTYPE_JSON), type: 'application/json' };
}

describe('API routes under hostile input', () => {
  it('answers 401, in JSON, to every API route without a valid key, whatever the Authorization header', async () => {
    const routes = appRoutes(app).filter(isApi);
    expect(routes.length).toBeGreaterThanOrEqual(11);
    const headers: Record<string, string>[] = [
      {}, { Authorization: 'Bearer' }, { Authorization: `Bearer ${JSON.stringify({ $ne: null })}` }, { Authorization: `Bearer ${'k'.repeat(10_000)}` },
      { Authorization: 'Basic Og==' }, { Authorization: `Bearer ${key}x` }, { Authorization: `Bearer ${key} ${key}` }, { Authorization: 'Bearer %00' },
      { Authorization: `Token ${key}` }, { Authorization: 'Bearer \u00ff\u00fe' },
    ];
    for (const route of routes) {
      for (const extra of headers) {
        const probe: Probe = { method: route.method as Probe['method'], url: fillPath(route.path, (p) => fz.segment(PARAMS[p] ?? [])), headers: extra };
        if (route.method !== 'GET') probe.body = randomBody(route.path);
        const res = await probeOk(web(), probe, fz);
        // A malformed body may be refused before the key is looked at, and a raw `../` leads to no route; never accepted.
        // 431: headers over Node's 16 kB limit, refused by Node itself before the app.
        if (res.status === 431) continue;
        expect([400, 401, 404, 413, 415]).toContain(res.status);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
      }
    }
  });

  it('answers every API route, with a valid key and any parameters, query or body, below 500 with a JSON error', async () => {
    const routes = appRoutes(app).filter(isApi);
    for (const route of routes) {
      for (let i = 0; i < rounds(30); i += 1) {
        const url = fillPath(route.path, (p) => fz.segment(PARAMS[p] ?? [])) + fz.query(QUERY_FIELDS);
        const probe: Probe = { method: route.method as Probe['method'], url, headers: auth() };
        if (route.method !== 'GET') probe.body = randomBody(route.path);
        const res = await probeOk(web(), probe, fz);
        if (res.status >= 400 && res.status !== 431) {
          expect(res.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
        }
      }
    }
  });
});

describe('call ingest under hostile input', () => {
  const hostileCall = () => {
    const call = makeCall();
    const field = fz.pick(['externalId', 'endedAt', 'site', 'queue', 'agent', 'reason', 'durationSec', 'customer', 'customer.email', 'customer.name', 'customer.locale']);
    const value = fz.value(2);
    if (field.startsWith('customer.')) (call.customer as Record<string, unknown>)[field.slice(9)] = value;
    else call[field] = value;
    return fz.chance(0.1) ? fz.value(3) : call;
  };

  it('keeps every valid call of a batch whatever its neighbours, and stores only plain values', async () => {
    for (let round = 0; round < rounds(6); round += 1) {
      // Hostile text within the fields' limits is a valid call all the same.
      const valid = Array.from({ length: fz.int(1, 5) }, () => makeCall({ agent: fz.pick(UNICODE), reason: fz.string('reason').slice(0, 100), customer: { name: fz.string('name').slice(0, 200) } }));
      const items: unknown[] = [...valid, ...Array.from({ length: fz.int(1, 15) }, hostileCall)];
      for (let i = items.length - 1; i > 0; i -= 1) {
        const j = fz.int(0, i);
        [items[i], items[j]] = [items[j], items[i]];
      }
      const res = await probeOk(web(), { method: 'POST', url: '/api/v1/calls', headers: auth(), body: { json: { calls: items } } }, fz);
      expect(res.status).toBe(202);
      const results = res.body.results as { externalId: string; outcome: string; reason?: string }[];
      expect(results).toHaveLength(items.length);
      results.forEach((r, i) => {
        if (valid.includes(items[i] as never)) expect(r).toEqual(expect.not.objectContaining({ outcome: 'invalid' }));
        if (r.outcome === 'invalid') expect(r.reason).toEqual(expect.any(String));
      });
      for (const call of valid) expect(await kit.calls().countDocuments({ externalId: call.externalId })).toBe(1);
    }
    for (const doc of await kit.calls().find({}).toArray()) {
      for (const field of ['externalId', 'queue', 'site']) expect(typeof doc[field]).toBe('string');
      for (const field of ['agent', 'reason']) expect(doc[field] === null || typeof doc[field] === 'string').toBe(true);
    }
  });

  it('takes empty optional fields as absent', async () => {
    const calls = [makeCall({ agent: '', reason: ' ', site: '', durationSec: '', customer: { name: '', locale: '' } }), makeCall({ agent: null, site: null, durationSec: null })];
    const res = await web().post('/api/v1/calls').set(auth()).send({ calls });
    expect(res.status).toBe(202);
    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['scheduled', 'scheduled']);
  });

  it('refuses a body that is not a call or a batch with a 4xx and a reason, and a bad call with its own reason', async () => {
    const bodies: Body[] = [
      ...RAW_BODIES,
      ...PROTOTYPE_JSON.map((raw) => ({ raw, type: 'application/json' })),
      { json: [] }, { json: [makeCall()] }, { json: { calls: {} } }, { json: { calls: [] } }, { json: { calls: 'x' } }, { json: { calls: null } },
      ...operatorPayloads().map((p) => ({ json: p })),
      ...Array.from({ length: 20 }, () => ({ json: hostileCall() })),
    ];
    for (const body of bodies) {
      const res = await probeOk(web(), { method: 'POST', url: '/api/v1/calls', headers: auth(), body }, fz);
      expect([202, 400, 413, 415, 422]).toContain(res.status);
      if (res.status === 202) for (const r of res.body.results as { outcome: string }[]) expect(r.outcome).toEqual(expect.any(String));
      else expect(res.body.error.message).toEqual(expect.any(String));
    }
  });

  it('takes a batch up to 5 MB, refuses larger ones and too many calls with 413, and deep nesting as a bad body or a bad call', async () => {
    const name = 'N'.repeat(190);
    const big = { calls: Array.from({ length: 1000 }, () => makeCall({ reason: 'r'.repeat(100), customer: { name } })) };
    const padded = { ...big, padding: 'p'.repeat(5 * 1024 * 1024 - JSON.stringify(big).length - 100) };
    const ok = await probeOk(web(), { method: 'POST', url: '/api/v1/calls', headers: auth(), body: { json: padded } }, fz);
    expect(ok.status).toBe(202);
    expect((ok.body.results as { outcome: string }[]).filter((r) => r.outcome === 'invalid')).toEqual([]);
    const tooBig = await probeOk(web(), { method: 'POST', url: '/api/v1/calls', headers: auth(), body: { json: { ...big, padding: 'p'.repeat(5 * 1024 * 1024) } } }, fz);
    expect(tooBig.status).toBe(413);
    const tooMany = await probeOk(web(), { method: 'POST', url: '/api/v1/calls', headers: auth(), body: { json: { calls: Array.from({ length: 1001 }, () => makeCall()) } } }, fz);
    expect(tooMany.status).toBe(413);
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const res = await probeOk(web(), { method: 'POST', url: '/api/v1/calls', headers: auth(), body: { raw: deep, type: 'application/json' } }, fz);
    expect(res.status).toBe(400);
    for (const raw of [`{"calls":${deep}}`, `{"calls":[{"customer":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}]}`]) {
      const nested = await probeOk(web(), { method: 'POST', url: '/api/v1/calls', headers: auth(), body: { raw, type: 'application/json' } }, fz);
      expect(nested.status).toBe(202);
      expect(nested.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['invalid']);
    }
  });
});

describe('operators from outside the API', () => {
  it('changes no site or queue with operator values, and finds none with operator codes', async () => {
    const sitesBefore = (await web().get('/api/v1/sites').set(auth())).body;
    const queuesBefore = (await web().get('/api/v1/queues').set(auth())).body;
    for (const op of [...operatorPayloads(), { $gt: '' }, { $ne: null }]) {
      const site = { name: op, country: 'FR', timezone: 'Europe/Paris', locale: 'fr' };
      expect((await web().put('/api/v1/sites/ABV').set(auth()).send(site)).status).toBe(422);
      for (const field of ['country', 'timezone', 'locale', 'active']) {
        expect((await web().put('/api/v1/sites/ABV').set(auth()).send({ name: 'Abbeville', country: 'FR', timezone: 'Europe/Paris', locale: 'fr', [field]: op })).status).toBe(422);
      }
      expect((await web().put('/api/v1/queues/business-support').set(auth()).send({ name: 'Q', site: op })).status).toBe(422);
      expect((await web().put('/api/v1/queues/business-support').set(auth()).send({ name: 'Q', site: 'ABV', survey: { template: op } })).status).toBe(422);
      const asPath = encode(JSON.stringify(op));
      expect([404, 422]).toContain((await web().get(`/api/v1/sites/${asPath}`).set(auth())).status);
      expect([404, 422]).toContain((await web().get(`/api/v1/queues/${asPath}`).set(auth())).status);
      expect((await web().get(`/api/v1/calls/${asPath}`).set(auth())).status).toBe(404);
    }
    for (const path of ['/api/v1/calls/%E0%A4%A', '/api/v1/sites/%zz', '/api/v1/queues/%C0%AF']) {
      const res = await web().get(path).set(auth());
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('BAD_ADDRESS');
    }
    for (const code of ['[$ne]', '%24ne', '.*', ...TRAVERSAL]) {
      expect((await web().get(`/api/v1/calls/${code}?externalId[$ne]=x`).set(auth())).status).toBeLessThan(500);
    }
    expect((await web().get('/api/v1/sites').set(auth())).body).toEqual(sitesBefore);
    expect((await web().get('/api/v1/queues').set(auth())).body).toEqual(queuesBefore);
  });

  it('returns the same summary, export, outbox and call whatever operator keys the query adds', async () => {
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const period = `from=${day(-400)}&to=${day(1)}`;
    const extras = ['site[$ne]=x', 'site[$gt]=', 'queue[$ne]=x&template[$regex]=.*', '__proto__[site]=CAS', 'from[$gt]=&to[$lt]=', 'site.$where=1', 'limit[$gt]=0&before[$ne]=x'];
    for (const path of ['/api/v1/reports/summary', '/api/v1/responses.csv', '/api/v1/outbox']) {
      const plain = await web().get(`${path}?${period}`.replace(`/api/v1/outbox?${period}`, '/api/v1/outbox')).set(auth());
      expect(plain.status).toBe(200);
      for (const extra of extras) {
        const url = path === '/api/v1/outbox' ? `${path}?${extra}` : `${path}?${period}&${extra}`;
        const res = await web().get(url).set(auth());
        if (res.status === 200) expect(path.endsWith('.csv') ? res.text : res.body).toEqual(path.endsWith('.csv') ? plain.text : plain.body);
        else expect(res.status).toBe(422);
      }
    }
    for (const id of externalIds) {
      const res = await web().get(`/api/v1/calls/${encode(id)}`).set(auth());
      expect(res.status).toBe(200);
      expect(res.body.call.externalId).toBe(id);
    }
    expect(await mongoose.connection.collection('calls').countDocuments({ externalId: { $in: externalIds } })).toBe(3);
  });
});

describe('the command watch', () => {
  it('flags a command carrying an operator or a key that came from a client, or server-side JavaScript', async () => {
    const calls = mongoose.connection.collection('calls');
    await calls.findOne({ externalId: { $ne: OPERATOR_MARK } });
    await calls.findOne({ $where: 'true' }).catch(() => undefined);
    await CallModel.find({ agent: { $in: [OPERATOR_MARK] } });
    await calls.updateOne({ externalId: 'none' }, { $set: { [`notes.${OPERATOR_MARK}`]: 1 } });
    expect(watch.take().map((v) => [v.command, v.problem])).toEqual([
      ['find', '$ne built from a value the client sent'],
      ['find', '$where, server-side JavaScript'],
      ['find', '$in built from a value the client sent'],
      ['update', '$set built from a value the client sent'],
      ['update', 'a key sent by the client'],
    ]);
  });
});
