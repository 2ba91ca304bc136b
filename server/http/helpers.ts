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
  // Building an Intl.DateTimeFormat costs far more than formatting with one: keep them.
  const key = `${locale}|${styleName}|${timeZone}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...DATE_STYLES[styleName], timeZone });
    if (dateFormats.size > 500) dateFormats.clear();
    dateFormats.set(key, format);
  }
  return format.format(date);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function formatNumber(value: unknown, locale: Locale, decimals?: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return EMPTY;
  const digits = decimals === undefined ? {} : { minimumFractionDigits: decimals, maximumFractionDigits: decimals };
  return new Intl.NumberFormat(locale, digits).format(value);
}

/** `ratio` is a fraction: 0.873 → "87 %" (fr) or "87%" (en). */
export function formatPercent(ratio: unknown, locale: Locale, decimals = 0): string {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) return EMPTY;
  return new Intl.NumberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  }).format(ratio);
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
