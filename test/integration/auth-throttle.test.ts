import request from 'supertest';
import { LIMITS, LoginThrottle } from '../../server/auth/throttle';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { createStaff, csrfFrom } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

// Trusting the loopback proxy lets each test speak from its own client address.
const { app } = createTestApp({ env: { TRUST_PROXY: 'loopback' } });

async function attempt(ip: string, email: string, password: string) {
  const agent = request.agent(app);
  const page = await agent.get('/login?lang=en').set('X-Forwarded-For', ip);
  return agent.post('/login').set('X-Forwarded-For', ip).type('form').send({ _csrf: csrfFrom(page.text), email, password });
}

describe('login throttling per account', () => {
  it('refuses the account for 15 minutes after 10 failures, even with the right password', async () => {
    const { email, password } = await createStaff({ role: 'admin' });
    for (let i = 0; i < LIMITS.account; i += 1) {
      expect((await attempt(`10.0.1.${i}`, email, 'wrong password, try again')).status).toBe(401);
    }
    const blocked = await attempt('10.0.1.200', email, password);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many attempts. Try again in 15 minutes.');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(15 * 60 - 30);
    expect(blocked.text).not.toContain('Email or password is incorrect.');
    const counter = await LoginThrottle.findById(`account:${email}`).lean();
    expect(counter?.failures).toBe(LIMITS.account);
  });

  it('answers an unknown email exactly like a known one, so nobody learns which accounts exist', async () => {
    const email = 'nobody-here@example.com';
    for (let i = 0; i < LIMITS.account; i += 1) await attempt(`10.0.2.${i}`, email, 'whatever password');
    const blocked = await attempt('10.0.2.200', email, 'whatever password');
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many attempts. Try again in 15 minutes.');
  });

  it('lets the account in again once the window is over, and a success clears the count', async () => {
    const { email, password } = await createStaff({ role: 'quality' });
    await LoginThrottle.create({ _id: `account:${email}`, failures: LIMITS.account, resetAt: new Date(Date.now() - 1000) });
    const res = await attempt('10.0.3.1', email, password);
    expect(res.status).toBe(303);
    expect(await LoginThrottle.findById(`account:${email}`).lean()).toBeNull();
  });

  it('says how many minutes are left, in French too', async () => {
    const { email, password } = await createStaff({ role: 'quality' });
    await LoginThrottle.create({ _id: `account:${email}`, failures: LIMITS.account, resetAt: new Date(Date.now() + 4 * 60_000 + 5_000) });
    const agent = request.agent(app);
    const page = await agent.get('/login?lang=fr').set('X-Forwarded-For', '10.0.4.1');
    const res = await agent.post('/login').set('X-Forwarded-For', '10.0.4.1').type('form').send({ _csrf: csrfFrom(page.text), email, password });
    expect(res.status).toBe(429);
    expect(res.text).toContain('Trop de tentatives. Réessayez dans 5 minutes.');
  });
});

describe('login throttling per client address', () => {
  it('refuses every account from an address after 50 failures, and not other addresses', async () => {
    const ip = '10.0.9.9';
    await LoginThrottle.create({ _id: `ip:${ip}`, failures: LIMITS.ip - 1, resetAt: new Date(Date.now() + 10 * 60_000) });
    expect((await attempt(ip, 'someone@example.com', 'a wrong password')).status).toBe(401);
    const { email, password } = await createStaff({ role: 'quality' });
    const blocked = await attempt(ip, email, password);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many attempts. Try again in 10 minutes.');
    expect((await attempt('10.0.9.10', email, password)).status).toBe(303);
  });
});
