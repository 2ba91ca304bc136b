/**
 * Unsubscribing from survey emails: GET /u/:token asks (and changes nothing), POST — from
 * the page or a mail client's RFC 8058 one-click — suppresses the address (as a hash only)
 * and stops the reminder, in the invitation's language with a switch to the other; an
 * unknown link is a 404 page.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { createInvitation } from '../../server/invitations';
import { hashEmail, isSuppressed } from '../../server/suppressions';
import { createTestApp } from '../helpers/app';
import { useTestDatabase } from '../helpers/database';
import { removeTempDirs } from '../helpers/tmp';

useTestDatabase();
afterAll(removeTempDirs);

const { app } = createTestApp();
const suppressions = () => mongoose.connection.collection('suppressions');
const invitations = () => mongoose.connection.collection('invitations');
const DAY = 86_400_000;

let calls = 0;
async function invite(email: string, locale: 'fr' | 'en', options: { expiresInDays?: number } = {}) {
  calls += 1;
  const now = Date.now();
  const sendAt = new Date(now - 2 * DAY);
  const expiresAt = new Date(now + (options.expiresInDays ?? 7) * DAY);
  const { id, token } = await createInvitation({
    callId: `unsub-call-${calls}`,
    externalId: `pbx-unsub-${calls}`,
    site: 'ABV',
    queue: 'business-support',
    customer: { email, name: 'Claire Dubois', locale },
    templateKey: 'post-call',
    sendAt,
    expiresAt,
    reminderAt: new Date(Math.min(now + DAY, expiresAt.getTime() - 1000)),
  });
  return { id: new mongoose.Types.ObjectId(id), token };
}

describe('GET /u/:token', () => {
  it('asks for confirmation in the invitation\'s language, showing the masked address, and changes nothing', async () => {
    const { id, token } = await invite('claire.dubois@example.fr', 'fr');
    const res = await request(app).get(`/u/${token}`).set('Accept-Language', 'en');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html lang="fr">');
    expect(res.text).toContain('Ne plus envoyer de questionnaire à c•••s@e•••.fr\u00a0?');
    expect(res.text).toContain(`<form method="post" action="/u/${token}?lang&#x3D;fr">`);
    expect(res.text).toContain('Me désinscrire</button>');
    expect(res.text).not.toContain('claire.dubois@example.fr');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(await isSuppressed('claire.dubois@example.fr')).toBeNull();
    expect(await invitations().findOne({ _id: id })).toMatchObject({ unsubscribedAt: null, reminderAt: expect.any(Date) });
  });

  it('offers the other language, and speaks it when asked', async () => {
    const { token } = await invite('lang@example.fr', 'fr');
    const page = await request(app).get(`/u/${token}`);
    expect(page.text).toContain(`href="/u/${token}?lang&#x3D;en"`);
    const res = await request(app).get(`/u/${token}?lang=en`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<html lang="en">');
    expect(res.text).toContain('Stop sending surveys to l•••g@e•••.fr?');
    expect(res.text).toContain(`action="/u/${token}?lang&#x3D;en"`);
  });

  it('speaks English to an English customer', async () => {
    const { token } = await invite('sam@example.co.uk', 'en');
    const res = await request(app).get(`/u/${token}`).set('Accept-Language', 'fr');
    expect(res.text).toContain('<html lang="en">');
    expect(res.text).toContain('Unsubscribe me</button>');
  });

  it('answers 404 with a page saying the link does not work, for an unknown or malformed token', async () => {
    const unknown = await request(app).get(`/u/${'A'.repeat(43)}`).set('Accept-Language', 'en');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('This link does not work');
    const malformed = await request(app).get('/u/nope').set('Accept-Language', 'fr');
    expect(malformed.status).toBe(404);
    expect(malformed.text).toContain('Ce lien ne fonctionne pas');
  });
});

describe('POST /u/:token', () => {
  it('suppresses the address, stops the reminder and confirms in the customer\'s language', async () => {
    const { id, token } = await invite('Unsub.Me@Example.fr', 'fr');
    const res = await request(app).post(`/u/${token}?lang=fr`).type('form').send({});
    expect(res.status).toBe(200);
    expect(res.text).toContain('Votre désinscription est enregistrée');
    expect(res.text).toContain('Vous ne recevrez plus aucun questionnaire à l’adresse U•••e@E•••.fr.');
    expect(await isSuppressed('unsub.me@example.fr')).toBe('unsubscribed');
    expect(await isSuppressed('  UNSUB.ME@EXAMPLE.FR ')).toBe('unsubscribed');
    const invitation = await invitations().findOne({ _id: id });
    expect(invitation).toMatchObject({ unsubscribedAt: expect.any(Date), reminderAt: null, state: 'scheduled' });
  });

  it('stores only a hash of the address, with the reason and the invitation as source', async () => {
    const { id, token } = await invite('hashed@example.fr', 'fr');
    await request(app).post(`/u/${token}`).type('form').send({});
    const stored = await suppressions().findOne({ hash: hashEmail('hashed@example.fr') });
    expect(stored).toMatchObject({ reason: 'unsubscribed', source: `invitation:${id.toString()}` });
    const everything = JSON.stringify(await suppressions().find().toArray());
    expect(everything).not.toContain('hashed@example.fr');
    expect(everything).not.toContain('@');
  });

  it('accepts a mail client\'s one-click POST (RFC 8058) without cookies or CSRF token, and answers 200, not a redirect', async () => {
    const { token } = await invite('oneclick@example.co.uk', 'en');
    const res = await request(app).post(`/u/${token}`).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('You will not receive any more surveys at o•••k@e•••.co.uk.');
    expect(await isSuppressed('oneclick@example.co.uk')).toBe('unsubscribed');
  });

  it('accepts the one-click POST as multipart/form-data too', async () => {
    const { token } = await invite('multipart@example.fr', 'fr');
    const res = await request(app).post(`/u/${token}`).field('List-Unsubscribe', 'One-Click');
    expect(res.status).toBe(200);
    expect(await isSuppressed('multipart@example.fr')).toBe('unsubscribed');
  });

  it('is idempotent: a second POST keeps one entry, and the page then says the address is unsubscribed', async () => {
    const { token } = await invite('twice@example.fr', 'fr');
    await request(app).post(`/u/${token}`).type('form').send({});
    const again = await request(app).post(`/u/${token}`).type('form').send({});
    expect(again.status).toBe(200);
    expect(await suppressions().countDocuments({ hash: hashEmail('twice@example.fr') })).toBe(1);
    const page = await request(app).get(`/u/${token}`);
    expect(page.text).toContain('Votre désinscription est enregistrée');
    expect(page.text).not.toContain('Me désinscrire');
  });

  it('still offers the survey while it can be answered, and not once it has expired', async () => {
    const open = await invite('open@example.co.uk', 'en');
    const answerable = await request(app).post(`/u/${open.token}`).type('form').send({});
    expect(answerable.text).toContain(`href="/s/${open.token}"`);
    expect(answerable.text).toContain('Answer the survey');

    const past = await invite('expired@example.co.uk', 'en');
    await invitations().updateOne({ _id: past.id }, { $set: { expiresAt: new Date(Date.now() - DAY) } });
    const expired = await request(app).post(`/u/${past.token}`).type('form').send({});
    expect(expired.status).toBe(200);
    expect(expired.text).not.toContain('Answer the survey');
    expect(await isSuppressed('expired@example.co.uk')).toBe('unsubscribed');
  });

  it('answers 404 for an unknown token and stores nothing', async () => {
    const before = await suppressions().countDocuments();
    const res = await request(app).post(`/u/${'B'.repeat(43)}`).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(404);
    expect(await suppressions().countDocuments()).toBe(before);
  });
});
