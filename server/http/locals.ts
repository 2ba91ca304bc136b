/**
 * What the HTTP plumbing puts on `res.locals`, typed for handlers and views:
 * the reader's locale and translator (http/i18n.ts) and validated input (http/validate.ts).
 */
import type { Locale, Translate } from '../i18n';

export interface ValidatedInput {
  body: unknown;
  params: unknown;
  query: unknown;
}

declare module 'express-serve-static-core' {
  interface Locals {
    locale: Locale;
    t: Translate;
    /** The other supported locale and the current URL switched to it, for the layout's language link. */
    otherLocale: Locale;
    otherLocaleHref: string;
    input: ValidatedInput;
  }
}
