/**
 * One sensible request per route of the app, for the access-control tests: the URL with
 * real ids of the seeded world (access-world.ts) and, for writes, a body the route would
 * accept from someone allowed — some read off the admin's own page of the form. Whoever
 * sends it adds their own CSRF token. A route without a sample here fails those tests.
 */
import { formValues } from './html-form';
import { FORM_DEFAULTS } from './queues';
import type { Actor, RoleName, World } from './access-world';

export type Body = Record<string, string | number | boolean | object>;

export interface SampleContext {
  world: World;
  /** An admin's agent, to read the forms the bodies come from. */
  admin: Actor;
}

export interface Sample {
  /** The URL for this caller (only secret-link routes differ: the customer holds the real token). */
  url(world: World, as: RoleName): string;
  /** A body the route accepts, built when the route's turn comes (some read a form page). */
  body?(ctx: SampleContext): Promise<Body> | Body;
  /** JSON instead of a form. */
  json?: boolean;
  /** The request ends the caller's session: each caller sends it from a fresh session. */
  fresh?: boolean;
}

const PERIOD = `from=${new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10)}&to=${new Date().toISOString().slice(0, 10)}`;
/** Report URLs ask for site ABV, the data's site: the lead of another site must be refused. */
const reportOfA = (path: string) => () => `${path}?${PERIOD}&site=ABV`;
const fixed = (path: string) => () => path;
const MADE_UP_TOKEN = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const holder = (prefix: string) => (w: World, as: RoleName) => `${prefix}/${as === 'customer' ? w.surveyToken : MADE_UP_TOKEN}`;

/** The values of the form posting to `action` on the admin's `page`. */
const formOn = (page: string, action: string, change: Body = {}) => async ({ admin }: SampleContext) => {
  const res = await admin.agent.get(page);
  if (res.status !== 200) throw new Error(`${page} answered ${res.status}`);
  return { ...formValues(res.text, action), ...change };
};

const SITE_FIELDS = { name: 'Matrix', country: 'FR', timezone: 'Europe/Paris', locale: 'fr' };
const inOneYear = () => new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
const CALL = () => ({
  externalId: `matrix-${Date.now()}`,
  endedAt: new Date(Date.now() - 60_000).toISOString(),
  queue: 'business-support',
  agent: 'a.martin',
  reason: 'billing',
  durationSec: 60,
  customer: { email: 'matrix.caller@example.fr', name: 'Claire Dubois', locale: 'fr' },
});

export const SAMPLES: Record<string, Sample> = {
  'GET /': { url: fixed('/') },
  'GET /account': { url: fixed('/account') },
  'GET /account/password': { url: fixed('/account/password') },
  'POST /account/password': {
    url: fixed('/account/password'),
    body: () => ({ current: 'correct horse battery staple', password: 'a brand new long password', confirm: 'a brand new long password' }),
    // The session that changes its password gets a new id and form token.
    fresh: true,
  },
  'GET /admin/api-keys': { url: fixed('/admin/api-keys') },
  'POST /admin/api-keys': { url: fixed('/admin/api-keys'), body: () => ({ name: 'Made in the matrix' }) },
  'POST /admin/api-keys/:id/revoke': { url: (w) => `/admin/api-keys/${w.spareKeyId}/revoke`, body: () => ({}) },
  'GET /admin/audit': { url: fixed('/admin/audit') },
  'GET /admin/calls': { url: fixed('/admin/calls') },
  'GET /admin/calls/:externalId': { url: (w) => `/admin/calls/${encodeURIComponent(w.externalId)}` },
  'GET /admin/calls/import': { url: fixed('/admin/calls/import') },
  'POST /admin/calls/import': {
    url: fixed('/admin/calls/import'),
    body: () => ({ csv: 'Identifiant appel;Date fin;File;Conseiller;Motif;Email;Nom\nup-1;2026-11-20 10:00;business-support;a.b;billing;up@example.fr;Up\n' }),
  },
  'GET /admin/calls/import/:id': { url: (w) => `/admin/calls/import/${w.importId}` },
  'POST /admin/calls/import/:id/mapping': {
    url: (w) => `/admin/calls/import/${w.importId}/mapping`,
    body: (ctx) => formOn(`/admin/calls/import/${ctx.world.importId}`, '/mapping')(ctx),
  },
  // The run form carries nothing but its token.
  'POST /admin/calls/import/:id/run': { url: (w) => `/admin/calls/import/${w.importId}/run`, body: () => ({}) },
  'GET /admin/outbox': { url: fixed('/admin/outbox') },
  'GET /admin/outbox/:id': { url: (w) => `/admin/outbox/${w.outboxId}` },
  'GET /admin/outbox/:id/html': { url: (w) => `/admin/outbox/${w.outboxId}/html` },
  'GET /admin/privacy': { url: fixed('/admin/privacy') },
  'POST /admin/privacy/preview': { url: fixed('/admin/privacy/preview'), body: () => ({ email: 'someone@example.fr' }) },
  'POST /admin/privacy/erase': { url: fixed('/admin/privacy/erase'), body: () => ({ email: 'someone@example.fr', confirm: 'yes' }) },
  'GET /admin/queues': { url: fixed('/admin/queues') },
  'POST /admin/queues': { url: fixed('/admin/queues'), body: () => ({ code: 'matrix-line', name: 'Matrix line', site: 'DRX', since: '', ...FORM_DEFAULTS }) },
  'GET /admin/queues/:code': { url: fixed('/admin/queues/business-support') },
  'POST /admin/queues/:code': { url: fixed('/admin/queues/business-support'), body: formOn('/admin/queues/business-support', '/admin/queues/business-support') },
  'GET /admin/queues/:code/relocate': { url: fixed('/admin/queues/billing/relocate') },
  'POST /admin/queues/:code/relocate': { url: fixed('/admin/queues/billing/relocate'), body: () => ({ site: 'DRX', date: inOneYear(), confirm: 'yes' }) },
  'POST /admin/queues/:code/relocation/cancel': { url: fixed('/admin/queues/billing/relocation/cancel'), body: () => ({}) },
  'GET /admin/queues/new': { url: fixed('/admin/queues/new') },
  'GET /admin/sites': { url: fixed('/admin/sites') },
  'POST /admin/sites': { url: fixed('/admin/sites'), body: () => ({ code: 'MTX', ...SITE_FIELDS }) },
  'GET /admin/sites/:code': { url: fixed('/admin/sites/DRX') },
  'POST /admin/sites/:code': { url: fixed('/admin/sites/DRX'), body: formOn('/admin/sites/DRX', '/admin/sites/DRX', { name: 'Dreux centre' }) },
  'GET /admin/sites/new': { url: fixed('/admin/sites/new') },
  'GET /admin/templates': { url: fixed('/admin/templates') },
  'POST /admin/templates': { url: fixed('/admin/templates'), body: () => ({ key: 'matrix-made', 'name.fr': 'Matrice', 'name.en': 'Matrix', from: '' }) },
  'GET /admin/templates/:key': { url: fixed('/admin/templates/post-call') },
  'POST /admin/templates/:key/archive': { url: fixed('/admin/templates/to-archive/archive'), body: () => ({}) },
  'POST /admin/templates/:key/draft': {
    url: fixed('/admin/templates/to-edit/draft'),
    body: formOn('/admin/templates/to-edit/edit', '/admin/templates/to-edit/draft', { 'name.en': 'Edited in the matrix', action: 'save' }),
  },
  'POST /admin/templates/:key/draft/discard': { url: fixed('/admin/templates/to-discard/draft/discard'), body: () => ({}) },
  'GET /admin/templates/:key/edit': { url: fixed('/admin/templates/post-call/edit') },
  'GET /admin/templates/:key/export': { url: fixed('/admin/templates/post-call/export') },
  'GET /admin/templates/:key/preview': { url: fixed('/admin/templates/post-call/preview') },
  'GET /admin/templates/:key/preview/:version/:locale': { url: fixed('/admin/templates/post-call/preview/1/fr') },
  'GET /admin/templates/:key/publish': { url: fixed('/admin/templates/to-publish/publish') },
  'POST /admin/templates/:key/publish': { url: fixed('/admin/templates/to-publish/publish'), body: formOn('/admin/templates/to-publish/publish', '/publish') },
  'POST /admin/templates/:key/unarchive': { url: fixed('/admin/templates/archived/unarchive'), body: () => ({}) },
  'GET /admin/templates/import': { url: fixed('/admin/templates/import') },
  'POST /admin/templates/import': {
    url: fixed('/admin/templates/import'),
    body: async ({ admin }) => {
      const exported = JSON.parse((await admin.agent.get('/admin/templates/post-call/export')).text) as Body;
      return { json: JSON.stringify({ ...exported, key: 'matrix-imported' }) };
    },
  },
  'GET /admin/templates/new': { url: fixed('/admin/templates/new') },
  'GET /admin/users': { url: fixed('/admin/users') },
  'POST /admin/users': { url: fixed('/admin/users'), body: () => ({ email: 'invited.in.matrix@example.com', name: 'Invited', role: 'quality', sites: 'DRX', locale: 'fr' }) },
  'GET /admin/users/:id': { url: (w) => `/admin/users/${w.targetUserId}` },
  'POST /admin/users/:id': { url: (w) => `/admin/users/${w.targetUserId}`, body: () => ({ name: 'Renamed', role: 'quality', sites: 'DRX,ABV', locale: 'en' }) },
  'POST /admin/users/:id/disable': { url: (w) => `/admin/users/${w.targetUserId}/disable`, body: () => ({}) },
  'POST /admin/users/:id/enable': { url: (w) => `/admin/users/${w.targetUserId}/enable`, body: () => ({}) },
  'POST /admin/users/:id/link': { url: (w) => `/admin/users/${w.targetUserId}/link`, body: () => ({}) },
  'GET /admin/users/new': { url: fixed('/admin/users/new') },
  'POST /api/v1/calls': { url: fixed('/api/v1/calls'), body: CALL, json: true },
  'GET /api/v1/calls/:externalId': { url: (w) => `/api/v1/calls/${encodeURIComponent(w.externalId)}` },
  'GET /api/v1/outbox': { url: fixed('/api/v1/outbox') },
  'GET /api/v1/queues': { url: fixed('/api/v1/queues') },
  'GET /api/v1/queues/:code': { url: fixed('/api/v1/queues/business-support') },
  'PUT /api/v1/queues/:code': { url: fixed('/api/v1/queues/api-line'), body: () => ({ name: 'API line', site: 'DRX' }), json: true },
  'GET /api/v1/reports/summary': { url: reportOfA('/api/v1/reports/summary') },
  'GET /api/v1/responses.csv': { url: reportOfA('/api/v1/responses.csv') },
  'GET /api/v1/sites': { url: fixed('/api/v1/sites') },
  'GET /api/v1/sites/:code': { url: fixed('/api/v1/sites/ABV') },
  'PUT /api/v1/sites/:code': { url: fixed('/api/v1/sites/API'), body: () => ({ ...SITE_FIELDS, name: 'From the API' }), json: true },
  'GET /healthz': { url: fixed('/healthz') },
  'GET /login': { url: fixed('/login') },
  'POST /login': { url: fixed('/login'), body: () => ({ email: 'nobody.in.matrix@example.com', password: 'not the password at all' }) },
  'POST /logout': { url: fixed('/logout'), body: () => ({}), fresh: true },
  'GET /reports': { url: reportOfA('/reports') },
  'GET /reports/comments': { url: reportOfA('/reports/comments') },
  'POST /reports/comments/:id/handled': { url: (w) => `/reports/comments/${w.commentOfA}/handled`, body: () => ({ note: 'Called the customer back' }) },
  'POST /reports/comments/:id/reopen': { url: (w) => `/reports/comments/${w.commentOfA}/reopen`, body: () => ({}) },
  'GET /reports/drilldown': { url: reportOfA('/reports/drilldown') },
  'GET /reports/responses.csv': { url: reportOfA('/reports/responses.csv') },
  'GET /reports/sites': { url: reportOfA('/reports/sites') },
  'GET /reports/trends': { url: reportOfA('/reports/trends') },
  'GET /s/:token': { url: holder('/s') },
  'POST /s/:token': { url: holder('/s'), body: () => ({ info: 'yes', csat: '5', nps: '10', comment: 'Clear and quick' }) },
  'GET /set-password': { url: fixed(`/set-password?token=${MADE_UP_TOKEN}`) },
  'POST /set-password': { url: fixed('/set-password'), body: () => ({ token: MADE_UP_TOKEN, password: 'a brand new long password', confirm: 'a brand new long password' }) },
  'GET /u/:token': { url: holder('/u') },
  'POST /u/:token': { url: holder('/u'), body: () => ({}) },
};
