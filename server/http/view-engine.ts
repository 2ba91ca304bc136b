/**
 * Handlebars as Express's view engine: compiles views/*.hbs, registers
 * views/partials/** as partials (by relative path: `{{> header}}`, `{{> survey/question}}`)
 * and wraps each page in views/layouts/<layout>.hbs (`main` unless `layout` says otherwise,
 * `layout: false` for none). Compiled templates are cached when Express's view cache is on.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { registerHelpers } from './helpers';

type Template = Handlebars.TemplateDelegate;
type Callback = (err: unknown, rendered?: string) => void;

/** Express render options that are not template data. */
const NOT_DATA = new Set(['settings', '_locals', 'cache', 'layout']);

export function createViewEngine(viewsDir: string) {
  const hbs = Handlebars.create();
  registerHelpers(hbs);
  const templates = new Map<string, Template>();
  let partialsLoaded = false;

  async function template(file: string, cache: boolean): Promise<Template> {
    const cached = cache ? templates.get(file) : undefined;
    if (cached) return cached;
    const compiled = hbs.compile(await fs.readFile(file, 'utf8'));
    if (cache) templates.set(file, compiled);
    return compiled;
  }

  async function loadPartials(cache: boolean): Promise<void> {
    if (cache && partialsLoaded) return;
    const dir = path.join(viewsDir, 'partials');
    const entries = await fs.readdir(dir, { recursive: true }).catch(() => [] as string[]);
    for (const entry of entries.filter((e) => e.endsWith('.hbs'))) {
      const name = entry.slice(0, -'.hbs'.length).split(path.sep).join('/');
      hbs.registerPartial(name, await fs.readFile(path.join(dir, entry), 'utf8'));
    }
    partialsLoaded = true;
  }

  async function render(file: string, options: Record<string, unknown>): Promise<string> {
    const cache = options.cache === true;
    await loadPartials(cache);
    const data = Object.fromEntries(Object.entries(options).filter(([key]) => !NOT_DATA.has(key)));
    const body = (await template(file, cache))(data);
    const layout = options.layout === undefined ? 'main' : options.layout;
    if (layout === false || layout === null) return body;
    const layoutFile = path.join(viewsDir, 'layouts', `${String(layout)}.hbs`);
    return (await template(layoutFile, cache))({ ...data, body });
  }

  return function engine(file: string, options: object, callback: Callback): void {
    render(file, options as Record<string, unknown>).then(
      (html) => callback(null, html),
      (err: unknown) => callback(err),
    );
  };
}
