import request from 'supertest';
import { SessionRecord } from '../../server/auth/session-store';
import { User } from '../../server/auth/user-model';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { createStaff, csrfFrom, signIn } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();

function sessionCookie(res: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith('retour.sid='));
}

async function loginPage(agent = request.agent(app), lang = 'en') {
  const page = await agent.get(`/login?lang=${lang}`);
  return { agent, page, csrf: csrfFrom(page.text) };
}

describe('GET /login', () => {
  it('shows a labelled sign-in form in French and in English', async () => {
    const fr = await request(app).get('/login').set('Accept-Language', 'fr');
    expect(fr.status).toBe(200);
    expect(fr.text).toContain('<h1>Se connecter</h1>');
    expect(fr.text).toMatch(/<label for="email">Adresse e-mail<\/label>/);
    expect(fr.text).toMatch(/<label for="password">Mot de passe<\/label>/);
    expect(fr.text).toMatch(/<input type="hidden" name="_csrf" value="[^"]{20,}">/);
    const en = await request(app).get('/login').set('Accept-Language', 'en');
    expect(en.text).toContain('<h1>Sign in</h1>');
    expect(en.text).toMatch(/autocomplete="current-password"/);
    expect(en.text).not.toMatch(/<script|\sstyle=/);
  });
});

describe('POST /login', () => {
  it('signs in, sets an HttpOnly SameSite=Lax session cookie and goes to the page asked for', async () => {
    const { email, password } = await createStaff({ role: 'quality' });
    const { agent, csrf } = await loginPage();
    const res = await agent.post('/login').type('form').send({ _csrf: csrf, email, password, next: '/account/password?x=1' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/account/password?x=1');
    const cookie = sessionCookie(res) ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Expires=/);
    const account = await agent.get('/account');
    expect(account.status).toBe(200);
    expect(account.text).toContain(email);
    const user = await User.findOne({ email }).lean();
    expect(user?.lastLoginAt).toBeInstanceOf(Date);
  });

  it('accepts the email in any case and with spaces around it', async () => {
    const { email, password } = await createStaff({ role: 'quality' });
    const { agent, csrf } = await loginPage();
    const res = await agent.post('/login').type('form').send({ _csrf: csrf, email: `  ${email.toUpperCase()} `, password });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/reports');
  });

  it.each([
    ['https://evil.example/phish'],
    ['//evil.example/phish'],
    ['/\\evil.example'],
    ['javascript:alert(1)'],
  ])('ignores a next of %s and stays on Retour', async (next) => {
    const { email, password } = await createStaff({ role: 'quality' });
    const { agent, csrf } = await loginPage();
    const res = await agent.post('/login').type('form').send({ _csrf: csrf, email, password, next });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/reports');
  });

  it('says the same thing for an unknown email and a wrong password, and keeps the email typed', async () => {
    const { email } = await createStaff({ role: 'admin' });
    const { agent, csrf } = await loginPage();
    const wrong = await agent.post('/login').type('form').send({ _csrf: csrf, email, password: 'not the password at all' });
    const unknown = await agent.post('/login').type('form').send({ _csrf: csrf, email: 'nobody@example.com', password: 'not the password at all' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toContain('Email or password is incorrect.');
    expect(unknown.text).toContain('Email or password is incorrect.');
    expect(wrong.text).toContain(`value="${email}"`);
    expect(wrong.text).not.toContain('not the password at all');
  });

  it('refuses a disabled account with the same message', async () => {
    const { email, password } = await createStaff({ role: 'quality' });
    await User.updateOne({ email }, { $set: { disabled: true } });
    const { agent, csrf } = await loginPage();
    const res = await agent.post('/login').type('form').send({ _csrf: csrf, email, password });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Email or password is incorrect.');
  });

  it('answers 422 with a message beside each empty field', async () => {
    const { agent, csrf } = await loginPage();
    const res = await agent.post('/login').type('form').send({ _csrf: csrf, email: '', password: '' });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/<p class="field-error" id="email-error">Enter your email address.<\/p>/);
    expect(res.text).toMatch(/id="email"[^>]*aria-invalid="true" aria-describedby="email-error"/);
    expect(res.text).toContain('Enter your password.');
  });

  it('gives a new session id at sign-in, and the id from before is not signed in', async () => {
    const { email, password } = await createStaff({ role: 'admin' });
    const { agent, page, csrf } = await loginPage();
    const before = sessionCookie(page)?.split(';')[0];
    expect(before).toBeDefined();
    const res = await agent.post('/login').type('form').send({ _csrf: csrf, email, password });
    const after = sessionCookie(res)?.split(';')[0];
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    // Someone holding the old id (fixation) gets the login page, not the account.
    const replay = await request(app).get('/account').set('Cookie', before ?? '');
    expect(replay.status).toBe(303);
    expect(replay.headers.location).toBe('/login?next=%2Faccount');
  });
});

describe('sessions', () => {
  it('end after 2 hours without activity', async () => {
    const { email, password } = await createStaff({ role: 'quality' });
    const agent = await signIn(app, email, password);
    expect((await agent.get('/account')).status).toBe(200);
    await SessionRecord.updateMany({}, { $set: { expires: new Date(Date.now() - 1000) } });
    const res = await agent.get('/account');
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/login\?next=/);
  });

  it('end 12 hours after sign-in even when active', async () => {
    const { email, password } = await createStaff({ role: 'quality' });
    const agent = await signIn(app, email, password);
    const records = await SessionRecord.find().lean();
    for (const record of records) {
      const data = JSON.parse(record.data) as { userId?: string; absoluteExpiresAt?: number };
      if (!data.userId) continue;
      data.absoluteExpiresAt = Date.now() - 1000;
      await SessionRecord.updateOne({ _id: record._id }, { $set: { data: JSON.stringify(data) } });
    }
    const res = await agent.get('/account');
    expect(res.status).toBe(303);
  });

  it('are kept in the database with an expiry, refreshed by activity', async () => {
    const { email, password } = await createStaff({ role: 'quality' });
    const agent = await signIn(app, email, password);
    const [first] = await SessionRecord.find({ data: { $regex: 'userId' } }).sort({ expires: -1 }).limit(1).lean();
    expect(first?.expires.getTime()).toBeGreaterThan(Date.now() + 3600 * 1000);
    await new Promise((r) => setTimeout(r, 20));
    await agent.get('/account');
    const again = await SessionRecord.findById(first?._id).lean();
    expect(again?.expires.getTime()).toBeGreaterThan(first?.expires.getTime() ?? 0);
  });
});

describe('POST /logout', () => {
  it('ends the session in the database and goes to the login page', async () => {
    const { email, password } = await createStaff({ role: 'quality' });
    const agent = await signIn(app, email, password);
    const account = await agent.get('/account');
    const count = await SessionRecord.countDocuments();
    const res = await agent.post('/logout').type('form').send({ _csrf: csrfFrom(account.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?notice=out');
    expect(await SessionRecord.countDocuments()).toBe(count - 1);
    const after = await agent.get('/login?notice=out&lang=en');
    expect(after.text).toContain('You are signed out.');
    expect((await agent.get('/account')).status).toBe(303);
    // Only the notices it knows: an inherited name such as constructor is none.
    const odd = await agent.get('/login?notice=constructor&lang=en');
    expect(odd.status).toBe(200);
    expect(odd.text).not.toContain('You are signed out.');
  });
});

describe('the staff navigation', () => {
  it('shows admins every settings page and quality leads none of them', async () => {
    const admin = await createStaff({ role: 'admin' });
    const adminAgent = await signIn(app, admin.email, admin.password);
    const adminPage = await adminAgent.get('/account');
    for (const href of ['/admin/templates', '/admin/sites', '/admin/queues', '/admin/calls', '/admin/users', '/admin/api-keys', '/admin/audit', '/admin/outbox']) {
      expect(adminPage.text).toContain(`href="${href}"`);
    }
    const lead = await createStaff({ role: 'quality' });
    const leadPage = await (await signIn(app, lead.email, lead.password)).get('/account');
    expect(leadPage.text).toContain('href="/account"');
    expect(leadPage.text).not.toContain('href="/admin/');
    expect(leadPage.text).toMatch(/<form class="inline-form" method="post" action="\/logout">/);
  });

  it('is in the user’s language, which the language switch changes for good', async () => {
    const { email, password } = await createStaff({ role: 'quality', locale: 'fr' });
    const agent = await signIn(app, email, password);
    const fr = await agent.get('/account').set('Accept-Language', 'en');
    expect(fr.text).toContain('<html lang="fr">');
    expect(fr.text).toContain('Mon compte');
    await agent.get('/account?lang=en');
    const en = await agent.get('/account').set('Accept-Language', 'fr');
    expect(en.text).toContain('<html lang="en">');
    expect((await User.findOne({ email }).lean())?.locale).toBe('en');
  });

  it('follows a language picked on the login page', async () => {
    const { email, password } = await createStaff({ role: 'quality', locale: 'fr' });
    const { agent, csrf } = await loginPage(request.agent(app), 'en');
    await agent.post('/login').type('form').send({ _csrf: csrf, email, password });
    expect((await agent.get('/account')).text).toContain('<html lang="en">');
    expect((await User.findOne({ email }).lean())?.locale).toBe('en');
  });
});
