/**
 * Interface strings in French and English: one JSON file per locale (fr.json, en.json),
 * looked up by dotted key with `{name}` placeholders. Choosing the locale of a request
 * is server/http/i18n.ts's job; survey question labels live in the templates, not here.
 */
import en from './en.json';
import fr from './fr.json';

export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'fr';

export type Translate = (key: string, vars?: Record<string, unknown>) => string;

type Messages = { [key: string]: string | Messages };
const CATALOGS: Record<Locale, Messages> = { fr, en };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The string at `key`, or undefined when the locale has no such string. */
export function lookup(locale: Locale, key: string): string | undefined {
  let node: string | Messages | undefined = CATALOGS[locale];
  for (const part of key.split('.')) {
    if (node === undefined || typeof node === 'string') return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** The translated string with `{name}` placeholders filled; a missing key comes back as the key itself. */
export function translate(locale: Locale, key: string, vars: Record<string, unknown> = {}): string {
  const template = lookup(locale, key) ?? lookup(DEFAULT_LOCALE, key) ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    vars[name] === undefined || vars[name] === null ? whole : String(vars[name]),
  );
}

export function translator(locale: Locale): Translate {
  return TRANSLATORS.get(locale) ?? ((key, vars) => translate(locale, key, vars));
}

// One per locale, made once: every request gets its locale's (res.locals.t) without a closure of its own.
const TRANSLATORS = new Map<Locale, Translate>(LOCALES.map((locale) => [locale, (key, vars) => translate(locale, key, vars)]));

/** Every key of a catalog, dotted; the unit tests check both locales have the same set. */
export function catalogKeys(locale: Locale): string[] {
  const walk = (node: Messages, prefix: string): string[] =>
    Object.entries(node).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : walk(v, `${prefix}${k}.`)));
  return walk(CATALOGS[locale], '').sort();
}

/** The best supported locale for an Accept-Language header, by quality then order. */
export function negotiateLocale(acceptLanguage: string | undefined, fallback: Locale = DEFAULT_LOCALE): Locale {
  if (!acceptLanguage) return fallback;
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { lang: tag.trim().toLowerCase().split('-')[0], q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((entry) => entry.q > 0 && !Number.isNaN(entry.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((entry) => entry.lang).find(isLocale) ?? fallback;
}
