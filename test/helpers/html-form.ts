/**
 * Reads a server-rendered form the way a browser would submit it: text inputs, hidden
 * inputs, textareas, the selected option of each select, checked boxes and radios.
 * Enough for the app's own markup (attributes in double quotes), not a general HTML parser.
 */

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#x3D;': '=', '&#x60;': '`', '&#39;': "'" };
export const unescapeHtml = (s: string) => s.replace(/&(?:amp|lt|gt|quot|#x27|#x3D|#x60|#39);/g, (e) => ENTITIES[e] ?? e);

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescapeHtml(m[1] ?? '') : undefined;
}
const has = (tag: string, name: string) => new RegExp(`\\s${name}(?=[\\s>=])`).test(tag);

/** The HTML of the first form whose action ends with `actionSuffix`. */
export function formHtml(html: string, actionSuffix: string): string {
  for (const m of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)) {
    const action = attr(m[0].slice(0, m[0].indexOf('>') + 1), 'action') ?? '';
    if (action.endsWith(actionSuffix)) return m[0];
  }
  throw new Error(`no form posting to …${actionSuffix}`);
}

/** The values the form would send (the last value wins for a repeated name). */
export function formValues(html: string, actionSuffix: string): Record<string, string> {
  const form = formHtml(html, actionSuffix);
  const values: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
    const name = attr(tag, 'name');
    const type = attr(tag, 'type') ?? 'text';
    if (!name || has(tag, 'disabled') || type === 'submit' || type === 'file') continue;
    if ((type === 'checkbox' || type === 'radio') && !has(tag, 'checked')) continue;
    values[name] = attr(tag, 'value') ?? (type === 'checkbox' ? 'on' : '');
  }
  for (const m of form.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    const name = attr(`<textarea${m[1]}>`, 'name');
    if (name) values[name] = unescapeHtml(m[2] ?? '');
  }
  for (const m of form.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const name = attr(`<select${m[1]}>`, 'name');
    if (!name) continue;
    const options = [...(m[2] ?? '').matchAll(/<option\b[^>]*>/g)].map((o) => o[0]);
    const chosen = options.find((o) => has(o, 'selected')) ?? options[0];
    values[name] = chosen ? (attr(chosen, 'value') ?? '') : '';
  }
  return values;
}

/** The text a person reads near an element: the message of the field-error linked to it. */
export function errorFor(html: string, inputId: string): string | undefined {
  const m = new RegExp(`<p class="field-error" id="${inputId}-error">([^<]*)</p>`).exec(html);
  return m ? unescapeHtml(m[1] ?? '') : undefined;
}
