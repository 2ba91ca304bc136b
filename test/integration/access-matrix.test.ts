/**
 * The access-control matrix: every route of the app (enumerated from the router, so a new
 * route cannot slip in unguarded) against six callers — anonymous, a customer holding their
 * survey link, the quality lead of another site (CAS), the quality lead of the data's site
 * (ABV), an admin and an API key — each sending a sensible request with real ids, and what
 * each must get. A refused write changes nothing in the database.
 */
import request from 'supertest';
import { AuditEntry } from '../../server/audit/model';
import { ApiKey } from '../../server/auth/api-key-model';
import { User } from '../../server/auth/user-model';
import { CallModel } from '../../server/calls/model';
import { Invitation } from '../../server/invitations/model';
import { QueueModel } from '../../server/queues/model';
import { ResponseModel } from '../../server/responses/model';
import { SiteModel } from '../../server/sites/model';
import { Template } from '../../server/templates/model';
import { SAMPLES, type Body, type Sample } from '../helpers/access-samples';
import { databaseFingerprint, makeActor, ROLES, seedAccessWorld, type Actor, type RoleName, type World } from '../helpers/access-world';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { listRoutes } from '../helpers/routes';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();

/** 303 to the login page (back to the page for a GET). */
const L = 'login';
type Outcome = 200 | 201 | 202 | 302 | 303 | 401 | 403 | 404 | 410 | typeof L;
type Row = [anonymous: Outcome, customer: Outcome, otherLead: Outcome, lead: Outcome, admin: Outcome, apiKey: Outcome];

// prettier-ignore
const MATRIX: Record<string, Row> = {
  //                                                anonymous customer otherLead lead  admin  apiKey
  'GET /':                                          [200,      200,     200,      200,  200,   200],
  'GET /account':                                   [L,        L,       200,      200,  200,   L],
  'GET /account/password':                          [L,        L,       200,      200,  200,   L],
  'POST /account/password':                         [L,        L,       303,      303,  303,   L],
  'GET /admin/api-keys':                            [L,        L,       403,      403,  200,   L],
  'POST /admin/api-keys':                           [L,        L,       403,      403,  303,   L],
  'POST /admin/api-keys/:id/revoke':                [L,        L,       403,      403,  303,   L],
  'GET /admin/audit':                               [L,        L,       403,      403,  200,   L],
  'GET /admin/calls':                               [L,        L,       403,      403,  200,   L],
  'GET /admin/calls/:externalId':                   [L,        L,       403,      403,  200,   L],
  'GET /admin/calls/import':                        [L,        L,       403,      403,  200,   L],
  'POST /admin/calls/import':                       [L,        L,       403,      403,  303,   L],
  'GET /admin/calls/import/:id':                    [L,        L,       403,      403,  200,   L],
  'POST /admin/calls/import/:id/mapping':           [L,        L,       403,      403,  303,   L],
  'POST /admin/calls/import/:id/run':               [L,        L,       403,      403,  303,   L],
  'GET /admin/outbox':                              [L,        L,       403,      403,  200,   L],
  'GET /admin/outbox/:id':                          [L,        L,       403,      403,  200,   L],
  'GET /admin/outbox/:id/html':                     [L,        L,       403,      403,  200,   L],
  'GET /admin/privacy':                             [L,        L,       403,      403,  200,   L],
  'POST /admin/privacy/erase':                      [L,        L,       403,      403,  303,   L],
  'POST /admin/privacy/preview':                    [L,        L,       403,      403,  200,   L],
  'GET /admin/queues':                              [L,        L,       403,      403,  200,   L],
  'POST /admin/queues':                             [L,        L,       403,      403,  303,   L],
  'GET /admin/queues/:code':                        [L,        L,       403,      403,  200,   L],
  'POST /admin/queues/:code':                       [L,        L,       403,      403,  303,   L],
  'GET /admin/queues/:code/relocate':               [L,        L,       403,      403,  200,   L],
  'POST /admin/queues/:code/relocate':              [L,        L,       403,      403,  303,   L],
  'POST /admin/queues/:code/relocation/cancel':     [L,        L,       403,      403,  303,   L],
  'GET /admin/queues/new':                          [L,        L,       403,      403,  200,   L],
  'GET /admin/sites':                               [L,        L,       403,      403,  200,   L],
  'POST /admin/sites':                              [L,        L,       403,      403,  303,   L],
  'GET /admin/sites/:code':                         [L,        L,       403,      403,  200,   L],
  'POST /admin/sites/:code':                        [L,        L,       403,      403,  303,   L],
  'GET /admin/sites/new':                           [L,        L,       403,      403,  200,   L],
  'GET /admin/templates':                           [L,        L,       403,      403,  200,   L],
  'POST /admin/templates':                          [L,        L,       403,      403,  303,   L],
  'GET /admin/templates/:key':                      [L,        L,       403,      403,  200,   L],
  'POST /admin/templates/:key/archive':             [L,        L,       403,      403,  303,   L],
  'POST /admin/templates/:key/draft':               [L,        L,       403,      403,  303,   L],
  'POST /admin/templates/:key/draft/discard':       [L,        L,       403,      403,  303,   L],
  'GET /admin/templates/:key/edit':                 [L,        L,       403,      403,  200,   L],
  'GET /admin/templates/:key/export':               [L,        L,       403,      403,  200,   L],
  'GET /admin/templates/:key/preview':              [L,        L,       403,      403,  302,   L],
  'GET /admin/templates/:key/preview/:version/:locale': [L,    L,       403,      403,  200,   L],
  'GET /admin/templates/:key/publish':              [L,        L,       403,      403,  200,   L],
  'POST /admin/templates/:key/publish':             [L,        L,       403,      403,  303,   L],
  'POST /admin/templates/:key/unarchive':           [L,        L,       403,      403,  303,   L],
  'GET /admin/templates/import':                    [L,        L,       403,      403,  200,   L],
  'POST /admin/templates/import':                   [L,        L,       403,      403,  303,   L],
  'GET /admin/templates/new':                       [L,        L,       403,      403,  200,   L],
  'GET /admin/users':                               [L,        L,       403,      403,  200,   L],
  'POST /admin/users':                              [L,        L,       403,      403,  303,   L],
  'GET /admin/users/:id':                           [L,        L,       403,      403,  200,   L],
  'POST /admin/users/:id':                          [L,        L,       403,      403,  303,   L],
  'POST /admin/users/:id/disable':                  [L,        L,       403,      403,  303,   L],
  'POST /admin/users/:id/enable':                   [L,        L,       403,      403,  303,   L],
  'POST /admin/users/:id/link':                     [L,        L,       403,      403,  303,   L],
  'GET /admin/users/new':                           [L,        L,       403,      403,  200,   L],
  'POST /api/v1/calls':                             [401,      401,     401,      401,  401,   202],
  'GET /api/v1/calls/:externalId':                  [401,      401,     401,      401,  401,   200],
  'GET /api/v1/outbox':                             [401,      401,     401,      401,  401,   200],
  'GET /api/v1/queues':                             [401,      401,     401,      401,  401,   200],
  'GET /api/v1/queues/:code':                       [401,      401,     401,      401,  401,   200],
  'PUT /api/v1/queues/:code':                       [401,      401,     401,      401,  401,   201],
  'GET /api/v1/reports/summary':                    [401,      401,     401,      401,  401,   200],
  'GET /api/v1/responses.csv':                      [401,      401,     401,      401,  401,   200],
  'GET /api/v1/sites':                              [401,      401,     401,      401,  401,   200],
  'GET /api/v1/sites/:code':                        [401,      401,     401,      401,  401,   200],
  'PUT /api/v1/sites/:code':                        [401,      401,     401,      401,  401,   201],
  'GET /healthz':                                   [200,      200,     200,      200,  200,   200],
  'GET /login':                                     [200,      200,     303,      303,  303,   200],
  'POST /login':                                    [401,      401,     401,      401,  401,   401],
  'POST /logout':                                   [303,      303,     303,      303,  303,   303],
  'GET /reports':                                   [L,        L,       403,      200,  200,   L],
  'GET /reports/comments':                          [L,        L,       403,      200,  200,   L],
  'POST /reports/comments/:id/handled':             [L,        L,       404,      303,  303,   L],
  'POST /reports/comments/:id/reopen':              [L,        L,       404,      303,  303,   L],
  'GET /reports/drilldown':                         [L,        L,       403,      200,  200,   L],
  'GET /reports/responses.csv':                     [L,        L,       403,      200,  200,   L],
  'GET /reports/sites':                             [L,        L,       403,      200,  200,   L],
  'GET /reports/trends':                            [L,        L,       403,      200,  200,   L],
  'GET /s/:token':                                  [404,      200,     404,      404,  404,   404],
  'POST /s/:token':                                 [404,      303,     404,      404,  404,   404],
  'GET /set-password':                              [410,      410,     410,      410,  410,   410],
  'POST /set-password':                             [410,      410,     410,      410,  410,   410],
  'GET /u/:token':                                  [404,      200,     404,      404,  404,   404],
  'POST /u/:token':                                 [404,      200,     404,      404,  404,   404],
};

const REFUSED: readonly Outcome[] = [L, 401, 403, 404, 410];

let world: World;
const actors = new Map<RoleName, Actor>();

beforeAll(async () => {
  world = await seedAccessWorld(app);
  for (const role of ROLES) actors.set(role, await makeActor(app, role, world));
}, 60_000);

function sendAs(actor: Actor, method: string, sample: Sample, body: Body | undefined): request.Test {
  const url = sample.url(world, actor.role);
  const req = actor.agent[method.toLowerCase() as 'get' | 'post' | 'put'](url).set('Accept-Language', 'en');
  if (body === undefined) return req;
  // API bodies are JSON and carry no form token; forms carry the sender's own.
  return sample.json ? req.send(body) : req.type('form').send({ ...body, _csrf: actor.csrf });
}

/** What the caller got, written like the table: `login` only for the login page with the right `next`. */
function outcomeOf(res: request.Response, method: string, url: string): Outcome | string {
  const location = String(res.headers.location ?? '');
  if (res.status === 303 && location.startsWith('/login')) {
    if (location === (method === 'GET' ? `/login?next=${encodeURIComponent(url)}` : '/login')) return L;
    // Signing out lands on the login page too, with its notice.
    if (location === '/login?notice=out') return 303;
    return `303 → ${location}`;
  }
  // Under /api a refusal is the one JSON 401, never a page or a redirect.
  if (res.status === 401 && url.startsWith('/api/') && res.body?.error?.code !== 'UNAUTHORIZED') return `401 ${JSON.stringify(res.body)}`;
  return res.status as Outcome;
}

describe('the access-control matrix', () => {
  it('covers every route of the app, and only routes that exist', () => {
    const routes = listRoutes(app).map((r) => `${r.method} ${r.path}`);
    expect(routes.filter((key) => !(key in MATRIX))).toEqual([]);
    expect(Object.keys(MATRIX).filter((key) => !routes.includes(key))).toEqual([]);
    expect(Object.keys(MATRIX).filter((key) => !(key in SAMPLES))).toEqual([]);
  });

  it.each(Object.keys(MATRIX))('%s answers each caller as the table says', async (key) => {
    const [method = 'GET'] = key.split(' ');
    const row = MATRIX[key] as Row;
    const sample = SAMPLES[key] as Sample;
    const body = sample.body ? await sample.body({ world, admin: actors.get('admin') as Actor }) : undefined;
    const got = new Map<RoleName, Outcome | string>();
    const callers = ROLES.map((role, i) => ({ role, expected: row[i] as Outcome }));
    const run = async (role: RoleName) => {
      const actor = sample.fresh ? await makeActor(app, role, world) : (actors.get(role) as Actor);
      const res = await sendAs(actor, method, sample, body);
      got.set(role, outcomeOf(res, method, sample.url(world, role)));
    };

    // Refused callers first: the database must be exactly as it was after all of them.
    const refused = callers.filter((c) => REFUSED.includes(c.expected));
    const before = method === 'GET' ? null : await databaseFingerprint();
    for (const { role } of refused) await run(role);
    if (before) expect(await databaseFingerprint()).toEqual(before);
    for (const { role } of callers.filter((c) => !refused.includes(c))) await run(role);

    expect(ROLES.map((role) => got.get(role))).toEqual([...row]);
  });

  it('holds for the same paths spelled otherwise (capitals, trailing slash), which Express matches too', async () => {
    const lead = actors.get('lead') as Actor;
    const other = actors.get('otherLead') as Actor;
    for (const path of ['/ADMIN/users', '/admin/Users/', '/Admin/api-keys/', '/admin/outbox/']) {
      expect([path, (await request(app).get(path)).status]).toEqual([path, 303]);
      expect([path, (await lead.agent.get(path)).status]).toEqual([path, 403]);
    }
    for (const path of ['/REPORTS', '/Reports/Responses.csv', '/reports/']) {
      expect([path, (await request(app).get(path)).status]).toEqual([path, 303]);
      expect([path, (await other.agent.get(`${path}?site=ABV`)).status]).toEqual([path, 403]);
    }
    const before = await databaseFingerprint();
    const res = await lead.agent.post('/ADMIN/api-keys/').type('form').send({ _csrf: lead.csrf, name: 'Spelled otherwise' });
    expect(res.status).toBe(403);
    expect(await databaseFingerprint()).toEqual(before);
  });

  it('let the allowed writes take effect (each 2xx/3xx above was a success, not a form sent back)', async () => {
    const name = (s: { name?: unknown } | null) => s?.name;
    expect(name(await SiteModel.findOne({ code: 'MTX' }).lean())).toBe('Matrix');
    expect(name(await SiteModel.findOne({ code: 'DRX' }).lean())).toBe('Dreux centre');
    expect(name(await SiteModel.findOne({ code: 'API' }).lean())).toBe('From the API');
    expect(await QueueModel.countDocuments({ code: { $in: ['matrix-line', 'api-line'] } })).toBe(2);
    expect((await Template.findOne({ key: 'to-archive' }).lean())?.status).toBe('archived');
    expect((await Template.findOne({ key: 'archived' }).lean())?.status).toBe('active');
    expect((await Template.findOne({ key: 'to-publish' }).lean())?.currentVersion).toBe(1);
    expect((await Template.findOne({ key: 'to-discard' }).lean())?.draft ?? null).toBeNull();
    expect(await Template.countDocuments({ key: { $in: ['matrix-made', 'matrix-imported'] } })).toBe(2);
    expect((await ApiKey.findById(world.spareKeyId).lean())?.revokedAt).toBeInstanceOf(Date);
    expect(await ApiKey.countDocuments({ name: 'Made in the matrix' })).toBe(1);
    expect(await User.countDocuments({ email: 'invited.in.matrix@example.com' })).toBe(1);
    const target = await User.findById(world.targetUserId).lean();
    expect([target?.name, target?.sites, target?.disabled]).toEqual(['Renamed', ['ABV', 'DRX'], false]);
    expect(await CallModel.countDocuments({ externalId: { $in: ['imp-1', 'up-1'] } })).toBe(1);
    const comment = await ResponseModel.findById(world.commentOfA).lean();
    expect(comment?.handled ?? null).toBeNull();
    expect(await AuditEntry.countDocuments({ action: { $in: ['response.handle', 'response.reopen'] } })).toBe(3);
    expect(await AuditEntry.countDocuments({ action: 'privacy.erase' })).toBe(1);
    const invitation = await Invitation.findOne({ state: 'answered' }).lean();
    expect(invitation?.unsubscribedAt).toBeInstanceOf(Date);
    expect(await ResponseModel.countDocuments({ invitationId: String(invitation?._id) })).toBe(1);
  });
});

