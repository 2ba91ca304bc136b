/**
 * Email rendering: views/emails/<name>.hbs (HTML) and <name>.txt.hbs (plain text), with
 * the app's helpers ({{t}}, {{formatDate}}) in the given locale, and the subject from
 * i18n `email.<name>.subject`. Partials come from views/emails/partials/. Pure: no I/O
 * beyond reading (and caching) the template files.
 */
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { registerHelpers } from '../http/helpers';
import { translate, type Locale } from '../i18n';

export const EMAILS_DIR = path.resolve(__dirname, '..', '..', 'views', 'emails');

type Flavour = 'html' | 'text';
const SUFFIX: Record<Flavour, string> = { html: '.hbs', text: '.txt.hbs' };

/** One Handlebars per flavour, so HTML partials are escaped and plain-text ones are not. */
const engines: Record<Flavour, typeof Handlebars> = { html: Handlebars.create(), text: Handlebars.create() };
registerHelpers(engines.html);
registerHelpers(engines.text);
let partialsLoaded = false;
const compiled = new Map<string, { file: string; checkedAt: number; mtimeMs: number; template: Handlebars.TemplateDelegate }>();
/**
 * How long a compiled template is used before its file's mtime is looked at again. A
 * stat and a path join per part of every email were a fifth of rendering's cost when the
 * dispatch worker drains thousands; an edit still shows up within a second, without a restart.
 */
const RECHECK_MS = 1000;

/** Compiles once per file version: template edits show up without a restart (partials are read once). */
function template(name: string, flavour: Flavour): Handlebars.TemplateDelegate {
  const key = `${flavour}:${name}`;
  const cached = compiled.get(key);
  const now = Date.now();
  if (cached && now - cached.checkedAt < RECHECK_MS) return cached.template;
  const file = cached?.file ?? path.join(EMAILS_DIR, name + SUFFIX[flavour]);
  const { mtimeMs } = fs.statSync(file);
  if (cached && cached.mtimeMs === mtimeMs) {
    cached.checkedAt = now;
    return cached.template;
  }
  // Plain text is not HTML: `O'Brien` must stay `O'Brien`, not `O&#x27;Brien`.
  const fresh = engines[flavour].compile(fs.readFileSync(file, 'utf8'), { noEscape: flavour === 'text' });
  compiled.set(key, { file, checkedAt: now, mtimeMs, template: fresh });
  return fresh;
}

/** views/emails/partials/<name>.hbs and <name>.txt.hbs, each registered as `<name>` in its flavour. */
function loadPartials(): void {
  if (partialsLoaded) return;
  const dir = path.join(EMAILS_DIR, 'partials');
  for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const flavour: Flavour | null = entry.endsWith('.txt.hbs') ? 'text' : entry.endsWith('.hbs') ? 'html' : null;
    if (!flavour) continue;
    engines[flavour].registerPartial(entry.slice(0, -SUFFIX[flavour].length), fs.readFileSync(path.join(dir, entry), 'utf8'));
  }
  partialsLoaded = true;
}

/**
 * Renders one email in `locale`. `data` is the template's root (locale is added) and
 * fills `{placeholders}` of the subject. Throws if the template files do not exist.
 */
export function renderEmail(name: string, locale: Locale, data: object): { subject: string; text: string; html: string } {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`renderEmail: not a template name: ${name}`);
  loadPartials();
  const root = { ...(data as Record<string, unknown>), locale };
  const subject = translate(locale, `email.${name}.subject`, root);
  return {
    subject,
    html: template(name, 'html')({ ...root, subject }).trim() + '\n',
    text: tidyText(template(name, 'text')({ ...root, subject })),
  };
}

/** Template logic leaves blank runs and trailing spaces behind; mail clients show them as they are. */
function tidyText(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  );
}
