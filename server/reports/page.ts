/**
 * What every report page shows around its figures: the report navigation (links that keep
 * the filters) and the filter form (a GET form, so it works without JavaScript and the URL
 * stays shareable). Pages call reportPageLocals() and spread the result into their view;
 * views include {{> reports/nav reportNav}} and {{> reports/filters reportFilters}}.
 */
import type { Response } from 'express';
import { listQueuesFor } from '../queues';
import { listSitesFor } from '../sites';
import { listTemplates } from '../templates';
import { filterQuery, GRANULARITIES, type ReportFilters } from './filters';

export type ReportSection = 'overview' | 'sites' | 'trends' | 'drilldown' | 'comments';

const SECTIONS: { id: ReportSection; path: string }[] = [
  { id: 'overview', path: '/reports' },
  { id: 'sites', path: '/reports/sites' },
  { id: 'trends', path: '/reports/trends' },
  { id: 'drilldown', path: '/reports/drilldown' },
  { id: 'comments', path: '/reports/comments' },
];

export interface PageOptions {
  /** Show the day/week/month choice (trends). */
  granularity?: boolean;
  /** Parameters the form must keep (drill-down dimension, sort…): hidden inputs. */
  keep?: Record<string, string | null | undefined>;
}

/** The navigation between report pages, each link keeping the filters. */
export function reportNav(res: Response, current: ReportSection, f: ReportFilters) {
  const { t } = res.locals;
  const query = filterQuery(f);
  return {
    label: t('reports.nav.label'),
    items: SECTIONS.map((s) => ({ href: s.path + query, label: t(`reports.nav.${s.id}`), current: s.id === current })),
  };
}

/** The filter form's choices: the user's sites, queues and templates, the current values selected. */
export async function reportFilterForm(res: Response, current: ReportSection, f: ReportFilters, options: PageOptions = {}) {
  const { t, user, locale } = res.locals;
  const [sites, queues, templates] = await Promise.all([listSitesFor(user), listQueuesFor(user), listTemplates()]);
  return {
    action: SECTIONS.find((s) => s.id === current)?.path ?? '/reports',
    from: f.from,
    to: f.to,
    sites: sites.map((s) => ({ code: s.code, name: s.name, checked: !f.allSites && f.sites.includes(s.code) })),
    queues: queues.map((q) => ({ code: q.code, name: q.name, selected: f.queues.includes(q.code) })),
    queueListSize: Math.min(5, Math.max(2, queues.length)),
    templates: templates.map((tpl) => ({ key: tpl.key, name: tpl.name[locale] || tpl.key, selected: tpl.key === f.template })),
    granularities: options.granularity
      ? GRANULARITIES.map((g) => ({ value: g, label: t(`reports.filters.granularities.${g}`), selected: g === f.granularity }))
      : null,
    keep: Object.entries(options.keep ?? {})
      .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')
      .map(([name, value]) => ({ name, value })),
  };
}

/** Navigation and filter form together: `{ reportNav, reportFilters }` for a report view. */
export async function reportPageLocals(res: Response, current: ReportSection, f: ReportFilters, options: PageOptions = {}) {
  return { reportNav: reportNav(res, current, f), reportFilters: await reportFilterForm(res, current, f, options) };
}
