/**
 * What the fuzz suites aim at: the app's routes (method and path with its `:params`,
 * from test/helpers/routes.ts) and, per route, the field names its forms and JSON bodies use and the query parameters
 * it reads, so hostile values land where the handlers look as well as elsewhere.
 */
import type { Express } from 'express';
import { listRoutes, type RouteEntry } from './routes';

export type Route = RouteEntry;

/** Every route of the app as mounted (test/helpers/routes.ts walks the router). */
export function appRoutes(app: Express): Route[] {
  return listRoutes(app);
}

export const isPublic = (r: Route) => !r.path.startsWith('/api/') && !/^\/(admin|account|reports)(\/|$)/.test(r.path);
export const isApi = (r: Route) => r.path.startsWith('/api/');
export const isStaff = (r: Route) => /^\/(admin|account|reports)(\/|$)/.test(r.path);

const SURVEY_SETTINGS = ['template', 'delayMinutes', 'samplingPercent', 'quarantineDays', 'quietHours', 'quietStart', 'quietEnd', 'expiryDays', 'reminderDays', 'minPerAgentPerWeek'];
const SITE = ['code', 'name', 'country', 'timezone', 'locale', 'active'];
const USER = ['email', 'name', 'role', 'sites', 'locale'];

/** Body fields by path pattern (first match wins). */
const BODY_FIELDS: readonly [RegExp, string[]][] = [
  [/^\/login$/, ['email', 'password', 'next']],
  [/^\/set-password$/, ['token', 'password', 'confirm']],
  [/^\/account\/password$/, ['current', 'password', 'confirm']],
  [/^\/s\//, ['info', 'missing', 'csat', 'nps', 'comment', '_unseen', '_channel', 'answers', 'partial', 'channel']],
  [/^\/admin\/users/, USER],
  [/^\/admin\/api-keys$/, ['name']],
  [/sites/, SITE],
  [/relocate$/, ['site', 'date', 'time', 'note', 'confirm']],
  [/queues/, ['code', 'name', 'site', 'since', 'survey', ...SURVEY_SETTINGS]],
  [/^\/api\/v1\/calls$/, ['externalId', 'endedAt', 'site', 'queue', 'agent', 'reason', 'durationSec', 'customer', 'calls']],
  [/import\/:id\/mapping$/, ['map_externalId', 'map_endedAt', 'map_queue', 'map_email', 'map_name', 'map_agent', 'timeZone']],
  [/calls\/import$/, ['csv']],
  [/templates\/import$/, ['json']],
  [/templates$/, ['key', 'name.fr', 'name.en', 'from']],
  [/templates\//, ['revision', 'name.fr', 'name.en', 'intro.fr', 'questions[0].id', 'questions[0].type', 'questions[0].label.fr', 'questions[0].label.en', 'questions[1].options[0].id', 'questions[0].showIf.values', 'action']],
  [/comments/, ['note']],
];

export function bodyFields(path: string): string[] {
  return BODY_FIELDS.find(([pattern]) => pattern.test(path))?.[1] ?? ['name', 'value'];
}

/** Query parameters some handler reads (any route may get any of them). */
export const QUERY_FIELDS = [
  'a', 'lang', 'edit', 'next', 'notice', 'token', 'from', 'to', 'site', 'queue', 'template', 'granularity', 'info', 'score', 'q',
  'handled', 'response', 'before', 'after', 'text', 'sep', 'version', 'locale', 'page', 'action', 'targetType', 'actor', 'limit',
  'outcome', 'agent', 'saved', 'done', 'date', 'time', 'note', 'weeks', 'by', 'sort', 'dir', 'reason',
];
