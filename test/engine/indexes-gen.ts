/**
 * Seeded random BSON values for the index tests: generators
 * of mixed-type values that lean towards the hard cases of the key encoding (equal numbers
 * of different types, Int64/Decimal128 beyond double precision, escaped characters).
 */
import { Binary, BSONRegExp, BSONSymbol, Code, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import { seeded, type Rng } from '../helpers/random';

export { seeded, type Rng };

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

const EDGE_DOUBLES = [0, -0, 1, -1, 0.1, 0.5, 1.5, -2.5, 1e-300, 5e-324, 1e300, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, NaN, 2 ** 53, 2 ** 53 + 2, 2 ** 63, -(2 ** 63)];
const EDGE_LONGS = ['0', '1', '-1', '9007199254740992', '9007199254740993', '9007199254740995', '-9007199254740993', '9223372036854775807', '-9223372036854775808', '9223372036854774784'];
const EDGE_DECIMALS = ['0', '-0', '1.0', '1', '0.1', '0.1000000000000000055511151231257827', '0.10000000000000001', '-0.1', '1E+6144', '-1E+6144', '9.999999999999999999999999999999999E+6144', '1E-6176', '-1E-6176', 'NaN', 'Infinity', '-Infinity', '9007199254740993', '9223372036854775807.5', '1.7976931348623157E+308', '1.7976931348623158E+308', '2.5', '123456789012345678901234567890.1234'];
const STRINGS = ['', 'a', 'ab', 'a\u0000', 'a\u0000b', 'a\u0001', '\u0002', 'a\u0003', 'b', 'Z', '\uD7FE', '\uD7FF', '\uE000', '\uFFFF', '\uFF01', '😀', '😀a', 'é', 'e\u0301', '~'];

/** A number of any BSON numeric type. */
export function randomNumber(rng: Rng): unknown {
  const r = rng();
  if (r < 0.25) return pick(rng, EDGE_DOUBLES);
  if (r < 0.4) return new Int32(Math.floor(rng() * 11) - 5);
  if (r < 0.55) return new Double(pick(rng, [1, 2, 0.5, -3, 2 ** 53, 1e20, pick(rng, EDGE_DOUBLES)]));
  if (r < 0.7) return Long.fromString(pick(rng, EDGE_LONGS));
  if (r < 0.85) return Decimal128.fromString(pick(rng, EDGE_DECIMALS));
  return Math.floor(rng() * 11) - 5;
}

/** Any BSON value, nesting arrays and documents up to `depth`. */
export function randomValue(rng: Rng, depth = 2): unknown {
  const r = rng();
  if (r < 0.3) return randomNumber(rng);
  if (r < 0.45) return pick(rng, STRINGS);
  if (r < 0.5) return pick(rng, [null, undefined, new MinKey(), new MaxKey(), true, false]);
  if (r < 0.55) return new Date(Math.floor(rng() * 2e12) - 1e12);
  if (r < 0.6) return new ObjectId(Buffer.from([...Array(12)].map(() => Math.floor(rng() * 3))));
  if (r < 0.64) return new Timestamp({ t: Math.floor(rng() * 3) * 0x7fffffff, i: Math.floor(rng() * 3) });
  if (r < 0.68) return new Binary(Buffer.from(pick(rng, ['', 'a', 'ab', 'b'])), pick(rng, [0, 4]));
  if (r < 0.72) return pick(rng, [new BSONRegExp('a', 'i'), new BSONRegExp('a', ''), /b/, new BSONRegExp('a\u0001', 'm')]);
  if (r < 0.74) return pick(rng, [new Code('x'), new Code('y'), new BSONSymbol('a')]);
  if (depth === 0) return pick(rng, STRINGS);
  if (r < 0.87) return [...Array(Math.floor(rng() * 3))].map(() => randomValue(rng, depth - 1));
  const doc: Record<string, unknown> = {};
  for (let i = Math.floor(rng() * 3); i > 0; i--) doc[pick(rng, ['a', 'b', 'a\u0000', ''])] = randomValue(rng, depth - 1);
  return doc;
}
