import request from 'supertest';
import { ApiKey } from '../../server/auth/api-key-model';
import { SessionRecord } from '../../server/auth/session-store';
import { User } from '../../server/auth/user-model';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { createStaff, loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();

describe('CSRF protection', () => {
  it('refuses staff forms without the token, or with another session’s token, and changes nothing', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const other = await loginAs(app, { role: 'admin' });
    const foreign = await other.csrf();
    const target = await createStaff({ role: 'quality' });
    const users = await User.countDocuments();
    const posts: [string, Record<string, string>][] = [
      ['/admin/users', { email: 'csrf@example.com', role: 'quality' }],
      [`/admin/users/${target.user.id}`, { role: 'admin', name: 'Changed' }],
      [`/admin/users/${target.user.id}/disable`, {}],
      ['/admin/api-keys', { name: 'Sneaky' }],
      ['/account/password', { current: 'x', password: 'a new long password', confirm: 'a new long password' }],
    ];
    for (const [path, body] of posts) {
      for (const token of [undefined, foreign, 'x'.repeat(foreign.length)]) {
        const res = await admin.agent.post(path).type('form').set('Accept-Language', 'en').send(token ? { ...body, _csrf: token } : body);
        expect([path, res.status]).toEqual([path, 403]);
        expect(res.text).toContain('This form has expired or did not come from Retour.');
      }
    }
    expect(await User.countDocuments()).toBe(users);
    expect((await User.findById(target.user.id).lean())?.role).toBe('quality');
    expect((await User.findById(target.user.id).lean())?.disabled).toBe(false);
    expect(await ApiKey.countDocuments()).toBe(0);
  });

  it('accepts the token in the X-CSRF-Token header (for scripts)', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const res = await admin.agent.post('/admin/api-keys').set('X-CSRF-Token', await admin.csrf()).type('form').send({ name: 'From a script' });
    expect(res.status).toBe(303);
    expect(await ApiKey.countDocuments({ name: 'From a script' })).toBe(1);
  });

  it('answers JSON 403 for a script that sends JSON without the token', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const res = await admin.agent.post('/admin/api-keys').set('Accept', 'application/json').send({ name: 'json' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CSRF_REFUSED');
  });

  it('re-renders the login form with 403 when its token is missing, without signing in', async () => {
    const { email, password } = await createStaff({ role: 'admin' });
    const agent = request.agent(app);
    await agent.get('/login');
    const res = await agent.post('/login').type('form').set('Accept-Language', 'en').send({ email, password });
    expect(res.status).toBe(403);
    expect(res.text).toContain('The sign-in form expired. Please try again.');
    expect(res.text).toContain(`value="${email}"`);
    expect((await agent.get('/account')).status).toBe(303);
  });

  it('refuses sign-out without the token, so another site cannot sign staff out', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const sessions = await SessionRecord.countDocuments();
    expect((await admin.agent.post('/logout').type('form').send({})).status).toBe(403);
    expect(await SessionRecord.countDocuments()).toBe(sessions);
    expect((await admin.agent.get('/account')).status).toBe(200);
  });
});
