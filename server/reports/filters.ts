/**
 * Report filters: every report page, export and API reads its period, sites, queues,
 * template and granularity from the URL through parseReportFilters(), so links are
 * shareable and scoping is decided in one place. filterQuery() writes them back into links.
 *
 * Defaults: the 30 days ending today (today = the latest local date among the selected
 * sites' time zones, so a call that just ended counts), compared with the 30 days before;
 * every visible site; all queues and templates; weekly granularity. An explicit period is
 * compared with the period of the same length just before it. Periods span at most 3 years.
 * Bad values throw Invalid (422, code INVALID_FILTERS, one detail per field); a site the
 * user may not see throws Forbidden (403, SITE_FORBIDDEN).
 */
import Joi from 'joi';
import { canSeeSite, type StaffUser } from '../auth';
import { Forbidden, Invalid } from '../errors';
import { listQueues } from '../queues';
import { listSites, listSitesFor, type Site } from '../sites';
import { findTemplate } from '../templates';
import { addDays, localDate } from '../time/local-time';

export type Granularity = 'day' | 'week' | 'month';
export const GRANULARITIES: readonly Granularity[] = ['day', 'week', 'month'];

export interface Period {
  from: string;
  to: string;
}

export interface ReportFilters {
  /** YYYY-MM-DD, call days (site-local dates), both included. */
  from: string;
  to: string;
  /** Same length, just before. */
  previous: Period;
  /** Selected ∩ visible, by code; every visible site when none was selected. */
  sites: string[];
  /** True when no site was selected (links then keep "all sites" rather than today's list). */
  allSites: boolean;
  /** [] = all queues. */
  queues: string[];
  template: string | null;
  granularity: Granularity;
}

export const DEFAULT_DAYS = 30;
export const MAX_DAYS = 1096;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SITE = /^[A-Z0-9]{2,10}$/;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const isCalendarDate = (value: string, helpers: Joi.CustomHelpers) =>
  new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value ? value : helpers.error('date.calendar');

const day = Joi.string().trim().allow('').pattern(DATE).custom(isCalendarDate).messages({
  'string.pattern.base': '{#label} must be a date written YYYY-MM-DD, such as 2026-11-20',
  'date.calendar': '{#label} is not a date of the calendar',
});

/** One value or a repeated parameter; "ABV,CAS" also works; empty values mean "all". */
const list = (item: Joi.StringSchema) =>
  Joi.alternatives(Joi.array().items(Joi.string().allow('')).max(200), Joi.string().allow(''))
    .custom((value: string | string[]) =>
      [value]
        .flat()
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter((v) => v !== ''),
    )
    .custom((values: string[], helpers) => {
      for (const v of values) {
        const { error } = item.validate(v);
        if (error) return helpers.message({ custom: `${helpers.state.path?.join('.')}: ${error.message}` });
      }
      return values;
    });

const schema = Joi.object({
  from: day.label('from'),
  to: day.label('to'),
  site: list(Joi.string().uppercase().pattern(SITE).label('site').messages({ 'string.pattern.base': '"{#value}" is not a site code such as ABV' })),
  queue: list(Joi.string().lowercase().pattern(SLUG).max(40).label('queue').messages({ 'string.pattern.base': '"{#value}" is not a queue code such as business-support' })),
  template: Joi.string().trim().allow('').max(60).pattern(SLUG).label('template').messages({ 'string.pattern.base': 'template must be a template key such as post-call' }),
  granularity: Joi.string().trim().allow('').valid(...GRANULARITIES).label('granularity').messages({ 'any.only': 'granularity must be day, week or month' }),
}).unknown(true);

interface Raw {
  from?: string;
  to?: string;
  site?: string[];
  queue?: string[];
  template?: string;
  granularity?: string;
}

function invalid(details: { field: string; message: string }[]): Invalid {
  return new Invalid(`These report filters cannot be used: ${details.map((d) => d.message).join('; ')}.`, { code: 'INVALID_FILTERS', details });
}

/**
 * The filters of a report request, checked and scoped. `user` null means an API key
 * caller, who sees every site. Throws Invalid (INVALID_FILTERS) or Forbidden (SITE_FORBIDDEN).
 */
export async function parseReportFilters(query: Record<string, unknown>, user: StaffUser | null, now = new Date()): Promise<ReportFilters> {
  const { value, error } = schema.validate(query, { abortEarly: false, errors: { wrap: { label: false } } });
  if (error) throw invalid(error.details.map((d) => ({ field: d.path.join('.') || String(d.context?.key ?? ''), message: d.message })));
  const raw = value as Raw;
  const visible = user ? await listSitesFor(user) : await listSites();
  const sites = await chooseSites(raw.site ?? [], visible, user);
  const period = choosePeriod(raw.from || null, raw.to || null, visible.filter((s) => sites.includes(s.code)), now);
  const queues = [...new Set(raw.queue ?? [])];
  const template = raw.template || null;
  await checkExisting(queues, template);
  return {
    ...period,
    previous: previousPeriod(period),
    sites,
    allSites: (raw.site ?? []).length === 0,
    queues,
    template,
    granularity: (raw.granularity || 'week') as Granularity,
  };
}

async function chooseSites(asked: string[], visible: Site[], user: StaffUser | null): Promise<string[]> {
  if (asked.length === 0) return visible.map((s) => s.code);
  const codes = [...new Set(asked)];
  const hidden = user ? codes.filter((c) => !canSeeSite(user, c)) : [];
  if (hidden.length > 0) {
    throw new Forbidden(`You may not see the reports of ${hidden.join(', ')}.`, { code: 'SITE_FORBIDDEN' });
  }
  const known = new Set(visible.map((s) => s.code));
  const unknown = codes.filter((c) => !known.has(c));
  if (unknown.length > 0) throw invalid(unknown.map((c) => ({ field: 'site', message: `there is no site ${c}` })));
  return codes.sort();
}

async function checkExisting(queues: string[], template: string | null): Promise<void> {
  const details: { field: string; message: string }[] = [];
  if (queues.length > 0) {
    const known = new Set((await listQueues()).map((q) => q.code));
    for (const q of queues) if (!known.has(q)) details.push({ field: 'queue', message: `there is no queue ${q}` });
  }
  if (template && !(await findTemplate(template))) details.push({ field: 'template', message: `there is no survey template ${template}` });
  if (details.length > 0) throw invalid(details);
}

/** The latest local date among these sites' zones (UTC when there are none). */
function today(sites: Site[], now: Date): string {
  const dates = sites.map((s) => localDate(now, s.timezone));
  return dates.length > 0 ? dates.sort().at(-1)! : now.toISOString().slice(0, 10);
}

function choosePeriod(from: string | null, to: string | null, sites: Site[], now: Date): Period {
  const end = to ?? (from ? addDays(from, DEFAULT_DAYS - 1) : today(sites, now));
  const start = from ?? addDays(end, -(DEFAULT_DAYS - 1));
  if (start > end) throw invalid([{ field: 'from', message: `from (${start}) must be on or before to (${end})` }]);
  if (daysIn({ from: start, to: end }) > MAX_DAYS) {
    throw invalid([{ field: 'to', message: `a period spans at most ${MAX_DAYS} days (3 years)` }]);
  }
  return { from: start, to: end };
}

/** Number of days in a period, both ends included. */
export function daysIn(p: Period): number {
  return Math.round((Date.parse(`${p.to}T00:00:00Z`) - Date.parse(`${p.from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** Every day of a period, in order (YYYY-MM-DD). */
export function daysOf(p: Period): string[] {
  return Array.from({ length: Math.max(0, daysIn(p)) }, (_, i) => addDays(p.from, i));
}

/** The period of the same length that ends the day before `p` starts. */
export function previousPeriod(p: Period): Period {
  const to = addDays(p.from, -1);
  return { from: addDays(to, -(daysIn(p) - 1)), to };
}

/**
 * "?from=…&to=…&site=ABV&site=CAS…" for links that keep the filters. `overrides` replace
 * a parameter (a list repeats it; null removes it) or add one (sort, dir, by…).
 */
export function filterQuery(f: ReportFilters, overrides: Partial<Record<string, string | string[] | null>> = {}): string {
  const base: Record<string, string | string[] | null> = {
    from: f.from,
    to: f.to,
    site: f.allSites ? null : f.sites,
    queue: f.queues,
    template: f.template,
    granularity: f.granularity === 'week' ? null : f.granularity,
  };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...base, ...overrides })) {
    if (value === null || value === undefined) continue;
    for (const v of [value].flat()) if (v !== '') params.append(key, v);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
