/**
 * Reads HTML the way a browser splits it (tags, quoted attributes, raw-text elements,
 * comments) and names every place where a payload of test/helpers/fuzz.ts became markup
 * instead of text: an element or attribute carrying the payload mark, an event handler or
 * script that would run it, a `javascript:` URL. Escaped payloads are text and pass.
 */
import { XSS_ATTR } from './fuzz';

const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title']);
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'srcdoc', 'data', 'poster']);

interface Tag {
  name: string;
  attrs: [string, string][];
  end: number;
}

/** Browsers skip control characters inside a URL's scheme (`java\tscript:`). */
const withoutControls = (s: string) => [...s].filter((c) => c.charCodeAt(0) > 0x1f).join('');

/** Enough entity decoding to see through `&#x6A;avascript&colon;`. */
function decodeEntities(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);?/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);?/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&colon;/gi, ':')
    .replace(/&tab;|&newline;/gi, '');
}

function readTag(html: string, start: number): Tag | null {
  const nameMatch = /^<([a-zA-Z][^\s/>]*)/.exec(html.slice(start, start + 100));
  if (!nameMatch?.[1]) return null;
  const attrs: [string, string][] = [];
  let i = start + nameMatch[0].length;
  while (i < html.length) {
    while (/[\s/]/.test(html[i] ?? '')) i += 1;
    if (html[i] === '>' || i >= html.length) break;
    const name = /^[^\s/>=]+/.exec(html.slice(i))?.[0] ?? html[i] ?? '';
    i += name.length;
    while (/\s/.test(html[i] ?? '')) i += 1;
    let value = '';
    if (html[i] === '=') {
      i += 1;
      while (/\s/.test(html[i] ?? '')) i += 1;
      const quote = html[i];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, i + 1);
        const stop = close < 0 ? html.length : close;
        value = html.slice(i + 1, stop);
        i = stop + 1;
      } else {
        value = /^[^\s>]*/.exec(html.slice(i))?.[0] ?? '';
        i += value.length;
      }
    }
    attrs.push([name.toLowerCase(), decodeEntities(value)]);
  }
  return { name: nameMatch[1].toLowerCase(), attrs, end: i + 1 };
}

/** Where `html` lets a payload run or inject markup; [] when every payload stayed text. */
export function unsafeMarkup(html: string): string[] {
  const found: string[] = [];
  const lower = html.toLowerCase();
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      i = close < 0 ? html.length : close + 3;
      continue;
    }
    const tag = readTag(html, lt);
    if (!tag) {
      i = lt + 1;
      continue;
    }
    const where = html.slice(lt, Math.min(tag.end, lt + 160));
    for (const [name, value] of tag.attrs) {
      if (name.startsWith(XSS_ATTR)) found.push(`injected <${tag.name} ${name}>: ${where}`);
      if (name.startsWith('on') && value.includes('__xss')) found.push(`event handler ${name} runs a payload: ${where}`);
      if (URL_ATTRS.has(name) && /^\s*javascript:/i.test(withoutControls(value))) found.push(`javascript: URL in ${name}: ${where}`);
      if (name === 'srcdoc' && value.includes('__xss')) found.push(`srcdoc runs a payload: ${where}`);
    }
    i = tag.end;
    if (RAW_TEXT.has(tag.name)) {
      const close = lower.indexOf(`</${tag.name}`, i);
      const text = html.slice(i, close < 0 ? html.length : close);
      if (tag.name === 'script' && text.includes('__xss')) found.push(`script runs a payload: ${where}${text.slice(0, 80)}`);
      i = close < 0 ? html.length : close;
    }
  }
  return found;
}
