/**
 * Time-zone-correct replacements for mingo's $dateTrunc, $dateAdd, $dateSubtract and
 * $dateFromParts, whose local-time arithmetic goes wrong across daylight-saving changes
 * (Retour's reports bucket by day and week in each site's zone). Wall-clock math is done
 * on "local" instants and mapped back to UTC with the zone's offset at that moment.
 */
import type { Options } from 'mingo/types/types';
import { serverError } from './update-format';
import { bsonType, isNumeric, isPlainObject, numberValue, type Doc } from './values';

// Loaded with require: the node10 resolution of this project does not read package "exports".
const { evalExpr } = require('mingo/core') as typeof import('mingo/types/core');

const MINUTE = 60000;
const HOUR = 3600000;
const DAY = 86400000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      throw serverError(40485, 'Location40485', `unrecognized time zone identifier: "${tz}"`);
    }
    formatters.set(tz, f);
  }
  return f;
}

/** A zone: a fixed offset ("+05:30", "-0800") or an Olson name; offsets in ms east of UTC. */
type Zone = (utcMs: number) => number;

export function parseZone(tz: unknown): Zone {
  if (tz === undefined || tz === null) return () => 0;
  if (typeof tz !== 'string') throw serverError(40517, 'Location40517', `timezone must evaluate to a string, found ${bsonType(tz)}`);
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(tz);
  if (m) {
    const off = (Number(m[2]) * 60 + Number(m[3] ?? 0)) * MINUTE * (m[1] === '-' ? -1 : 1);
    return () => off;
  }
  const f = formatter(tz);
  return (utcMs) => {
    const parts: Record<string, number> = {};
    for (const p of f.formatToParts(new Date(utcMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    return wall - (utcMs - (((utcMs % 1000) + 1000) % 1000));
  };
}

/** The UTC instant whose wall-clock time in `zone` is `localMs` (read as if it were UTC). */
export function localToUtc(zone: Zone, localMs: number): number {
  let utc = localMs - zone(localMs);
  utc = localMs - zone(utc);
  return utc;
}

function toDate(v: unknown): Date | null | undefined {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const t = bsonType(v);
  if (t === 'objectId') return (v as { getTimestamp(): Date }).getTimestamp();
  if (t === 'timestamp') return new Date((v as { high: number }).high * 1000);
  return undefined;
}

function integer(v: unknown, op: string, name: string): number {
  const n = isNumeric(v) ? numberValue(v) : Number.NaN;
  if (!Number.isInteger(n)) throw serverError(5166403, 'Location5166403', `${op} requires '${name}' to be an integer, found ${String(v)}`);
  return n;
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function weekday(v: unknown): number {
  const s = typeof v === 'string' ? v.toLowerCase() : '';
  const i = DAYS.findIndex((d) => d === s || d.slice(0, 3) === s);
  if (i < 0) throw serverError(5439015, 'Location5439015', `$dateTrunc parameter 'startOfWeek' value cannot be recognized as a day of a week: ${String(v)}`);
  return i;
}

const REF_LOCAL = Date.UTC(2000, 0, 1);

/** Truncates a wall-clock instant to the start of its bin (MongoDB bins count from 2000-01-01). */
function truncLocal(local: number, unit: string, bin: number, startOfWeek: number): number {
  const fixed: Record<string, number> = { millisecond: 1, second: 1000, minute: MINUTE, hour: HOUR, day: DAY };
  if (fixed[unit] !== undefined) {
    const size = fixed[unit] * bin;
    return REF_LOCAL + Math.floor((local - REF_LOCAL) / size) * size;
  }
  if (unit === 'week') {
    const ref = REF_LOCAL + ((startOfWeek - new Date(REF_LOCAL).getUTCDay() + 7) % 7) * DAY;
    const size = 7 * DAY * bin;
    return ref + Math.floor((local - ref) / size) * size;
  }
  const months = { month: 1, quarter: 3, year: 12 }[unit as 'month' | 'quarter' | 'year'];
  const d = new Date(local);
  const total = (d.getUTCFullYear() - 2000) * 12 + d.getUTCMonth();
  const start = Math.floor(total / (months * bin)) * months * bin;
  return Date.UTC(2000 + Math.floor(start / 12), ((start % 12) + 12) % 12, 1);
}

const UNITS = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond'];

function args(obj: unknown, expr: unknown, options: Options, op: string): Doc {
  if (!isPlainObject(expr)) throw serverError(5439007, 'Location5439007', `${op} only supports an object as its argument`);
  const out: Doc = {};
  for (const k of Object.keys(expr)) out[k] = evalExpr(obj, expr[k], options);
  return out;
}

function unitOf(v: unknown, op: string): string {
  if (typeof v !== 'string' || !UNITS.includes(v)) {
    throw serverError(5439014, 'Location5439014', `${op} parameter 'unit' value cannot be recognized as a time unit: ${String(v)}`);
  }
  return v;
}

export function $dateTrunc(obj: unknown, expr: unknown, options: Options): Date | null {
  const a = args(obj, expr, options, '$dateTrunc');
  if ([a.date, a.unit, a.timezone, a.binSize, a.startOfWeek].some((v) => v === null)) return null;
  const date = toDate(a.date);
  if (date === undefined) throw serverError(5439012, 'Location5439012', `$dateTrunc requires 'date' to be a date, but got ${bsonType(a.date)}`);
  if (date === null) return null;
  const unit = unitOf(a.unit, '$dateTrunc');
  const bin = a.binSize === undefined ? 1 : integer(a.binSize, '$dateTrunc', 'binSize');
  if (bin <= 0) throw serverError(5439018, 'Location5439018', `$dateTrunc requires 'binSize' to be greater than 0, but got value ${bin}`);
  const zone = parseZone(a.timezone);
  const utc = date.getTime();
  const offset = zone(utc);
  const start = truncLocal(utc + offset, unit, bin, a.startOfWeek === undefined ? 0 : weekday(a.startOfWeek));
  // Below a day, keep the instant's own offset: a wall time repeated when clocks go back
  // must not map to its later occurrence (which could lie after the input).
  const subDay = ['hour', 'minute', 'second', 'millisecond'].includes(unit);
  return new Date(subDay ? start - offset : localToUtc(zone, start));
}

function dateAdd(sign: 1 | -1, op: string) {
  return (obj: unknown, expr: unknown, options: Options): Date | null => {
    const a = args(obj, expr, options, op);
    if ([a.startDate, a.unit, a.amount].some((v) => v === null || v === undefined) || a.timezone === null) return null;
    const date = toDate(a.startDate);
    if (!date) throw serverError(5166403, 'Location5166403', `${op} requires startDate to be convertible to a date`);
    const unit = unitOf(a.unit, op);
    const amount = integer(a.amount, op, 'amount') * sign;
    const utc = date.getTime();
    const fixed: Record<string, number> = { millisecond: 1, second: 1000, minute: MINUTE, hour: HOUR };
    if (fixed[unit] !== undefined) return new Date(utc + amount * fixed[unit]);
    const zone = parseZone(a.timezone);
    const local = new Date(utc + zone(utc));
    if (unit === 'day' || unit === 'week') {
      return new Date(localToUtc(zone, local.getTime() + amount * (unit === 'week' ? 7 : 1) * DAY));
    }
    const months = amount * { month: 1, quarter: 3, year: 12 }[unit as 'month' | 'quarter' | 'year'];
    const y = local.getUTCFullYear();
    const m = local.getUTCMonth() + months;
    // Past the end of the target month, MongoDB lands on its last day.
    const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    const target = Date.UTC(y, m, Math.min(local.getUTCDate(), lastDay)) + (local.getTime() % DAY + DAY) % DAY;
    return new Date(localToUtc(zone, target));
  };
}

export const $dateAdd = dateAdd(1, '$dateAdd');
export const $dateSubtract = dateAdd(-1, '$dateSubtract');

export function $dateFromParts(obj: unknown, expr: unknown, options: Options): Date | null {
  const a = args(obj, expr, options, '$dateFromParts');
  const iso = a.isoWeekYear !== undefined;
  const names = iso ? ['isoWeekYear', 'isoWeek', 'isoDayOfWeek'] : ['year', 'month', 'day'];
  const values = [...names, 'hour', 'minute', 'second', 'millisecond'].map((n, i) => {
    const v = a[n];
    if (v === undefined) return i === 0 ? undefined : i < 3 ? 1 : 0;
    return v === null ? null : integer(v, '$dateFromParts', n);
  });
  if (values.some((v) => v === null) || a.timezone === null) return null;
  if (values[0] === undefined) throw serverError(40516, 'Location40516', "$dateFromParts requires either 'year' or 'isoWeekYear' to be present");
  const [y, m, d, hh, mi, ss, ms] = values as number[];
  let local: number;
  if (iso) {
    // ISO week 1 holds January 4th; weeks start on Monday.
    const jan4 = Date.UTC(y, 0, 4);
    const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY;
    local = monday + ((m - 1) * 7 + (d - 1)) * DAY + hh * HOUR + mi * MINUTE + ss * 1000 + ms;
  } else {
    local = Date.UTC(y, m - 1, d, hh, mi, ss, ms);
    if (y >= 0 && y < 100) local = new Date(local).setUTCFullYear(y);
  }
  return new Date(localToUtc(parseZone(a.timezone), local));
}
