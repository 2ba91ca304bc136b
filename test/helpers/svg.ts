/**
 * A strict little XML reader for the SVG charts: it throws on anything that is not
 * well-formed (unclosed or crossed tags, unquoted attributes, stray < or &, two roots)
 * and returns the element tree, so tests can look for <title>, <desc> and text.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text, entities decoded (not its descendants'). */
  text: string;
}

const TAG = /^<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*"[^"<]*")*)\s*(\/?)>$/;
const ATTR = /([A-Za-z_][\w:.-]*)\s*=\s*"([^"<]*)"/g;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function decode(text: string, where: string): string {
  if (/&/.test(text.replace(ENTITY, ''))) throw new Error(`bare & in ${where}: ${text.slice(0, 60)}`);
  return text
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e] as string);
}

/** The root element of `xml`; throws an Error naming the first problem. */
export function parseXml(xml: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let at = 0;
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  for (const match of body.matchAll(/<[^>]*>/g)) {
    const between = body.slice(at, match.index);
    if (between.includes('<')) throw new Error(`stray < before ${match[0]}`);
    const text = decode(between, 'text');
    if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside the root: ${text.slice(0, 40)}`);
    if (stack.length > 0) (stack[stack.length - 1] as XmlElement).text += text;
    at = (match.index as number) + match[0].length;
    const tag = TAG.exec(match[0]);
    if (!tag) throw new Error(`malformed tag ${match[0].slice(0, 80)}`);
    const [, closing, name, attrText, selfClosing] = tag as unknown as [string, string, string, string, string];
    if (closing) {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const [, key, value] of attrText.matchAll(ATTR)) {
      if ((key as string) in attrs) throw new Error(`attribute ${key} twice on <${name}>`);
      attrs[key as string] = decode(value as string, `attribute ${key}`);
    }
    const element: XmlElement = { name, attrs, children: [], text: '' };
    if (stack.length > 0) (stack[stack.length - 1] as XmlElement).children.push(element);
    else if (root) throw new Error('two root elements');
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (body.slice(at).trim() !== '') throw new Error('text after the root');
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1]?.name}> is never closed`);
  if (!root) throw new Error('no element');
  return root;
}

/** Every element of the tree, depth first. */
export function allElements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(allElements)];
}

/** The text of every <text> element, in document order. */
export function svgTexts(root: XmlElement): string[] {
  return allElements(root)
    .filter((e) => e.name === 'text')
    .map((e) => e.text.trim());
}
