/**
 * CSRF on every staff form: each write route outside the customer links (/s, /u) and the
 * API (/api/v1, API key only) is enumerated from the router and sent its usual request by
 * someone allowed to send it, but without the session's token, with another session's
 * token, or with a forged one: each is refused with 403 and the database is left as it was.
 */
import request from 'supertest';
import { SAMPLES, type Sample } from '../helpers/access-samples';
import { databaseFingerprint, makeActor, seedAccessWorld, type Actor, type World } from '../helpers/access-world';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { listRoutes } from '../helpers/routes';
import { createStaff } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';
import { createUser } from '../../server/auth/users';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();

/** Outside the staff forms: the customer's secret links and the API, which take no session. */
const NOT_STAFF = /^\/(s|u|api)\//;
const STAFF_WRITES = listRoutes(app)
  .filter((r) => r.method !== 'GET' && !NOT_STAFF.test(r.path))
  .map((r) => `${r.method} ${r.path}`);
/** Forms an anonymous visitor sends: signing in, choosing a password from an invitation link. */
const ANONYMOUS_FORMS = new Set(['POST /login', 'POST /set-password']);

let world: World;
let admin: Actor;
let foreignToken: string;
let setPasswordToken: string;

beforeAll(async () => {
  world = await seedAccessWorld(app);
  admin = await makeActor(app, 'admin', world);
  foreignToken = (await makeActor(app, 'admin', world)).csrf;
  const invited = await createUser({ email: 'invited.csrf@example.com', name: 'Invited', role: 'quality', sites: [], locale: 'en' }, { type: 'system' });
  setPasswordToken = invited.setPasswordToken as string;
  // An account whose password the forged sign-in below would have been right for.
  await createStaff({ role: 'admin', email: 'csrf.victim@example.com' });
}, 60_000);

describe('CSRF on every staff form', () => {
  it('finds the staff forms through the router, each with a sample request', () => {
    expect(STAFF_WRITES.length).toBeGreaterThan(25);
    expect(STAFF_WRITES).toEqual(expect.arrayContaining(['POST /logout', 'POST /account/password', 'POST /reports/comments/:id/handled', 'POST /admin/users']));
    expect(STAFF_WRITES.filter((key) => !(key in SAMPLES))).toEqual([]);
  });

  it.each(STAFF_WRITES)('%s refuses a request without the session’s token and changes nothing', async (key) => {
    const sample = SAMPLES[key] as Sample;
    const built = sample.body ? await sample.body({ world, admin }) : {};
    const { _csrf: _dropped, ...body } = built as Record<string, unknown>;
    if (key === 'POST /login') Object.assign(body, { email: 'csrf.victim@example.com', password: 'correct horse battery staple' });
    if (key === 'POST /set-password') Object.assign(body, { token: setPasswordToken });
    const sender = ANONYMOUS_FORMS.has(key) ? await makeActor(app, 'anonymous', world) : admin;
    const url = sample.url(world, 'admin');

    const before = await databaseFingerprint();
    const statuses: number[] = [];
    // No token, another session's token, a forged one of the right length.
    for (const token of [undefined, foreignToken, 'x'.repeat(admin.csrf.length)]) {
      const res = await sender.agent.post(url).type('form').set('Accept-Language', 'en').send(token === undefined ? body : { ...body, _csrf: token });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([403, 403, 403]);
    expect(await databaseFingerprint()).toEqual(before);
    // Nobody was signed in or out either.
    expect((await sender.agent.get('/account')).status).toBe(ANONYMOUS_FORMS.has(key) ? 303 : 200);
  });

  it('keeps the invitation link usable after the forged attempts', async () => {
    expect((await request(app).get(`/set-password?token=${setPasswordToken}`)).status).toBe(200);
  });
});
