/**
 * MongoDB regular expressions (PCRE syntax, options i/m/s/u/x) turned into JS RegExps,
 * and the `$regex` predicate: strings and symbols are searched, regex values match
 * only an identical regex. Patterns JS cannot express fail with MongoDB's code 51091.
 */
import { locationError } from './match-errors';

export interface MongoRegex {
  re: RegExp;
  pattern: string;
  options: string;
}

const SYNTAX = '^$\\.*+?()[]{}|/';
const POSIX: Record<string, string> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', xdigit: '0-9A-Fa-f',
  space: ' \\t\\n\\r\\f\\v', blank: ' \\t', word: '\\w', punct: '!-\\/:-@\\[-`{-~',
  cntrl: '\\x00-\\x1f\\x7f', print: '\\x20-\\x7e', graph: '\\x21-\\x7e',
};

function literal(text: string, inClass: boolean): string {
  let out = '';
  for (const ch of text) out += (inClass ? '\\]^-[' : SYNTAX).includes(ch) ? `\\${ch}` : ch;
  return out;
}

/** Rewrites a PCRE pattern into JS syntax; throws a plain Error for what JS cannot express. */
function translate(pattern: string, flags: { x: boolean; m: boolean; s: boolean; i: boolean }): string {
  let p = pattern;
  const lead = /^\(\?([imsx]+)\)/.exec(p);
  if (lead) {
    for (const f of lead[1]) flags[f as 'i' | 'm' | 's' | 'x'] = true;
    p = p.slice(lead[0].length);
  }
  let out = '';
  let inClass = false;
  let classFirst = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      const d = p[++i];
      if (d === undefined) throw new Error('\\ at end of pattern');
      if (d === 'Q') {
        const end = p.indexOf('\\E', i + 1);
        out += literal(end < 0 ? p.slice(i + 1) : p.slice(i + 1, end), inClass);
        i = end < 0 ? p.length : end + 1;
      } else if (d === 'E') {
        continue;
      } else if (!inClass && (d === 'A' || d === 'z' || d === 'Z')) {
        // PCRE anchors to the subject's start/end whatever the multiline flag says.
        out += d === 'A' ? '(?<![\\s\\S])' : d === 'z' ? '(?![\\s\\S])' : '(?=\\n?(?![\\s\\S]))';
      } else if (d === 'h' || d === 'H') {
        out += d === 'h' ? (inClass ? ' \\t' : '[ \\t]') : '[^ \\t]';
      } else if (d === 'x' && p[i + 1] === '{') {
        const end = p.indexOf('}', i);
        if (end < 0) throw new Error('missing } in \\x{}');
        out += literal(String.fromCodePoint(parseInt(p.slice(i + 2, end), 16)), inClass);
        i = end;
      } else if ((d === 'p' || d === 'P') && p[i + 1] === '{') {
        const end = p.indexOf('}', i);
        if (end < 0) throw new Error('malformed \\p{...} property');
        out += p.slice(i - 1, end + 1); // Unicode properties: same syntax in JS's unicode mode
        i = end;
      } else if (/[A-Za-z0-9]/.test(d)) {
        if (d === 'G' || d === 'K' || d === 'R' || d === 'X' || d === 'C') throw new Error(`\\${d} is not supported`);
        out += `\\${d}`;
      } else {
        // JS unicode mode rejects identity escapes of non-syntax characters (\-, \#, \ ...).
        out += SYNTAX.includes(d) || (inClass && d === '-') ? `\\${d}` : d;
      }
      classFirst = false;
      continue;
    }
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const end = p.indexOf(':]', i + 2);
        const name = end < 0 ? undefined : p.slice(i + 2, end);
        if (name === undefined || POSIX[name] === undefined) throw new Error('unknown POSIX class name');
        out += POSIX[name];
        i = end + 1;
      } else if (c === ']' && !classFirst) {
        inClass = false;
        out += c;
      } else {
        out += c === '[' || c === ']' ? `\\${c}` : c;
      }
      classFirst = false;
      continue;
    }
    if (flags.x && /\s/.test(c)) continue;
    if (flags.x && c === '#') {
      while (i + 1 < p.length && p[i + 1] !== '\n') i++;
      continue;
    }
    switch (c) {
      case '[':
        inClass = true;
        classFirst = true;
        out += '[';
        if (p[i + 1] === '^') out += p[++i];
        break;
      case '.':
        // PCRE's dot excludes only \n (JS's also \r, \u2028, \u2029).
        out += flags.s ? '[\\s\\S]' : '[^\\n]';
        break;
      case '^':
        out += flags.m ? '(?:(?<![\\s\\S])|(?<=\\n))' : '(?<![\\s\\S])';
        break;
      case '$':
        // PCRE's $ also matches before a final newline; with m, before any newline.
        out += flags.m ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))';
        break;
      case '(': {
        if (p[i + 1] !== '?') {
          out += c;
          break;
        }
        const rest = p.slice(i + 2);
        if (rest.startsWith('#')) {
          const end = p.indexOf(')', i);
          if (end < 0) throw new Error('missing ) after comment');
          i = end;
        } else if (rest.startsWith('P<')) {
          out += '(?<';
          i += 3;
        } else if (rest.startsWith('P=')) {
          const end = p.indexOf(')', i);
          if (end < 0) throw new Error('missing )');
          out += `\\k<${p.slice(i + 4, end)}>`;
          i = end;
        } else if (rest.startsWith('>')) {
          out += '(?:'; // atomic group: same matches, minus the backtracking cut
          i += 2;
        } else if (/^(?::|=|!|<=|<!|<[A-Za-z_])/.test(rest)) {
          out += '(?';
          i += 1;
        } else {
          throw new Error('unsupported group construct (?' + rest.slice(0, 2));
        }
        break;
      }
      case '{': {
        const q = /^\{\d+(?:,\d*)?\}/.exec(p.slice(i));
        if (!q) {
          out += '\\{';
          break;
        }
        out += q[0];
        i += q[0].length - 1;
        if (p[i + 1] === '+') i++; // possessive quantifier: keep the quantifier
        break;
      }
      case '}': case ']':
        out += `\\${c}`;
        break;
      case '*': case '+': case '?':
        out += c;
        if (p[i + 1] === '+') i++;
        break;
      default:
        out += c;
    }
  }
  if (inClass) throw new Error('missing terminating ] for character class');
  return out;
}

/** Compiles a MongoDB regex; bad options → 51108, bad patterns → 51091 (as MongoDB). */
export function compileRegex(pattern: string, options: string): MongoRegex {
  for (const f of options) {
    if (!'imsux'.includes(f)) throw locationError(51108, `invalid flag in regex options: ${f}`);
  }
  if (pattern.includes('\0')) throw locationError(51109, 'Regular expression cannot contain an embedded null byte');
  const flags = { i: options.includes('i'), m: options.includes('m'), s: options.includes('s'), x: options.includes('x') };
  let source: string;
  try {
    source = translate(pattern, flags);
  } catch (e) {
    throw locationError(51091, `Regular expression is invalid: ${(e as Error).message}`);
  }
  const base = flags.i ? 'i' : '';
  try {
    return { re: new RegExp(source, `${base}u`), pattern, options };
  } catch {
    try {
      // Some PCRE escapes (\e, \1 before its group...) only parse outside JS's unicode mode.
      return { re: new RegExp(source, base), pattern, options };
    } catch (e) {
      throw locationError(51091, `Regular expression is invalid: ${(e as Error).message}`);
    }
  }
}

/** Pattern and options of a regex value (JS RegExp or BSONRegExp), or undefined for others. */
export function regexParts(v: unknown): { pattern: string; options: string } | undefined {
  if (v instanceof RegExp) {
    // The driver sends only i, m and s (dotAll) of a JS RegExp's flags.
    return { pattern: v.source, options: [...v.flags].filter((f) => 'ims'.includes(f)).sort().join('') };
  }
  if (v !== null && typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'BSONRegExp') {
    const r = v as { pattern: string; options: string };
    return { pattern: r.pattern, options: r.options };
  }
  return undefined;
}

/** The `$regex` test on one value: strings/symbols searched, regex values compared exactly. */
export function regexPredicate(rx: MongoRegex): (v: unknown) => boolean {
  const { re, pattern, options } = rx;
  return (v) => {
    if (typeof v === 'string') return re.test(v);
    if (v === null || typeof v !== 'object') return false;
    const t = (v as { _bsontype?: string })._bsontype;
    if (t === 'BSONSymbol') return re.test(String((v as { value: string }).value));
    const parts = regexParts(v);
    return parts !== undefined && parts.pattern === pattern && parts.options === options;
  };
}
