/**
 * Reading command arguments the way MongoDB validates them: the target collection,
 * optional documents, numbers given as any numeric BSON type, and the shared
 * rejection of options the embedded engine does not support (collation, transactions).
 */
import { fail, unsupported } from '../errors';
import { bsonType, isNumeric, isPlainObject, numberValue, type Doc } from '../query/values';

/** The collection named by the command's first field; 73 InvalidNamespace when it is not a string. */
export function targetCollection(cmd: Doc): string {
  const name = cmd[Object.keys(cmd)[0]];
  if (typeof name !== 'string') {
    throw fail('InvalidNamespace', `collection name has invalid type ${bsonType(name)}`);
  }
  if (name.length === 0) throw fail('InvalidNamespace', `Invalid namespace specified ''`);
  return name;
}

/** An optional sub-document argument; 14 TypeMismatch when present with another type. */
export function optionalDoc(cmd: Doc, field: string): Doc | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) {
    throw fail('TypeMismatch', `BSON field '${field}' is the wrong type '${bsonType(v)}', expected type 'object'`);
  }
  return v;
}

export function optionalArray(cmd: Doc, field: string): unknown[] | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) {
    throw fail('TypeMismatch', `BSON field '${field}' is the wrong type '${bsonType(v)}', expected type 'array'`);
  }
  return v;
}

export function optionalNumber(cmd: Doc, field: string): number | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!isNumeric(v)) {
    throw fail('TypeMismatch', `BSON field '${field}' is the wrong type '${bsonType(v)}', expected types '[long, int, decimal, double]'`);
  }
  return numberValue(v);
}

/** A non-negative integer option such as skip, limit or batchSize. */
export function optionalCount(cmd: Doc, field: string): number | undefined {
  const n = optionalNumber(cmd, field);
  if (n === undefined) return undefined;
  if (n < 0) throw fail('BadValue', `${field} value must be non-negative, but received: ${n}`);
  return Math.floor(n);
}

export function optionalBool(cmd: Doc, field: string): boolean | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (isNumeric(v)) return numberValue(v) !== 0;
  throw fail('TypeMismatch', `BSON field '${field}' is the wrong type '${bsonType(v)}', expected type 'bool'`);
}

/** Collation changes equality and order; only the binary ("simple") collation is supported. */
export function rejectCollation(spec: unknown): void {
  if (spec === undefined || spec === null) return;
  if (isPlainObject(spec) && spec.locale === 'simple') return;
  throw unsupported('collation');
}
