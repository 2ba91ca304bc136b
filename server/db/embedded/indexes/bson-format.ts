/**
 * BSON values written the way mongod writes them into messages (BSONObj::toString):
 * `{ email: "x", n: 1, d: new Date(0), _id: ObjectId('…') }`. Used for E11000 duplicate
 * key messages and for the index specifications quoted in createIndexes errors.
 */
import type { Binary, Decimal128, Long, ObjectId, Timestamp } from 'bson';
import { bsonType } from '../query/values';

/** A value as mongod prints it; a document prints as `{ a: 1 }`, an empty one as `{}`. */
export function formatBson(v: unknown): string {
  switch (bsonType(v)) {
    case 'missing': case 'undefined': return 'undefined';
    case 'null': return 'null';
    case 'bool': return v ? 'true' : 'false';
    case 'string': return `"${v as string}"`;
    case 'symbol': return `"${String((v as { value: string }).value)}"`;
    case 'int': return String(typeof v === 'number' ? v : (v as { value: number }).value);
    case 'double': return formatDouble(typeof v === 'number' ? v : (v as { value: number }).value);
    case 'long': return typeof v === 'bigint' ? v.toString() : (v as Long).toString();
    case 'decimal': return `NumberDecimal("${(v as Decimal128).toString()}")`;
    case 'date': return `new Date(${(v as Date).getTime()})`;
    case 'objectId': return `ObjectId('${(v as ObjectId).toHexString()}')`;
    case 'regex': {
      if (v instanceof RegExp) return `/${v.source}/${v.flags}`;
      const r = v as { pattern: string; options: string };
      return `/${r.pattern}/${r.options}`;
    }
    case 'binData': {
      const b = v as Binary;
      const bytes = b.buffer.subarray(0, b.position ?? b.buffer.length);
      return `BinData(${b.sub_type}, ${Buffer.from(bytes).toString('hex').toUpperCase()})`;
    }
    case 'timestamp': {
      const t = v as Timestamp;
      return `Timestamp(${t.high >>> 0}, ${t.low >>> 0})`;
    }
    case 'minKey': return 'MinKey';
    case 'maxKey': return 'MaxKey';
    case 'javascript': case 'javascriptWithScope': return String((v as { code: unknown }).code);
    case 'array': {
      const items = (v as unknown[]).map(formatBson);
      return items.length === 0 ? '[]' : `[ ${items.join(', ')} ]`;
    }
    default: {
      const doc = v as Record<string, unknown>;
      const fields = Object.keys(doc).map((k) => `${k}: ${formatBson(doc[k])}`);
      return fields.length === 0 ? '{}' : `{ ${fields.join(', ')} }`;
    }
  }
}

/**
 * A double the way mongod prints one: printf's `%.16g`, with ".0" added when the result
 * would read as an integer (so 1.0 prints as `1.0`, 1.5 as `1.5`, 1e21 as `1e+21`).
 */
export function formatDouble(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential(15).split('e');
  const exp = Number(expText);
  let out: string;
  if (exp < -4 || exp >= 16) {
    out = `${stripZeros(mantissa)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else {
    out = stripZeros(x.toFixed(15 - exp));
  }
  return out.includes('.') || out.includes('e') ? out : `${out}.0`;
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}
