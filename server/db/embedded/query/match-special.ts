/**
 * The field operators with their own argument rules: $type (names, numbers, "number"),
 * $size, $mod (64-bit integer arithmetic, truncating operands) and the four bit tests
 * ($bitsAllSet...) over numbers (two's complement, sign-extended) and BinData.
 */
import type { Long } from 'bson';
import { BSON_TYPE_NUMBERS, bsonType, isNumeric, numberValue } from './values';
import { fail } from '../errors';
import { describeValue } from './match-errors';
import { leafOp, type FieldOp } from './match-ops';

const TYPE_BY_NUMBER = new Map<number, string>(Object.entries(BSON_TYPE_NUMBERS).map(([k, n]) => [n, k]));
const TYPE_NAMES = new Set<string>([...Object.keys(BSON_TYPE_NUMBERS), 'number']);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function bsontype(v: unknown): string | undefined {
  return v !== null && typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined;
}

/** A number operand as an exact integer; undefined when it has a fraction, is NaN/±Inf, or is not a number. */
export function exactInteger(v: unknown): bigint | undefined {
  if (bsontype(v) === 'Long') return (v as Long).toBigInt();
  if (bsontype(v) === 'Decimal128') {
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:E([+-]?\d+))?$/i.exec(String(v));
    if (!m || m[2] + (m[3] ?? '') === '') return undefined; // NaN, Infinity
    const coef = BigInt(m[1] + m[2] + (m[3] ?? ''));
    const exp = Number(m[4] ?? 0) - (m[3] ?? '').length;
    if (exp >= 0) return exp > 6200 ? undefined : coef * 10n ** BigInt(exp);
    const scale = 10n ** BigInt(-exp);
    return coef % scale === 0n ? coef / scale : undefined;
  }
  if (!isNumeric(v)) return undefined;
  const n = numberValue(v);
  return Number.isInteger(n) ? BigInt(n) : undefined;
}

/**
 * MongoDB's "parse integer element" rules for operator arguments ($size, bit positions,
 * bitmasks): a number holding a whole value in range, optionally non-negative.
 */
function integerArgument(name: string, v: unknown, max: bigint, nonNegative: boolean): bigint {
  const shown = `${name}: ${describeValue(v)}`;
  if (!isNumeric(v)) throw new Error(`Expected a number in: ${shown}`);
  const n = exactInteger(v);
  if (n === undefined) throw new Error(`Expected an integer: ${shown}`);
  if (n < INT64_MIN || n > INT64_MAX) throw new Error(`Cannot represent as a 64-bit integer: ${shown}`);
  if (nonNegative && n < 0n) throw new Error(`Expected a positive number in: ${shown}`);
  if (n > max || n < -max - 1n) throw new Error(`Cannot represent as a 32-bit integer: ${shown}`);
  return n;
}

export function typeOp(arg: unknown, field: string): FieldOp {
  const wanted = new Set<string>();
  const add = (t: unknown): void => {
    if (typeof t === 'string') {
      if (!TYPE_NAMES.has(t) || t === 'missing') throw fail('BadValue', `Unknown type name alias: ${t}`);
      wanted.add(t);
    } else if (isNumeric(t)) {
      const n = numberValue(t);
      const name = Number.isInteger(n) ? TYPE_BY_NUMBER.get(n) : undefined;
      if (name === undefined) throw fail('BadValue', `Invalid numerical type code: ${n}`);
      wanted.add(name);
    } else {
      throw fail('TypeMismatch', 'type must be represented as a number or a string');
    }
  };
  if (Array.isArray(arg)) arg.forEach(add);
  else add(arg);
  if (wanted.size === 0) throw fail('FailedToParse', `${field} must match at least one type`);
  const numbers = wanted.has('number');
  return leafOp((v) => v !== undefined && (wanted.has(bsonType(v)) || (numbers && isNumeric(v))));
}

export function sizeOp(arg: unknown): FieldOp {
  let n: number;
  try {
    n = Number(integerArgument('$size', arg, 2n ** 31n - 1n, true));
  } catch (e) {
    throw fail('BadValue', `Failed to parse $size. ${(e as Error).message}`);
  }
  // $size looks at the array itself, never at the elements of a leaf array.
  return leafOp((v) => Array.isArray(v) && v.length === n, false);
}

export function modOp(arg: unknown): FieldOp {
  if (!Array.isArray(arg)) throw fail('BadValue', 'malformed mod, needs to be an array');
  if (arg.length < 1) throw fail('BadValue', 'malformed mod, not enough elements');
  if (!isNumeric(arg[0])) throw fail('BadValue', 'malformed mod, divisor not a number');
  if (arg.length < 2) throw fail('BadValue', 'malformed mod, not enough elements');
  if (!isNumeric(arg[1])) throw fail('BadValue', 'malformed mod, remainder not a number');
  if (arg.length > 2) throw fail('BadValue', 'malformed mod, too many elements');
  const coerce = (v: unknown, what: string): bigint => {
    const n = numberValue(v);
    if (!Number.isFinite(n)) {
      throw fail('BadValue', `malformed mod, ${what} value is invalid :: caused by :: Unable to coerce NaN/Inf to integral type`);
    }
    // Fractions are truncated toward zero, as MongoDB does.
    const i = bsontype(v) === 'Long' ? (v as Long).toBigInt() : BigInt(Math.trunc(n));
    if (i < INT64_MIN || i > INT64_MAX) {
      throw fail('BadValue', `malformed mod, ${what} value is invalid :: caused by :: Out of bounds coercing to integral value`);
    }
    return i;
  };
  const divisor = coerce(arg[0], 'divisor');
  const remainder = coerce(arg[1], 'remainder');
  if (divisor === 0n) throw fail('BadValue', 'divisor cannot be 0');
  return leafOp((v) => {
    if (!isNumeric(v)) return false;
    let x: bigint;
    if (bsontype(v) === 'Long') x = (v as Long).toBigInt();
    else {
      const n = numberValue(v);
      if (!Number.isFinite(n)) return false; // NaN and ±Infinity never match
      x = BigInt(Math.trunc(n));
    }
    return x % divisor === remainder; // BigInt % keeps the dividend's sign, like C++
  });
}

export type BitsOp = '$bitsAllSet' | '$bitsAllClear' | '$bitsAnySet' | '$bitsAnyClear';

function binaryBytes(v: unknown): Uint8Array | undefined {
  if (bsontype(v) !== 'Binary') return undefined;
  const b = v as { buffer: Uint8Array; position: number };
  return b.buffer.subarray(0, b.position);
}

/** The bit positions an operand names: a bitmask number, BinData, or a list of positions. */
function bitPositions(op: BitsOp, arg: unknown): number[] {
  const positions: number[] = [];
  const bytes = binaryBytes(arg);
  if (Array.isArray(arg)) {
    arg.forEach((p, i) => {
      try {
        positions.push(Number(integerArgument(String(i), p, 2n ** 31n - 1n, true)));
      } catch (e) {
        throw fail('BadValue', `Failed to parse bit position. ${(e as Error).message}`);
      }
    });
  } else if (isNumeric(arg)) {
    let mask: bigint;
    try {
      mask = integerArgument(op, arg, INT64_MAX, true);
    } catch (e) {
      throw fail('BadValue', (e as Error).message);
    }
    for (let i = 0; mask > 0n; i++, mask >>= 1n) if (mask & 1n) positions.push(i);
  } else if (bytes) {
    bytes.forEach((byte, i) => {
      for (let b = 0; b < 8; b++) if (byte & (1 << b)) positions.push(i * 8 + b);
    });
  } else {
    throw fail('BadValue', `${op} takes an Array, a number, or a BinData but received: ${op}: ${describeValue(arg)}`);
  }
  return positions;
}

export function bitsOp(op: BitsOp, arg: unknown): FieldOp {
  const positions = bitPositions(op, arg);
  const wantSet = op === '$bitsAllSet' || op === '$bitsAnySet';
  const all = op === '$bitsAllSet' || op === '$bitsAllClear';
  return leafOp((v) => {
    let bit: (p: number) => boolean;
    const bytes = binaryBytes(v);
    if (bytes) {
      bit = (p) => (p >> 3) < bytes.length && ((bytes[p >> 3] >> (p & 7)) & 1) === 1;
    } else {
      const n = exactInteger(v);
      // Only numbers representable as a signed 64-bit integer take part.
      if (n === undefined || n < INT64_MIN || n > INT64_MAX) return false;
      bit = (p) => ((n >> BigInt(p)) & 1n) === 1n; // arithmetic shift: sign-extended beyond bit 63
    }
    return all ? positions.every((p) => bit(p) === wantSet) : positions.some((p) => bit(p) === wantSet);
  });
}
