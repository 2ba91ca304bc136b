/**
 * Cookies along a whole staff journey (login page, sign-in, a staff page, sign-out) and a
 * customer's survey page: every cookie the app sets is HttpOnly and SameSite, and Secure
 * when PUBLIC_URL is https and the request came through HTTPS at a trusted proxy — never on
 * plain HTTP in development. The session id is destroyed at sign-out, server-side.
 */
import type { Express } from 'express';
import request from 'supertest';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { createStaff, csrfFrom } from '../helpers/staff';
import { seedSurveyWorld, surveyLink } from '../helpers/survey';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const HTTPS = { PUBLIC_URL: 'https://feedback.example.com', TRUST_PROXY: 'loopback' };

/**
 * A browser by hand: keeps cookies itself (Supertest's jar would hold back Secure cookies
 * from an http:// test address) and records every Set-Cookie header it receives.
 */
function browser(app: Express, headers: Record<string, string> = {}) {
  const jar = new Map<string, string>();
  const received: string[] = [];
  const keep = (res: request.Response) => {
    for (const line of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
      received.push(line);
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const expired = /Expires=Thu, 01 Jan 1970/i.test(line) || /Max-Age=0/i.test(line);
      if (expired) jar.delete(pair.slice(0, eq));
      else jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return res;
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  return {
    jar,
    received,
    get: async (url: string) => keep(await request(app).get(url).set({ ...headers, Cookie: cookie() })),
    post: async (url: string, form: object) => keep(await request(app).post(url).set({ ...headers, Cookie: cookie() }).type('form').send(form)),
  };
}

async function staffJourney(b: ReturnType<typeof browser>) {
  const { email, password } = await createStaff({ role: 'quality' });
  const login = await b.get('/login?lang=en');
  const signedIn = await b.post('/login', { _csrf: csrfFrom(login.text), email, password });
  expect(signedIn.status).toBe(303);
  const sessionId = b.jar.get('retour.sid');
  const account = await b.get('/account');
  expect(account.status).toBe(200);
  const out = await b.post('/logout', { _csrf: csrfFrom(account.text) });
  expect(out.headers.location).toBe('/login?notice=out');
  return { sessionId };
}

beforeAll(async () => {
  await seedSurveyWorld();
});

describe('behind an HTTPS proxy it trusts, with an https PUBLIC_URL', () => {
  const { app } = createTestApp({ env: HTTPS });

  it('sets every cookie HttpOnly, SameSite=Lax and Secure, on staff and customer pages', async () => {
    const staff = browser(app, { 'X-Forwarded-Proto': 'https' });
    await staffJourney(staff);
    const customer = browser(app, { 'X-Forwarded-Proto': 'https' });
    expect((await customer.get(`/s/${(await surveyLink()).token}?lang=en`)).status).toBe(200);
    const cookies = [...staff.received, ...customer.received];
    expect(cookies.map((c) => c.split('=')[0])).toEqual(expect.arrayContaining(['lang', 'retour.sid']));
    for (const cookie of cookies) {
      expect([cookie, /;\s*HttpOnly/i.test(cookie), /;\s*SameSite=(Lax|Strict)/i.test(cookie), /;\s*Secure/i.test(cookie)]).toEqual([cookie, true, true, true]);
    }
  });

  it('never sends the session cookie over plain HTTP', async () => {
    const sid = (b: ReturnType<typeof browser>) => b.received.some((c) => c.startsWith('retour.sid='));
    const secure = browser(app, { 'X-Forwarded-Proto': 'https' });
    await secure.get('/login?lang=en');
    expect(sid(secure)).toBe(true);
    const plain = browser(app);
    await plain.get('/login?lang=en');
    expect(sid(plain)).toBe(false);
  });
});

describe('on plain HTTP in development', () => {
  const { app } = createTestApp({ env: { NODE_ENV: 'development' } });

  it('sets every cookie HttpOnly and SameSite=Lax but not Secure, whatever an untrusted proxy header says', async () => {
    const b = browser(app, { 'X-Forwarded-Proto': 'https' });
    await staffJourney(b);
    expect(b.received.map((c) => c.split('=')[0])).toEqual(expect.arrayContaining(['lang', 'retour.sid']));
    for (const cookie of b.received) {
      expect([cookie, /;\s*HttpOnly/i.test(cookie), /;\s*SameSite=Lax/i.test(cookie), /;\s*Secure/i.test(cookie)]).toEqual([cookie, true, true, false]);
    }
  });

  it('destroys the session at sign-out: its id, replayed, is not signed in', async () => {
    const b = browser(app);
    const { sessionId } = await staffJourney(b);
    expect(sessionId).toBeDefined();
    expect(b.jar.has('retour.sid')).toBe(false);
    const replay = await request(app).get('/account').set('Cookie', `retour.sid=${sessionId}`);
    expect(replay.status).toBe(303);
    expect(replay.headers.location).toBe('/login?next=%2Faccount');
  });
});
