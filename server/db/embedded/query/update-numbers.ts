/**
 * Arithmetic of $inc, $mul and $bit with MongoDB's numeric type rules: Int32 widens to
 * Int64 on overflow, Int64 overflow is an error, Double wins over integers, and
 * Decimal128 is computed exactly (BigInt coefficients, 34 digits, half-even rounding).
 */
import { Decimal128, Double, Int32, Long } from 'bson';
import { bsonType, numberValue } from './values';

type Kind = 'int' | 'long' | 'double' | 'decimal';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MIN_BIG = -(2n ** 31n);
const INT32_MAX_BIG = 2n ** 31n - 1n;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const KIND_ORDER: readonly Kind[] = ['int', 'long', 'double', 'decimal'];

function kindOf(v: unknown): Kind {
  const t = bsonType(v);
  if (t === 'int' || t === 'long' || t === 'double' || t === 'decimal') return t;
  throw new TypeError(`not a number: ${t}`);
}

function bigOf(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (bsonType(v) === 'long' && typeof v === 'object') return (v as Long).toBigInt();
  return BigInt(numberValue(v));
}

function widerKind(a: Kind, b: Kind): Kind {
  return KIND_ORDER[Math.max(KIND_ORDER.indexOf(a), KIND_ORDER.indexOf(b))];
}

/** An integer result in the narrowest type MongoDB would use, or undefined past Int64. */
function integerResult(n: bigint, kind: 'int' | 'long'): unknown {
  if (kind === 'int' && n >= INT32_MIN_BIG && n <= INT32_MAX_BIG) return new Int32(Number(n));
  if (n < INT64_MIN || n > INT64_MAX) return undefined;
  return Long.fromBigInt(n);
}

/** A finite decimal coefficient × 10^exp, or a special value. `neg` also signs zeros. */
interface Dec { special?: 'nan' | 'inf'; neg: boolean; coef: bigint; exp: number }

function parseDec(s: string): Dec {
  const t = s.trim();
  const neg = t.startsWith('-');
  if (/nan/i.test(t)) return { special: 'nan', neg: false, coef: 0n, exp: 0 };
  if (/inf/i.test(t)) return { special: 'inf', neg, coef: 0n, exp: 0 };
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (!m) return { special: 'nan', neg: false, coef: 0n, exp: 0 };
  const frac = m[2] ?? '';
  return { neg, coef: BigInt((m[1] ?? '') + frac || '0'), exp: Number(m[3] ?? 0) - frac.length };
}

function toDec(v: unknown): Dec {
  switch (kindOf(v)) {
    case 'decimal': return parseDec((v as Decimal128).toString());
    case 'double': {
      const n = numberValue(v);
      if (Number.isNaN(n)) return { special: 'nan', neg: false, coef: 0n, exp: 0 };
      if (!Number.isFinite(n)) return { special: 'inf', neg: n < 0, coef: 0n, exp: 0 };
      // MongoDB converts a double operand to Decimal128 rounded to 15 significant digits.
      return parseDec(n.toPrecision(15));
    }
    default: {
      const b = bigOf(v);
      return { neg: b < 0n, coef: b < 0n ? -b : b, exp: 0 };
    }
  }
}

const MAX_DIGITS = 34;
const MAX_EXP = 6111;
const MIN_EXP = -6176;

/** Drops `k` trailing digits with round-half-even. */
function shiftRound(coef: bigint, k: number): bigint {
  if (k <= 0) return coef;
  const div = 10n ** BigInt(k);
  const q = coef / div;
  const r = coef % div;
  const half = div / 2n;
  if (r > half || (r === half && q % 2n === 1n)) return q + 1n;
  return q;
}

function fromDec(d: Dec): Decimal128 {
  if (d.special === 'nan') return Decimal128.fromString('NaN');
  if (d.special === 'inf') return Decimal128.fromString(d.neg ? '-Infinity' : 'Infinity');
  let { coef, exp } = d;
  const digits = coef.toString().length;
  if (digits > MAX_DIGITS) {
    const k = digits - MAX_DIGITS;
    coef = shiftRound(coef, k);
    exp += k;
    if (coef.toString().length > MAX_DIGITS) { coef /= 10n; exp += 1; }
  }
  if (exp < MIN_EXP) { coef = shiftRound(coef, MIN_EXP - exp); exp = MIN_EXP; }
  if (exp > MAX_EXP) {
    // Clamp by padding the coefficient with zeros while it still fits in 34 digits.
    const room = MAX_DIGITS - coef.toString().length;
    const k = exp - MAX_EXP;
    if (coef === 0n) exp = MAX_EXP;
    else if (k <= room) { coef *= 10n ** BigInt(k); exp = MAX_EXP; }
    else return Decimal128.fromString(d.neg ? '-Infinity' : 'Infinity');
  }
  return Decimal128.fromString(`${d.neg ? '-' : ''}${coef}E${exp}`);
}

function decAdd(a: Dec, b: Dec): Dec {
  if (a.special === 'nan' || b.special === 'nan') return { special: 'nan', neg: false, coef: 0n, exp: 0 };
  if (a.special === 'inf' || b.special === 'inf') {
    if (a.special === 'inf' && b.special === 'inf' && a.neg !== b.neg) return { special: 'nan', neg: false, coef: 0n, exp: 0 };
    return a.special === 'inf' ? a : b;
  }
  const exp = Math.min(a.exp, b.exp);
  const x = (a.neg ? -a.coef : a.coef) * 10n ** BigInt(a.exp - exp);
  const y = (b.neg ? -b.coef : b.coef) * 10n ** BigInt(b.exp - exp);
  const sum = x + y;
  // IEEE 754: an exact zero sum is negative only when both operands are negative.
  const neg = sum < 0n || (sum === 0n && a.neg && b.neg);
  return { neg, coef: sum < 0n ? -sum : sum, exp };
}

function decMul(a: Dec, b: Dec): Dec {
  const neg = a.neg !== b.neg;
  if (a.special === 'nan' || b.special === 'nan') return { special: 'nan', neg: false, coef: 0n, exp: 0 };
  if (a.special === 'inf' || b.special === 'inf') {
    const other = a.special === 'inf' ? b : a;
    if (!other.special && other.coef === 0n) return { special: 'nan', neg: false, coef: 0n, exp: 0 };
    return { special: 'inf', neg, coef: 0n, exp: 0 };
  }
  return { neg, coef: a.coef * b.coef, exp: a.exp + b.exp };
}

function toDouble(n: number): Double {
  return new Double(n);
}

/** a + b with MongoDB's result type; undefined when an Int64 result overflows. */
export function addNumbers(a: unknown, b: unknown): unknown {
  const kind = widerKind(kindOf(a), kindOf(b));
  if (kind === 'int') {
    // Two Int32s add exactly as doubles (the counters' case): no BigInt needed.
    const sum = numberValue(a) + numberValue(b);
    return sum >= INT32_MIN && sum <= INT32_MAX ? new Int32(sum) : Long.fromNumber(sum);
  }
  if (kind === 'decimal') return fromDec(decAdd(toDec(a), toDec(b)));
  if (kind === 'double') return toDouble(numberValue(a) + numberValue(b));
  return integerResult(bigOf(a) + bigOf(b), kind);
}

/** a × b with MongoDB's result type; undefined when an Int64 result overflows. */
export function multiplyNumbers(a: unknown, b: unknown): unknown {
  const kind = widerKind(kindOf(a), kindOf(b));
  if (kind === 'decimal') return fromDec(decMul(toDec(a), toDec(b)));
  if (kind === 'double') return toDouble(numberValue(a) * numberValue(b));
  return integerResult(bigOf(a) * bigOf(b), kind);
}

/** The integer kinds $bit works on. */
export function isIntegral(v: unknown): boolean {
  const t = bsonType(v);
  return t === 'int' || t === 'long';
}

/** One $bit step; Int32 op Int32 stays Int32, anything with Int64 becomes Int64. */
export function bitwise(op: 'and' | 'or' | 'xor', a: unknown, b: unknown): unknown {
  const x = bigOf(a);
  const y = bigOf(b);
  const r = op === 'and' ? x & y : op === 'or' ? x | y : x ^ y;
  if (kindOf(a) === 'int' && kindOf(b) === 'int') return new Int32(Number(BigInt.asIntN(32, r)));
  return Long.fromBigInt(BigInt.asIntN(64, r));
}

/** SafeNum's debug form used in overflow messages, e.g. "(NumberLong)9223372036854775807". */
export function debugNumber(v: unknown): string {
  switch (bsonType(v)) {
    case 'int': return `(NumberInt)${numberValue(v)}`;
    case 'long': return `(NumberLong)${bigOf(v)}`;
    case 'decimal': return `(NumberDecimal)${String(v)}`;
    default: return `(NumberDouble)${numberValue(v)}`;
  }
}
