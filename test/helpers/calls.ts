/**
 * The common ground of the calls tests (with useTestDatabase()): the app, an API key,
 * the default survey template, two sites (ABV in Europe/Paris, CAS in Africa/Casablanca)
 * and queues made through the real API, plus a builder of call payloads.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { createQueue, queueByCode, updateQueue, type SurveySettings } from '../../server/queues';
import { loadSurveyTemplates } from '../../server/templates';
import { createTestApp } from './app';
import { createApiKey } from './staff';

let counter = 0;
const SYSTEM = { type: 'system' } as const;
/** When the kit's queues begin at their site. */
export const SINCE = new Date('2020-01-01T00:00:00Z');

/** A valid call payload; `overrides` replace top-level fields (customer is merged). */
export function makeCall(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  const { customer, ...rest } = overrides;
  return {
    externalId: `pbx-${process.pid}-${counter}`,
    endedAt: new Date(Date.now() - 60_000).toISOString(),
    queue: 'business-support',
    agent: 'a.martin',
    reason: 'billing',
    durationSec: 312,
    ...rest,
    customer: { email: `client${counter}@example.fr`, name: 'Claire Dubois', locale: 'fr', ...(customer as object | undefined) },
  };
}

/** Call at the top of a test file, after useTestDatabase(). */
export function callsTestKit() {
  const { app } = createTestApp();
  let key = '';
  const auth = () => `Bearer ${key}`;
  const api = {
    post: (body: unknown) => request(app).post('/api/v1/calls').set('Authorization', auth()).send(body as object),
    get: (path: string) => request(app).get(path).set('Authorization', auth()),
    put: (path: string, body: object) => request(app).put(path).set('Authorization', auth()).send(body),
  };

  /** Creates a queue at `site` since 2020-01-01 (or changes its survey settings) with these settings over the defaults. */
  async function queue(code: string, site: string, survey: Partial<SurveySettings> = {}) {
    if (await queueByCode(code)) await updateQueue(code, { survey }, SYSTEM);
    else await createQueue(code, { name: `Queue ${code}`, site, since: SINCE, survey }, SYSTEM);
  }

  beforeAll(async () => {
    await loadSurveyTemplates();
    key = await createApiKey('telephony');
    await api.put('/api/v1/sites/ABV', { name: 'Abbeville', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' });
    await api.put('/api/v1/sites/CAS', { name: 'Casablanca', country: 'MA', timezone: 'Africa/Casablanca', locale: 'fr' });
    // No quiet hours by default, so send times are easy to predict; tests that need them set them.
    await queue('business-support', 'ABV', { quietHours: null, delayMinutes: 30 });
  });

  return {
    app,
    api,
    queue,
    calls: () => mongoose.connection.collection('calls'),
    invitations: () => mongoose.connection.collection('invitations'),
  };
}
