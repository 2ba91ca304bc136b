import request from 'supertest';
import { AuditEntry } from '../../server/audit/model';
import { User } from '../../server/auth/user-model';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { createStaff, csrfFrom, loginAs, signIn } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp({ env: { PUBLIC_URL: 'http://feedback.example.com' } });

/** The set-password link shown once on the page after an invitation. */
function linkIn(html: string): string {
  const match = /value="http:\/\/feedback\.example\.com(\/set-password\?token(?:=|&#x3D;)[^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no set-password link in the page');
  return match[1].replace('&#x3D;', '=');
}

async function invite(admin: Awaited<ReturnType<typeof loginAs>>, body: Record<string, unknown>) {
  return admin.agent.post('/admin/users').type('form').send({ _csrf: await admin.csrf(), ...body });
}

describe('inviting a user', () => {
  it('creates the account, shows its set-password link once, and the link lets them choose a password', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const created = await invite(admin, { email: 'Lea.Martin@Example.com', name: 'Léa Martin', role: 'quality', sites: 'abv, CAS', locale: 'fr' });
    expect(created.status).toBe(303);
    const stored = await User.findOne({ email: 'lea.martin@example.com' }).lean();
    expect(stored).toMatchObject({ role: 'quality', sites: ['ABV', 'CAS'], locale: 'fr', passwordHash: null, disabled: false });
    expect(created.headers.location).toBe(`/admin/users/${String(stored?._id)}`);

    const page = await admin.agent.get(created.headers.location);
    expect(page.text).toContain('The account is created.');
    const link = linkIn(page.text);
    // Only the token's hash is stored, and the link is not shown again.
    const token = new URL(link, 'https://x').searchParams.get('token') ?? '';
    expect(JSON.stringify(stored)).not.toContain(token);
    expect((await admin.agent.get(created.headers.location)).text).not.toContain(token);

    const visitor = request.agent(app);
    const form = await visitor.get(link).set('Accept-Language', 'fr');
    expect(form.status).toBe(200);
    expect(form.text).toContain('Choisissez votre mot de passe');
    const short = await visitor.post('/set-password').type('form').send({ _csrf: csrfFrom(form.text), token, password: 'short', confirm: 'short' });
    expect(short.status).toBe(422);
    expect(short.text).toContain('Utilisez au moins 12 caractères.');
    const set = await visitor.post('/set-password').type('form').send({ _csrf: csrfFrom(form.text), token, password: 'une phrase assez longue', confirm: 'une phrase assez longue' });
    expect(set.status).toBe(303);
    expect(set.headers.location).toBe('/login?notice=set');
    expect((await User.findOne({ email: 'lea.martin@example.com' }).lean())?.setPassword).toBeNull();
    await signIn(app, 'lea.martin@example.com', 'une phrase assez longue');

    const again = await request(app).get(link).set('Accept-Language', 'en');
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link can no longer be used');
  });

  it('refuses a link after 7 days', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const created = await invite(admin, { email: 'late@example.com', role: 'quality' });
    const link = linkIn((await admin.agent.get(created.headers.location)).text);
    await User.updateOne({ email: 'late@example.com' }, { $set: { 'setPassword.expiresAt': new Date(Date.now() - 1000) } });
    expect((await request(app).get(link)).status).toBe(410);
  });

  it('re-renders the form with 422, a message beside each wrong field and the values kept', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const res = await invite(admin, { email: 'not-an-email', name: 'Kept Name', role: 'boss', sites: 'ABV, x' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter an email address such as name@example.com.');
    expect(res.text).toContain('Choose a role.');
    expect(res.text).toContain('Site codes are 2 to 10 capital letters or digits');
    expect(res.text).toContain('value="not-an-email"');
    expect(res.text).toContain('value="Kept Name"');
    expect(res.text).toContain('value="ABV, x"');
    expect(res.text).toMatch(/id="email"[^>]*aria-describedby="email-error"/);
    expect(res.text).toMatch(/<fieldset[^>]*aria-describedby="role-error"/);
    expect(await User.countDocuments({ email: 'not-an-email' })).toBe(0);
  });

  it('answers 409 beside the email when an account already uses it', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const existing = await createStaff({ role: 'quality' });
    const res = await invite(admin, { email: existing.email.toUpperCase(), role: 'quality' });
    expect(res.status).toBe(409);
    expect(res.text).toMatch(/id="email-error">An account already uses this email address./);
  });
});

describe('changing a user', () => {
  it('saves role, sites and language, and audits before and after', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const target = await createStaff({ role: 'quality', sites: ['ABV'] });
    const res = await admin.agent
      .post(`/admin/users/${target.user.id}`)
      .type('form')
      .send({ _csrf: await admin.csrf(), name: 'New Name', role: 'quality', sites: ['DRX', 'CAS'], locale: 'fr' });
    expect(res.status).toBe(303);
    expect((await admin.agent.get(res.headers.location)).text).toContain('Changes saved.');
    expect(await User.findById(target.user.id).lean()).toMatchObject({ name: 'New Name', sites: ['CAS', 'DRX'], locale: 'fr' });
    const entry = await AuditEntry.findOne({ action: 'user.update', 'target.id': target.user.id }).lean();
    expect(entry?.actor).toMatchObject({ type: 'user', id: admin.user.id, label: admin.user.email });
    expect(entry?.before).toMatchObject({ sites: ['ABV'] });
    expect(entry?.after).toMatchObject({ sites: ['CAS', 'DRX'], name: 'New Name' });
    expect(JSON.stringify(entry)).not.toMatch(/passwordHash|scrypt/);
  });

  it('disables an account: its open session ends at the next request, and enabling restores sign-in', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const lead = await loginAs(app, { role: 'quality' });
    expect((await lead.agent.get('/account')).status).toBe(200);
    const res = await admin.agent.post(`/admin/users/${lead.user.id}/disable`).type('form').send({ _csrf: await admin.csrf() });
    expect(res.status).toBe(303);
    expect((await lead.agent.get('/account')).status).toBe(303);
    expect(await AuditEntry.countDocuments({ action: 'user.disable', 'target.id': lead.user.id })).toBe(1);
    await admin.agent.post(`/admin/users/${lead.user.id}/enable`).type('form').send({ _csrf: await admin.csrf() });
    expect((await User.findById(lead.user.id).lean())?.disabled).toBe(false);
  });

  it('will not let the last active admin disable or demote themselves', async () => {
    await User.updateMany({ role: 'admin' }, { $set: { disabled: true } });
    const admin = await loginAs(app, { role: 'admin' });
    const disable = await admin.agent.post(`/admin/users/${admin.user.id}/disable`).type('form').set('Accept-Language', 'en').send({ _csrf: await admin.csrf() });
    expect(disable.status).toBe(409);
    expect(disable.text).toContain('Retour needs at least one active administrator, and this is the last one.');
    const demote = await admin.agent.post(`/admin/users/${admin.user.id}`).type('form').send({ _csrf: await admin.csrf(), role: 'quality', locale: 'en' });
    expect(demote.status).toBe(409);
    expect(await User.findById(admin.user.id).lean()).toMatchObject({ role: 'admin', disabled: false });
    // With a second active admin, stepping down is allowed.
    await createStaff({ role: 'admin' });
    const stepDown = await admin.agent.post(`/admin/users/${admin.user.id}`).type('form').send({ _csrf: await admin.csrf(), role: 'quality', locale: 'en' });
    expect(stepDown.status).toBe(303);
  });

  it('gives a new set-password link on request', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    const target = await createStaff({ role: 'quality' });
    const res = await admin.agent.post(`/admin/users/${target.user.id}/link`).type('form').send({ _csrf: await admin.csrf() });
    const link = linkIn((await admin.agent.get(res.headers.location)).text);
    expect((await request(app).get(link)).status).toBe(200);
  });

  it('answers 404 for an unknown user', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    expect((await admin.agent.get('/admin/users/0123456789abcdef01234567')).status).toBe(404);
    expect((await admin.agent.get('/admin/users/not-an-id')).status).toBe(404);
  });

  it('lists every account with its role, sites and state', async () => {
    const admin = await loginAs(app, { role: 'admin' });
    await createStaff({ role: 'quality', sites: ['ABV', 'CAS'], email: 'listed@example.com' });
    const page = await admin.agent.get('/admin/users').set('Accept-Language', 'en');
    expect(page.text).toContain('listed@example.com');
    expect(page.text).toContain('<td>ABV, CAS</td>');
    expect(page.text).toContain('Quality lead');
  });
});

describe('changing one’s own password', () => {
  it('needs the current password and 12 characters, and keeps nothing typed', async () => {
    const lead = await loginAs(app, { role: 'quality' });
    const wrong = await lead.agent.post('/account/password').type('form').send({ _csrf: await lead.csrf(), current: 'not it at all', password: 'a brand new passphrase', confirm: 'a brand new passphrase' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('The current password is not correct.');
    expect(wrong.text).not.toContain('a brand new passphrase');
    const short = await lead.agent.post('/account/password').type('form').send({ _csrf: await lead.csrf(), current: 'correct horse battery staple', password: 'short', confirm: 'other' });
    expect(short.status).toBe(422);
    expect(short.text).toContain('Use at least 12 characters.');
    expect(short.text).toContain('The two passwords are not the same.');
  });

  it('changes it, keeps this session and ends the others', async () => {
    const { email, password, user } = await createStaff({ role: 'quality' });
    const here = await signIn(app, email, password);
    const elsewhere = await signIn(app, email, password);
    const form = await here.get('/account/password');
    const res = await here.post('/account/password').type('form').send({ _csrf: csrfFrom(form.text), current: password, password: 'a brand new passphrase', confirm: 'a brand new passphrase' });
    expect(res.status).toBe(303);
    const account = await here.get('/account');
    expect(account.status).toBe(200);
    expect(account.text).toContain('Your password is changed. Your other sessions are signed out.');
    expect((await elsewhere.get('/account')).status).toBe(303);
    await signIn(app, email, 'a brand new passphrase');
    expect(await AuditEntry.countDocuments({ action: 'user.password', 'target.id': user.id })).toBe(1);
  });
});
