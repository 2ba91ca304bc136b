/**
 * Hostile input for the fuzz suites: strings (unicode edge cases, script and HTML,
 * handlebars-looking text, path traversal, huge), values of the wrong type, query
 * operators, and whole bodies, malformed or not. Draws come from a seeded mulberry32 so a
 * failure replays: every fuzzer names its seed (FUZZ_SEED=<n> replays it; FUZZ_ROUNDS=<k>
 * runs k times as many rounds).
 */
import { seeded, type Rng } from './random';

/** At the start of a value or in a key of every operator payload, and nowhere else: test/helpers/fuzz-db.ts looks for it in commands. */
export const OPERATOR_MARK = 'OPINJ';
/** The attribute every markup payload puts on the element it would inject. */
export const XSS_ATTR = 'data-fzx';

/** Script payloads that would push `id` onto window.__xss if they ever ran. */
export function scriptPayloads(id: string): string[] {
  const run = `(window.__xss=window.__xss||[]).push('${id}')`;
  return [
    `<script ${XSS_ATTR}>${run}</script>`,
    `"><img ${XSS_ATTR} src=x onerror="${run}">`,
    `'><svg ${XSS_ATTR} onload=${run}>`,
    `</textarea></title></pre><b ${XSS_ATTR}>${id}</b>`,
    `" autofocus onfocus="${run}" ${XSS_ATTR}="`,
    `javascript:${run}`,
    `<a ${XSS_ATTR} href="javascript:${run}">${id}</a>`,
    `{{${id}}} {{{${id}}}} {{#each this}}${id}{{/each}} {{> layouts/main}}`,
    `</script><script ${XSS_ATTR}>${run}</script>`,
    `<iframe ${XSS_ATTR} srcdoc="<script>${run}</script>"></iframe>`,
    `<b ${XSS_ATTR}>${id}</b>`,
    `<i ${XSS_ATTR}>{{${id}}}</i>`,
  ];
}

export const UNICODE: readonly string[] = [
  '\uD800',
  'a\uDFFFb',
  '\uD83D',
  '\u202Eevil\u202C.txt',
  '\u200F\u200Eשלום مرحبا',
  'nul\u0000byte',
  '\u0000',
  '👩‍👩‍👧‍👦🏳️‍🌈😀',
  'e\u0301\u0301\u0301\u0301Z\u036F\u0489\u0489',
  '\uFEFFbom',
  'line\u2028sep\u2029',
  '＜script＞',
  '𝕏𝔂𝔃',
  'İstanbul ß ﬃ',
  'cr\r\nlf\n\ttab',
  '\u001B[31mred',
  ' ',
  '',
];

export const TRAVERSAL: readonly string[] = [
  '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%5c..%5cwindows%5cwin.ini',
  '..\\..\\windows\\win.ini',
  '....//....//etc/passwd',
  '/etc/passwd%00.css',
  '%252e%252e%252f',
  'a%00b',
  '.',
  '..',
  '%',
  '%zz',
  '%C0%AF',
  '%ED%A0%80',
  '%FF%FE',
];

/** Text shaped like numbers, dates and codes, valid or not. */
export const ODD_SCALARS: readonly string[] = [
  '-1', '0', '1e309', 'NaN', 'Infinity', '0x10', '9'.repeat(400), '1.5', 'true', 'null', 'undefined',
  '2026-02-30', '9999-99-99', '0000-00-00', '2026-11-20T25:61:00Z', '+275760-09-13T00:00:00Z',
  'ABV', 'abv', 'business-support', 'post-call', 'yes', 'no', 'on', '507f1f77bcf86cd799439011', 'constructor', '__proto__',
];

/** `n` rounds, times FUZZ_ROUNDS when set (a deeper run by hand; the suite stays bounded). */
export function rounds(n: number): number {
  const factor = Number(process.env.FUZZ_ROUNDS ?? 1);
  return Number.isFinite(factor) && factor > 0 ? Math.ceil(n * factor) : n;
}

/** A query operator, with the mark where a value goes so the command watch can see it. */
export function operatorPayloads(): Record<string, unknown>[] {
  return [
    { $gt: '', $comment: OPERATOR_MARK },
    { $ne: null, $comment: OPERATOR_MARK },
    { $ne: OPERATOR_MARK },
    { $where: `${OPERATOR_MARK} || true` },
    { $regex: `${OPERATOR_MARK}|.*` },
    { $exists: true, $comment: OPERATOR_MARK },
    { $in: [OPERATOR_MARK, null, ''] },
    { $expr: { $eq: [1, 1] }, $comment: OPERATOR_MARK },
    { [`${OPERATOR_MARK}.dotted`]: 1, [`$${OPERATOR_MARK}`]: 1 },
    { $set: { role: 'admin', note: OPERATOR_MARK } },
  ];
}

/** JSON texts whose keys a JavaScript literal cannot write: prototype keys. */
export const PROTOTYPE_JSON: readonly string[] = [
  `{"__proto__":{"polluted":"${OPERATOR_MARK}","isAdmin":true}}`,
  `{"constructor":{"prototype":{"polluted":"${OPERATOR_MARK}"}}}`,
  `{"a":{"__proto__":{"polluted":"${OPERATOR_MARK}"}},"__proto__":[]}`,
];

/** Malformed or surprising raw bodies, each with the content type it is sent under. */
export const RAW_BODIES: readonly { type: string; raw: string | Buffer }[] = [
  { type: 'application/json', raw: '{"answers":' },
  { type: 'application/json', raw: '{"a":1}}' },
  { type: 'application/json', raw: '[' },
  { type: 'application/json', raw: 'nul' },
  { type: 'application/json', raw: "{'single':'quotes'}" },
  { type: 'application/json', raw: '{"a":1,}' },
  { type: 'application/json', raw: '' },
  { type: 'application/json', raw: '"just a string"' },
  { type: 'application/json', raw: '123' },
  { type: 'application/json', raw: 'null' },
  { type: 'application/json', raw: '{"a":"\\ud800"}' },
  { type: 'application/json', raw: '{"dup":1,"dup":{"$gt":""}}' },
  { type: 'application/json', raw: Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]) },
  { type: 'application/json', raw: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0xe0, 0x80, 0xaf, 0xed, 0xa0, 0x80, 0xff, 0x22, 0x7d]) },
  { type: 'application/json; charset=utf-16', raw: '{}' },
  { type: 'application/json; charset=latin1', raw: '{}' },
  { type: 'application/x-www-form-urlencoded', raw: 'a=%ZZ&b=%C0%AF&c=%00&&=&d' },
  { type: 'application/x-www-form-urlencoded', raw: 'a[b]=1&a[$ne]=x&__proto__[polluted]=1&constructor[prototype][x]=1' },
  { type: 'application/x-www-form-urlencoded', raw: Buffer.from([0x61, 0x3d, 0xc0, 0xaf, 0xff, 0xfe]) },
  { type: 'text/plain', raw: 'hello' },
  { type: 'application/xml', raw: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>' },
  { type: 'multipart/form-data', raw: '--x\r\n' },
  { type: 'multipart/form-data; boundary=zz', raw: '--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n' },
  { type: 'application/octet-stream', raw: Buffer.from([0x00, 0xff, 0x00, 0x10]) },
];

export interface Fuzz {
  readonly seed: number;
  readonly rng: Rng;
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A hostile string; `id` marks its script payloads. */
  string(id?: string): string;
  /** A value of any JSON type, an operator, or a nested structure `depth` levels deep at most. */
  value(depth?: number): unknown;
  /** An object with some of `fields` (and perhaps unknown ones) set to hostile values. */
  object(fields: readonly string[]): Record<string, unknown>;
  /** Form fields (strings and repeated strings only, as a browser sends). */
  form(fields: readonly string[]): Record<string, string | string[]>;
  /** A query string ('' or '?…') over some of `fields`, with bracketed operator keys, repeats and raw escapes. */
  query(fields: readonly string[]): string;
  /** A path segment: one of `valid` (encoded) or a hostile one, encoded or raw. */
  segment(valid: readonly string[]): string;
}

/** FNV-1a of a test's name. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i += 1) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** encodeURIComponent, with lone surrogates (which it refuses) as U+FFFD. */
export function encode(text: string): string {
  return encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
}

function nested(depth: number): unknown {
  let value: unknown = OPERATOR_MARK.toLowerCase();
  for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

/**
 * A fuzzer for one test file (call it at the top level): seeded from FUZZ_SEED when set,
 * else from the clock; it prints its seed.
 */
export function fuzzer(label: string): Fuzz {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0;
  // The seed must reach whoever reads a failure: jest shows this line with the file's output.
  console.info(`${label}: fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
  // Each test draws from its own sequence (the seed and the test's name): `-t` replays one test alone.
  let current = seeded(seed);
  beforeEach(() => {
    current = seeded((seed ^ hashName(expect.getState().currentTestName ?? '')) >>> 0);
  });
  const rng: Rng = () => current();
  const int = (min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
  const chance = (p: number) => rng() < p;
  const string = (id = 'fz') => {
    const kind = int(0, 6);
    if (kind === 0) return pick(scriptPayloads(id));
    if (kind === 1) return pick(UNICODE);
    if (kind === 2) return pick(TRAVERSAL);
    if (kind === 3) return pick(ODD_SCALARS);
    if (kind === 4) return 'x'.repeat(pick([101, 255, 1001, 5000, 20_000]));
    if (kind === 5) return `${pick(UNICODE)}${pick(scriptPayloads(id))}${pick(UNICODE)}`;
    return Array.from({ length: int(1, 40) }, () => String.fromCharCode(int(0, 0xffff))).join('');
  };
  const value = (depth = 3): unknown => {
    const kind = int(0, 9);
    if (kind <= 2) return string();
    if (kind === 3) return pick([null, true, false, 0, -1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2]);
    if (kind === 4) return pick(operatorPayloads());
    if (kind === 5) return depth > 0 ? Array.from({ length: int(0, 3) }, () => value(depth - 1)) : [];
    if (kind === 6) return depth > 0 ? { [pick(['a', '$gt', 'x.y', '__proto__', ''])]: value(depth - 1) } : {};
    if (kind === 7) return nested(int(20, 400));
    if (kind === 8) return [string(), string()];
    return {};
  };
  const object = (fields: readonly string[]) => {
    const out: Record<string, unknown> = {};
    for (const f of fields) if (chance(0.7)) out[f] = value();
    if (chance(0.3)) out[pick(['$where', 'extra', 'a.b', `$${OPERATOR_MARK}`, 'constructor'])] = value(1);
    return out;
  };
  const form = (fields: readonly string[]) => {
    const out: Record<string, string | string[]> = {};
    for (const f of fields) if (chance(0.8)) out[f] = chance(0.15) ? [string(), string()] : string();
    return out;
  };
  const query = (fields: readonly string[]) => {
    const parts: string[] = [];
    for (let n = int(0, 5); n > 0; n -= 1) {
      const name = pick(fields);
      const key = pick([name, name, `${name}[$ne]`, `${name}[$gt]`, `${name}[]`, '__proto__[polluted]', `${name}.$where`, string()]);
      const val = chance(0.8) ? encode(string()) : pick(TRAVERSAL);
      parts.push(`${encode(key).replace(/%5B/g, '[').replace(/%5D/g, ']').replace(/%24/g, '$')}=${val}`);
      if (chance(0.1)) parts.push(`${encodeURIComponent(name)}=${encode(string())}`);
    }
    return parts.length > 0 ? `?${parts.join('&')}` : '';
  };
  const segment = (valid: readonly string[]) => {
    if (valid.length > 0 && chance(0.45)) return encodeURIComponent(pick(valid));
    if (chance(0.3)) return pick(TRAVERSAL);
    const hostile = chance(0.2) ? JSON.stringify(pick(operatorPayloads())) : string();
    return encode(hostile) || '%20';
  };
  return { seed, rng, int, chance, pick, string, value, object, form, query, segment };
}
