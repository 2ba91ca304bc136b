/**
 * Handlebars helpers: i18n lookup (`{{t "key" name=value}}`), dates in the site's time
 * zone and the reader's locale, numbers and percentages. The formatting functions are
 * exported for emails and exports; the reader's locale comes from the template root.
 */
import type Handlebars from 'handlebars';
import { DEFAULT_LOCALE, isLocale, translate, type Locale } from '../i18n';
import { registerSurveyHelpers } from '../templates/survey-view';

export const DEFAULT_TIME_ZONE = 'Europe/Paris';
/** Shown for a missing value (no responses yet, no date). */
export const EMPTY = '—';

export type DateStyle = 'date' | 'datetime' | 'time' | 'long';

const DATE_STYLES: Record<DateStyle, Intl.DateTimeFormatOptions> = {
  date: { dateStyle: 'medium' },
  datetime: { dateStyle: 'medium', timeStyle: 'short' },
  time: { timeStyle: 'short' },
  long: { dateStyle: 'full', timeStyle: 'short' },
};

export function formatDate(
  value: unknown,
  locale: Locale,
  options: { timeZone?: string; style?: DateStyle } = {},
): string {
  const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) return EMPTY;
  const styleName = DATE_STYLES[options.style ?? 'date'] ? (options.style ?? 'date') : 'date';
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  return formatter(`date|${locale}|${styleName}|${timeZone}`, () => new Intl.DateTimeFormat(locale, { ...DATE_STYLES[styleName], timeZone })).format(date);
}

// Building an Intl formatter costs some 30 times more than formatting with one (a report
// page formats hundreds of numbers): keep them, by kind, locale and options.
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function formatter<T extends Intl.DateTimeFormat | Intl.NumberFormat>(key: string, make: () => T): T {
  let format = formatters.get(key) as T | undefined;
  if (!format) {
    format = make();
    if (formatters.size > 500) formatters.clear();
    formatters.set(key, format);
  }
  return format;
}

export function formatNumber(value: unknown, locale: Locale, decimals?: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return EMPTY;
  const digits = decimals === undefined ? {} : { minimumFractionDigits: decimals, maximumFractionDigits: decimals };
  return formatter(`number|${locale}|${decimals}`, () => new Intl.NumberFormat(locale, digits)).format(value);
}

/** `ratio` is a fraction: 0.873 → "87 %" (fr) or "87%" (en). */
export function formatPercent(ratio: unknown, locale: Locale, decimals = 0): string {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) return EMPTY;
  const percent = { style: 'percent', minimumFractionDigits: decimals, maximumFractionDigits: decimals } as const;
  return formatter(`percent|${locale}|${decimals}`, () => new Intl.NumberFormat(locale, percent)).format(ratio);
}

type HelperOptions = Handlebars.HelperOptions;

function readerLocale(options: HelperOptions): Locale {
  const root = (options.data as { root?: { locale?: unknown } } | undefined)?.root;
  return isLocale(root?.locale) ? root.locale : DEFAULT_LOCALE;
}

function rootTimeZone(options: HelperOptions): string | undefined {
  const root = (options.data as { root?: { timeZone?: unknown } } | undefined)?.root;
  return typeof root?.timeZone === 'string' ? root.timeZone : undefined;
}

function decimalsOf(options: HelperOptions): number | undefined {
  const d = options.hash?.decimals;
  return typeof d === 'number' ? d : undefined;
}

export function registerHelpers(hbs: typeof Handlebars): void {
  hbs.registerHelper('t', (key: unknown, options: HelperOptions) =>
    translate(readerLocale(options), String(key), options.hash),
  );
  // {{formatDate call.endedAt style="datetime" tz=site.timezone}}
  hbs.registerHelper('formatDate', (value: unknown, options: HelperOptions) =>
    formatDate(value, readerLocale(options), {
      style: options.hash?.style,
      timeZone: options.hash?.tz ?? rootTimeZone(options),
    }),
  );
  hbs.registerHelper('formatNumber', (value: unknown, options: HelperOptions) =>
    formatNumber(value, readerLocale(options), decimalsOf(options)),
  );
  hbs.registerHelper('formatPercent', (value: unknown, options: HelperOptions) =>
    formatPercent(value, readerLocale(options), decimalsOf(options)),
  );
  // {{#if (eq site.code current)}}: selected options, current navigation item.
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // The survey form partials (views/partials/survey/), shared by the survey page and the template preview.
  registerSurveyHelpers(hbs);
}
