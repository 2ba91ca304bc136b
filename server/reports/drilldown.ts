/**
 * The drill-down: figures by queue, agent or call reason for the period, in a table sorted
 * by the column the URL names (`?by=agent&sort=information&dir=desc`, links only, no
 * JavaScript). Rows with fewer than MIN_N answers to the information question are listed
 * apart, by name, never ranked. One aggregation over rollups, grouped by the dimension.
 */
import Joi from 'joi';
import { Invalid } from '../errors';
import type { Translate } from '../i18n';
import { listQueues } from '../queues';
import { figuresOf, sumRollups, type Figures, type Rate } from './figures';
import { filterQuery, type ReportFilters } from './filters';

export const DRILL_DIMENSIONS = ['queue', 'agent', 'reason'] as const;
export type DrillDimension = (typeof DRILL_DIMENSIONS)[number];
export const SORT_COLUMNS = ['key', 'responses', 'responseRate', 'information', 'csat', 'callbacks'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];
type RateColumn = Exclude<SortColumn, 'key' | 'responses'>;
const RATE_COLUMNS: RateColumn[] = ['responseRate', 'information', 'csat', 'callbacks'];

export interface DrillOptions {
  by: DrillDimension;
  sort: SortColumn;
  dir: 'asc' | 'desc';
}

const schema = Joi.object({
  by: Joi.string().trim().allow('').valid(...DRILL_DIMENSIONS).messages({ 'any.only': 'by must be queue, agent or reason' }),
  sort: Joi.string().trim().allow('').valid(...SORT_COLUMNS).messages({ 'any.only': `sort must be one of ${SORT_COLUMNS.join(', ')}` }),
  dir: Joi.string().trim().allow('').valid('asc', 'desc').messages({ 'any.only': 'dir must be asc or desc' }),
}).unknown(true);

/** by, sort and dir from the URL. Defaults: by queue, sorted by information rate, best first. Throws Invalid. */
export function parseDrillOptions(query: Record<string, unknown>): DrillOptions {
  const { value, error } = schema.validate(query, { abortEarly: false, errors: { wrap: { label: false } } });
  if (error) {
    const details = error.details.map((d) => ({ field: d.path.join('.'), message: d.message }));
    throw new Invalid(`These drill-down options cannot be used: ${details.map((d) => d.message).join('; ')}.`, { code: 'INVALID_FILTERS', details });
  }
  const v = value as { by?: string; sort?: string; dir?: string };
  const sort = (v.sort || 'information') as SortColumn;
  return { by: (v.by || 'queue') as DrillDimension, sort, dir: (v.dir || defaultDir(sort)) as 'asc' | 'desc' };
}

function defaultDir(sort: SortColumn): 'asc' | 'desc' {
  return sort === 'key' ? 'asc' : 'desc';
}

export interface DrillRow {
  key: string;
  label: string;
  figures: Figures;
}

function sortValue(row: DrillRow, sort: SortColumn): string | number | null {
  if (sort === 'key') return row.label.toLocaleLowerCase();
  if (sort === 'responses') return row.figures.responses;
  return row.figures[sort].value;
}

/** Sorted by `sort` in `dir`; rows without a value for that column always last, then by name. */
export function sortRows(rows: DrillRow[], sort: SortColumn, dir: 'asc' | 'desc'): DrillRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((x, y) => {
    const a = sortValue(x, sort);
    const b = sortValue(y, sort);
    if (a === null || b === null) return a === b ? x.label.localeCompare(y.label) : a === null ? 1 : -1;
    const order = a < b ? -1 : a > b ? 1 : 0;
    return order * sign || x.label.localeCompare(y.label);
  });
}

/** The rows of the dimension: ranked (enough answers, sorted) and thin (by name, apart). */
export async function drilldownOf(f: ReportFilters, o: DrillOptions, noneLabel: string): Promise<{ ranked: DrillRow[]; thin: DrillRow[] }> {
  const [rows, queues] = await Promise.all([sumRollups(f, f, [o.by]), o.by === 'queue' ? listQueues() : Promise.resolve([])]);
  const names = new Map(queues.map((q) => [q.code, q.name]));
  const all = rows.map((r) => {
    const key = r.key[o.by] ?? '';
    return { key, label: key === '' ? noneLabel : (names.get(key) ?? key), figures: figuresOf(r.counters) };
  });
  return {
    ranked: sortRows(all.filter((r) => r.figures.information.enough), o.sort, o.dir),
    thin: sortRows(all.filter((r) => !r.figures.information.enough), 'key', 'asc'),
  };
}

/** Column headers with their sort links (the current one flips direction) and aria-sort. */
export function drillColumns(f: ReportFilters, o: DrillOptions, t: Translate) {
  return SORT_COLUMNS.map((id) => {
    const current = o.sort === id;
    const dir = current ? (o.dir === 'asc' ? 'desc' : 'asc') : defaultDir(id);
    const label = id === 'key' ? t(`reports.drilldown.dimensions.${o.by}`) : t(`reports.drilldown.${id}`);
    return {
      id,
      label,
      href: `/reports/drilldown${filterQuery(f, { by: o.by, sort: id, dir })}`,
      linkLabel: t('reports.drilldown.sortBy', { column: label }) + ', ' + t(`reports.drilldown.${dir === 'asc' ? 'ascending' : 'descending'}`),
      ariaSort: current ? (o.dir === 'asc' ? 'ascending' : 'descending') : null,
    };
  });
}

/** A table row for the view: the rates in column order. */
export function drillRowView(row: DrillRow, rank: number | null) {
  return {
    rank,
    key: row.key,
    label: row.label,
    responses: row.figures.responses,
    rates: RATE_COLUMNS.map((c): Rate => row.figures[c]),
  };
}

/** Links to the three dimensions, keeping the filters. */
export function dimensionLinks(f: ReportFilters, o: DrillOptions, t: Translate) {
  return DRILL_DIMENSIONS.map((by) => ({
    label: t(`reports.drilldown.dimensions.${by}`),
    href: `/reports/drilldown${filterQuery(f, { by })}`,
    current: by === o.by,
  }));
}
