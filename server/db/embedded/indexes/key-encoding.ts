/**
 * Order-preserving string keys for BSON values: comparing two keys as plain JS strings gives
 * MongoDB's BSON order (`compareValues`), and values that compare equal (1, 1.0,
 * NumberLong(1), Decimal128("1.0"); null and missing) get the same key. Index entries and
 * the id keys collections store documents under are these strings.
 */
import type { Binary, Decimal128, Long, ObjectId, Timestamp } from 'bson';
import { typeRank } from '../query/values';

// Every value encoding starts with one character per type rank. Ranks are two apart so the
// key of an empty array in an index (MongoDB indexes it as `undefined`) fits between null
// and numbers without being equal to null.
const RANK = Array.from({ length: 17 }, (_, r) => String.fromCharCode(0x3f + 2 * r));
/** The index key of an empty array: near null in the order, but not null. */
export const EMPTY_ARRAY_KEY = String.fromCharCode(0x3f + 2 * 2 + 1);
/** The key of null, undefined and missing values. */
export const NULL_KEY = RANK[2];
// Ends strings, arrays and documents; below every other character an encoding holds, so a
// shorter string/array sorts first. ESC prefixes the characters that would collide with it.
const END = '\u0001';
const ESC = '\u0002';
const NAN_HEX = '0000000000000000';

/** The first character of every key of a value of this type rank (for type-bracketed ranges). */
export function rankPrefix(rank: number): string {
  return RANK[rank];
}

/** The key of one value. `compareValues(a, b) < 0` implies `encodeKey(a) < encodeKey(b)`. */
export function encodeKey(value: unknown): string {
  const rank = typeRank(value);
  return RANK[rank] + body(value, rank);
}

/** The id key of a document: collections store documents under `idKey(doc._id)`. */
export function idKey(id: unknown): string {
  return encodeKey(id);
}

/**
 * The key of a compound index entry: the components' keys concatenated. Each component key
 * is prefix-free, so concatenation orders like the tuple. A -1 direction inverts its
 * component (those keys are for in-memory use only: they may hold lone surrogates).
 */
export function encodeCompoundKey(values: readonly unknown[], directions?: readonly number[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const k = encodeKey(values[i]);
    out += directions !== undefined && directions[i] < 0 ? invertKey(k) : k;
  }
  return out;
}

/** Reverses the order of a (prefix-free) key: each code unit c becomes 0xFFFF - c. */
export function invertKey(key: string): string {
  let out = '';
  // Chunks keep String.fromCharCode's argument list short for very long keys.
  for (let start = 0; start < key.length; start += 4096) {
    const codes: number[] = [];
    const end = Math.min(key.length, start + 4096);
    for (let i = start; i < end; i++) codes.push(0xffff - key.charCodeAt(i));
    out += String.fromCharCode.apply(null, codes);
  }
  return out;
}

interface Wrapped { _bsontype?: string; value?: unknown; code?: unknown; pattern?: string; options?: string }

function body(v: unknown, rank: number): string {
  switch (rank) {
    case 3: return numberBody(v);
    case 4: return escapeString(typeof v === 'string' ? v : String((v as Wrapped).value));
    case 5: return docBody(v as Record<string, unknown>);
    case 6: {
      let out = '';
      for (const e of v as unknown[]) out += encodeKey(e);
      return out + END;
    }
    case 7: {
      const b = v as Binary;
      const bytes = b.buffer.subarray(0, b.position ?? b.buffer.length);
      return hex8(bytes.length) + (b.sub_type & 0xff).toString(16).padStart(2, '0') + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
    }
    case 8: return (v as ObjectId).toHexString();
    case 9: return v ? '1' : '0';
    case 10: return doubleHex((v as Date).getTime());
    case 11: {
      const t = v as Timestamp;
      return hex8(t.high >>> 0) + hex8(t.low >>> 0);
    }
    case 12: {
      const [pattern, flags] = v instanceof RegExp ? [v.source, v.flags] : [(v as Wrapped).pattern ?? '', (v as Wrapped).options ?? ''];
      return escapeString(pattern) + escapeString(flags);
    }
    case 13: case 14: case 15: return escapeString(String((v as Wrapped).code));
    default: return ''; // MinKey, null/undefined/missing, MaxKey: the rank says it all
  }
}

// Documents compare field by field: the value's type first, then the name, then the value.
function docBody(doc: Record<string, unknown>): string {
  let out = '';
  for (const name of Object.keys(doc)) {
    const value = doc[name];
    const rank = typeRank(value);
    out += RANK[rank] + escapeString(name) + RANK[rank] + body(value, rank);
  }
  return out + END;
}

// Characters that need escaping: the three lowest (END, ESC and U+0000) and U+D7FF..U+FFFF,
// because MongoDB orders strings by UTF-8 bytes, where U+E000..U+FFFF come before the
// surrogate pairs of supplementary characters, but UTF-16 code units put them after.
// eslint-disable-next-line no-control-regex -- the control characters are the point
const NEEDS_ESCAPE = /[\u0000-\u0002\uD7FF-\uFFFF]/;

/**
 * A string as a prefix-free, order-preserving code: most characters stand for themselves;
 * 0..2 become ESC + (c + 3); U+D7FF and U+E000..U+FFFF become U+D7FF + a low character, so
 * they sort after U+D7FE and before the (unchanged) surrogates. The result stays valid
 * UTF-16 when the input is, so id keys can be stored as strings anywhere.
 */
function escapeString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s + END;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 2) out += ESC + String.fromCharCode(c + 3);
    else if (c === 0xd7ff) out += '\uD7FF\u0003';
    else if (c >= 0xe000) out += '\uD7FF' + String.fromCharCode(c - 0xe000 + 4);
    else out += s[i];
  }
  return out + END;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

const view = new DataView(new ArrayBuffer(8));

/** 16 hex digits whose string order is the numeric order of doubles; NaN first, -0 = 0. */
function doubleHex(d: number): string {
  if (d !== d) return NAN_HEX;
  view.setFloat64(0, d === 0 ? 0 : d);
  let hi = view.getUint32(0);
  let lo = view.getUint32(4);
  if (hi >= 0x80000000) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else {
    hi = (hi | 0x80000000) >>> 0;
  }
  return hex8(hi) + hex8(lo);
}

/**
 * A number: the double nearest to its value, then what separates it from that double
 * ('b': nothing). Rounding to nearest is monotonic, so the order is kept; the residual
 * keeps Int64 and Decimal128 values that share a double apart and in order.
 */
function numberBody(v: unknown): string {
  if (typeof v === 'number') return doubleHex(v) + 'b';
  if (typeof v === 'bigint') return longBody(v);
  switch ((v as Wrapped)._bsontype) {
    case 'Long': {
      const n = (v as Long).toNumber();
      return Number.isSafeInteger(n) ? doubleHex(n) + 'b' : longBody((v as Long).toBigInt());
    }
    case 'Decimal128': return decimalBody((v as Decimal128).toString());
    default: return doubleHex((v as { value: number }).value) + 'b';
  }
}

function longBody(exact: bigint): string {
  const d = Number(exact);
  return doubleHex(d) + residual(exact - BigInt(d), 0);
}

function decimalBody(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) return doubleHex(Number.parseFloat(text)) + 'b'; // NaN, ±Infinity
  const frac = m[3] ?? '';
  const coef = BigInt((m[2] || '') + frac || '0') * (m[1] === '-' ? -1n : 1n);
  const exp = Number(m[4] ?? 0) - frac.length;
  let d = Number.parseFloat(text);
  // Beyond the doubles: anchor at the largest finite double, the residual orders the rest.
  if (!Number.isFinite(d)) d = d > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
  // The decimal that compareNumbers takes a double to be (query/numbers.ts): exact for
  // integers, the shortest round-trip form otherwise.
  let dCoef: bigint;
  let dExp = 0;
  if (Number.isInteger(d)) {
    dCoef = BigInt(d);
  } else {
    const s = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(d.toString()) as RegExpExecArray;
    dCoef = BigInt(s[2] + (s[3] ?? '')) * (s[1] ? -1n : 1n);
    dExp = Number(s[4] ?? 0) - (s[3] ?? '').length;
  }
  const e = Math.min(exp, dExp);
  const diff = coef * 10n ** BigInt(exp - e) - dCoef * 10n ** BigInt(dExp - e);
  return doubleHex(d) + residual(diff, e);
}

/**
 * coef × 10^exp as an order-preserving, prefix-free code: 'b' for zero; 'c' + exponent +
 * digits + '!' for positive values; 'a' + inverted exponent and digits + '~' for negative.
 */
function residual(coef: bigint, exp: number): string {
  if (coef === 0n) return 'b';
  const negative = coef < 0n;
  let digits = (negative ? -coef : coef).toString();
  const trimmed = digits.replace(/0+$/, '');
  exp += digits.length - trimmed.length;
  digits = trimmed;
  const magnitude = exp + digits.length; // value = 0.digits × 10^magnitude
  if (!negative) return 'c' + String(50000 + magnitude).padStart(6, '0') + digits + '!';
  let inverted = '';
  for (let i = 0; i < digits.length; i++) inverted += String(9 - (digits.charCodeAt(i) - 48));
  return 'a' + String(50000 - magnitude).padStart(6, '0') + inverted + '~';
}
