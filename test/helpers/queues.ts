/**
 * The common ground of the queue tests (with useTestDatabase()): the app, an API key,
 * the default survey template, four sites (CAS, ABV, DRX, and OLD inactive), the survey
 * form at its defaults, and an admin who created a queue through the form.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { loadSurveyTemplates } from '../../server/templates';
import { createTestApp } from './app';
import { createApiKey, loginAs } from './staff';

/** The survey settings fields of the queue forms, at their defaults. */
export const FORM_DEFAULTS = {
  template: 'post-call',
  delayMinutes: '30',
  samplingPercent: '100',
  quarantineDays: '30',
  quietHours: 'on',
  quietStart: '20:00',
  quietEnd: '09:00',
  expiryDays: '7',
  reminderDays: '3',
  minPerAgentPerWeek: '0',
};

/** Midnight on 2020-01-01 in Casablanca (UTC+1), when adminWithQueue() queues begin. */
export const SINCE = new Date('2019-12-31T23:00:00Z');

/** A date (YYYY-MM-DD) a year from now: a move there is scheduled. */
export const inOneYear = () => new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);

/** Call at the top of a test file, after useTestDatabase(). */
export function queueTestKit() {
  const { app } = createTestApp();
  let key = '';
  const api = {
    get: (path: string) => request(app).get(path).set('Authorization', `Bearer ${key}`),
    put: (path: string, body: object) => request(app).put(path).set('Authorization', `Bearer ${key}`).send(body),
  };

  beforeAll(async () => {
    // The default survey (surveys/post-call.json), as at start-up: queues may only use published templates.
    await loadSurveyTemplates();
    key = await createApiKey('telephony');
    await api.put('/api/v1/sites/CAS', { name: 'Casablanca', country: 'MA', timezone: 'Africa/Casablanca', locale: 'fr' });
    await api.put('/api/v1/sites/ABV', { name: 'Abbeville', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' });
    await api.put('/api/v1/sites/DRX', { name: 'Dreux', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' });
    await api.put('/api/v1/sites/OLD', { name: 'Closed', country: 'FR', timezone: 'Europe/Paris', locale: 'fr', active: false });
  });

  /** An admin who created `code` ("Queue <code>") at CAS since 2020-01-01 through the form. */
  async function adminWithQueue(code: string, extra: Record<string, string> = {}) {
    const admin = await loginAs(app, { role: 'admin' });
    const res = await admin.agent
      .post('/admin/queues')
      .type('form')
      .send({ _csrf: await admin.csrf('/admin/queues/new'), code, name: `Queue ${code}`, site: 'CAS', since: '2020-01-01', ...FORM_DEFAULTS, ...extra });
    if (res.status !== 303) throw new Error(`creating queue ${code} answered ${res.status}`);
    return admin;
  }

  return {
    app,
    api,
    adminWithQueue,
    queues: () => mongoose.connection.collection('queues'),
    audit: () => mongoose.connection.collection('auditentries'),
  };
}
