/**
 * Numbers across BSON's four numeric types. MongoDB compares Int32, Int64, Double and
 * Decimal128 by value; doubles cannot hold every Int64 or Decimal128, so comparisons
 * that a double would blur are done exactly on BigInt-scaled decimals.
 */
import type { Decimal128, Long } from 'bson';

function bsontype(v: unknown): string | undefined {
  return v !== null && typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined;
}

export function isNumeric(v: unknown): boolean {
  if (typeof v === 'number' || typeof v === 'bigint') return true;
  const t = bsontype(v);
  return t === 'Int32' || t === 'Double' || t === 'Long' || t === 'Decimal128';
}

/** The value as a JS number (Int64 and Decimal128 may round). */
export function numberValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  switch (bsontype(v)) {
    case 'Int32': case 'Double': return (v as { value: number }).value;
    case 'Long': return (v as Long).toNumber();
    case 'Decimal128': return Number.parseFloat((v as Decimal128).toString());
    default: return Number.NaN;
  }
}

/** An exact decimal: coefficient × 10^exponent, or a special value. */
type Exact =
  | { kind: 'nan' }
  | { kind: 'inf'; negative: boolean }
  | { kind: 'finite'; coef: bigint; exp: number };

function parseDecimalString(s: string): Exact {
  const t = s.trim();
  if (/^[+-]?nan$/i.test(t)) return { kind: 'nan' };
  if (/^[+-]?inf(inity)?$/i.test(t)) return { kind: 'inf', negative: t.startsWith('-') };
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (!m) return { kind: 'nan' };
  const digits = (m[2] || '') + (m[3] || '');
  const coef = BigInt(digits || '0') * (m[1] === '-' ? -1n : 1n);
  return { kind: 'finite', coef, exp: Number(m[4] || 0) - (m[3] || '').length };
}

function exactOf(v: unknown): Exact {
  if (typeof v === 'bigint') return { kind: 'finite', coef: v, exp: 0 };
  switch (bsontype(v)) {
    case 'Long': return { kind: 'finite', coef: (v as Long).toBigInt(), exp: 0 };
    case 'Decimal128': return parseDecimalString((v as Decimal128).toString());
    default: {
      const n = numberValue(v);
      if (Number.isNaN(n)) return { kind: 'nan' };
      if (!Number.isFinite(n)) return { kind: 'inf', negative: n < 0 };
      if (Number.isInteger(n)) return { kind: 'finite', coef: BigInt(n), exp: 0 };
      // The shortest round-tripping decimal of a double; exact enough to order it among decimals.
      return parseDecimalString(n.toString());
    }
  }
}

function compareExact(a: Exact, b: Exact): number {
  // MongoDB orders NaN below every other number and equal to itself.
  if (a.kind === 'nan' || b.kind === 'nan') return a.kind === b.kind ? 0 : a.kind === 'nan' ? -1 : 1;
  if (a.kind === 'inf' || b.kind === 'inf') {
    const va = a.kind === 'inf' ? (a.negative ? -1 : 1) : 0;
    const vb = b.kind === 'inf' ? (b.negative ? -1 : 1) : 0;
    return Math.sign(va - vb);
  }
  const e = Math.min(a.exp, b.exp);
  const x = a.coef * 10n ** BigInt(a.exp - e);
  const y = b.coef * 10n ** BigInt(b.exp - e);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares two numeric BSON values by value. */
export function compareNumbers(a: unknown, b: unknown): number {
  const ta = bsontype(a);
  const tb = bsontype(b);
  const fastA = typeof a === 'number' || ta === 'Int32' || ta === 'Double';
  const fastB = typeof b === 'number' || tb === 'Int32' || tb === 'Double';
  if (fastA && fastB) {
    const x = numberValue(a);
    const y = numberValue(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) === Number.isNaN(y) ? 0 : Number.isNaN(x) ? -1 : 1;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return compareExact(exactOf(a), exactOf(b));
}
