/**
 * The outbox transport (no SMTP_URL): sending keeps the message in MongoDB, GET
 * /api/v1/outbox lists kept messages for API keys, and the admin pages list them (paged),
 * show one with its links, and serve its HTML part under a CSP without scripts.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { buildInvitationEmail, createMailer, listOutbox } from '../../server/mail';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { createApiKey, loginAs } from '../helpers/staff';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

// Plain http: with an https PUBLIC_URL cookies are Secure and Supertest's agents would drop them.
const { app, config, logger } = createTestApp({ env: { PUBLIC_URL: 'http://feedback.example.com', MAIL_FROM: 'Retour <surveys@example.com>' } });
const outbox = () => mongoose.connection.collection('outboxmessages');
const mailer = createMailer(config, logger);

function invitationEmail(to: string, token: string, locale: 'fr' | 'en' = 'en') {
  return buildInvitationEmail(
    { to, token, locale, siteName: 'Dreux', questionLabel: 'Did you get the information you needed?', expiresAt: new Date('2026-12-01T10:00:00Z'), kind: 'invitation' },
    config,
  );
}

let key: string;
beforeAll(async () => {
  key = await createApiKey('outbox reader');
});

describe('the outbox transport', () => {
  it('is chosen when SMTP_URL is not set, and keeps each message with its headers', async () => {
    expect(mailer.kind).toBe('outbox');
    const { messageId } = await mailer.send(invitationEmail('first@example.com', 'tok-first'));
    const stored = await outbox().findOne({ _id: new mongoose.Types.ObjectId(messageId) });
    expect(stored).toMatchObject({
      from: 'Retour <surveys@example.com>',
      to: 'first@example.com',
      subject: 'One question about your recent call',
      tag: 'invitation',
      headers: { 'List-Unsubscribe': '<http://feedback.example.com/u/tok-first>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
    expect(stored?.text).toContain('Yes: http://feedback.example.com/s/tok-first?a=info:yes');
    expect(stored?.html).toContain('<html lang="en">');
    expect(stored?.createdAt).toBeInstanceOf(Date);
  });

  it('lists messages newest first, at most `limit`, and before a date', async () => {
    await mailer.send(invitationEmail('second@example.com', 'tok-second'));
    await mailer.send(invitationEmail('third@example.com', 'tok-third'));
    const newest = await listOutbox({ limit: 2 });
    expect(newest.map((m) => m.to)).toEqual(['third@example.com', 'second@example.com']);
    const older = await listOutbox({ before: newest[1]!.createdAt });
    expect(older.map((m) => m.to)).not.toContain('second@example.com');
    expect(older.map((m) => m.to)).toContain('first@example.com');
  });
});

describe('GET /api/v1/outbox', () => {
  it('answers 401 without an API key', async () => {
    const res = await request(app).get('/api/v1/outbox');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  it('lists kept messages newest first with to, subject, text, html and createdAt', async () => {
    const res = await request(app).get('/api/v1/outbox').set('Authorization', `Bearer ${key}`);
    expect(res.status).toBe(200);
    const [latest] = res.body.messages;
    expect(latest).toMatchObject({ to: 'third@example.com', subject: 'One question about your recent call' });
    expect(latest.text).toContain('http://feedback.example.com/u/tok-third');
    expect(latest.html).toContain('Take the full survey');
    expect(new Date(latest.createdAt).getTime()).not.toBeNaN();
    expect(latest.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });

  it('honours limit, and refuses a limit above 200 with 422', async () => {
    const one = await request(app).get('/api/v1/outbox?limit=1').set('Authorization', `Bearer ${key}`);
    expect(one.status).toBe(200);
    expect(one.body.messages).toHaveLength(1);
    const tooMany = await request(app).get('/api/v1/outbox?limit=201').set('Authorization', `Bearer ${key}`);
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.details[0]).toMatchObject({ location: 'query', field: 'limit' });
  });
});

describe('the admin outbox pages', () => {
  it('send someone not signed in to the login page and refuse a quality lead', async () => {
    const anonymous = await request(app).get('/admin/outbox');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Fadmin%2Foutbox');
    const { agent } = await loginAs(app, { role: 'quality' });
    expect((await agent.get('/admin/outbox')).status).toBe(403);
    const [message] = await listOutbox({ limit: 1 });
    expect((await agent.get(`/admin/outbox/${message!.id}/html`)).status).toBe(403);
  });

  it('list kept emails newest first for an admin, in their language', async () => {
    const { agent } = await loginAs(app, { role: 'admin', locale: 'fr' });
    const res = await agent.get('/admin/outbox?lang=fr');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Boîte d’envoi</h1>');
    expect(res.text.indexOf('third@example.com')).toBeLessThan(res.text.indexOf('second@example.com'));
    expect(res.text).toContain('Invitation');
  });

  it('page through more than 25 emails', async () => {
    for (let i = 0; i < 25; i += 1) await mailer.send({ to: `bulk-${i}@example.com`, subject: `Bulk ${i}`, text: 'x', html: '<p>x</p>' });
    const { agent } = await loginAs(app, { role: 'admin' });
    const first = await agent.get('/admin/outbox?lang=en');
    expect(first.text).toContain('Page 1 of 2');
    expect(first.text).toContain('href="/admin/outbox?page&#x3D;2"');
    expect(first.text).toContain('bulk-24@example.com');
    expect(first.text).not.toContain('first@example.com');
    const second = await agent.get('/admin/outbox?page=2&lang=en');
    expect(second.text).toContain('Page 2 of 2');
    expect(second.text).toContain('first@example.com');
    expect(second.text).toContain('href="/admin/outbox"');
  });

  it('show one email: envelope, plain text and its working links', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const [message] = (await listOutbox({ limit: 50 })).filter((m) => m.to === 'second@example.com');
    const res = await agent.get(`/admin/outbox/${message!.id}?lang=en`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>One question about your recent call</h1>');
    expect(res.text).toContain('second@example.com');
    expect(res.text).toContain('href="http://feedback.example.com/s/tok-second?a&#x3D;info:yes"');
    expect(res.text).toContain('href="http://feedback.example.com/u/tok-second"');
    expect(res.text).toContain(`href="/admin/outbox/${message!.id}/html"`);
    expect(res.text).toContain('List-Unsubscribe-Post');
  });

  it('serve the HTML part alone under a CSP that allows no script and no remote content', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    const [message] = (await listOutbox({ limit: 50 })).filter((m) => m.to === 'second@example.com');
    const res = await agent.get(`/admin/outbox/${message!.id}/html`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'unsafe-inline'/);
    expect(res.headers['content-security-policy']).toContain('sandbox');
    expect(res.text).toContain('<html lang="en">');
  });

  it('answer 404 for an unknown or malformed id', async () => {
    const { agent } = await loginAs(app, { role: 'admin' });
    expect((await agent.get(`/admin/outbox/${new mongoose.Types.ObjectId().toString()}`)).status).toBe(404);
    expect((await agent.get('/admin/outbox/not-an-id/html')).status).toBe(404);
  });
});
