/**
 * `$inc` applied to a stored document's bytes: a copy with the counters rewritten where
 * they lie, for the update that only adds to numbers whose type stays the same (a rollup
 * bucket counted by every survey answer). Decoding the document, copying it and
 * serialising it again cost the engine about a third of such an update. Anything else
 * (a missing or non-numeric field, a type that would change, a dotted path) is left to
 * the general update, which gives the same result by MongoDB's rules.
 */
import { fieldName, nulBefore, valueSize } from '../bson-decode';
import { bsonType, isPlainObject, numberValue, type Doc } from './values';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * The increments of an update made of `$inc` on top-level fields only (and `$setOnInsert`
 * of scalars on other top-level fields, which does nothing to an existing document), each a
 * finite non-zero number; null for any other update. Such an update cannot be malformed,
 * so it needs no compiling before the document is found.
 */
export function plainIncrements(update: unknown): Map<string, unknown> | null {
  const parts = operatorBesideInsert(update, '$inc');
  if (!parts) return null;
  const { fields: inc, onInsert } = parts;
  const increments = new Map<string, unknown>();
  for (const field in inc) {
    const value = inc[field];
    const type = bsonType(value);
    if (!plainField(field) || (type !== 'int' && type !== 'double')) return null;
    const n = numberValue(value);
    if (n === 0 || !Number.isFinite(n)) return null;
    increments.set(field, value);
  }
  if (increments.size === 0) return null;
  // Scalars only: a sub-document's field names would need the checks an insert makes.
  if (onInsert) for (const field in onInsert) if (!plainField(field) || increments.has(field) || typeof onInsert[field] === 'object') return null;
  return increments;
}

/**
 * The fields of an update made of `operator` alone, or of it and `$setOnInsert` (which
 * does nothing to an existing document), each given a document; null for any other update.
 */
export function operatorBesideInsert(update: unknown, operator: string): { fields: Doc; onInsert: Doc | null } | null {
  if (!isPlainObject(update)) return null;
  let fields: Doc | null = null;
  let onInsert: Doc | null = null;
  for (const op in update) {
    const value = update[op];
    if (op === operator && isPlainObject(value)) fields = value;
    else if (op === '$setOnInsert' && isPlainObject(value)) onInsert = value;
    else return null;
  }
  return fields && { fields, onInsert };
}

/** A top-level field an update may change: not `_id`, not a path, not an operator, not empty. */
const plainField = (field: string) => field !== '' && field !== '_id' && !field.includes('.') && !field.startsWith('$');

/**
 * A copy of the stored document `stored` with each increment added in place, or null when
 * one cannot be: its field is missing or not a number, or the sum needs another type
 * (an Int32 past its range, an Int32 plus a Double), which the general update handles.
 */
export function incrementBytes(stored: Uint8Array, increments: ReadonlyMap<string, unknown>): Buffer | null {
  const view = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  const end = view.readInt32LE(0) - 1;
  const patches: { at: number; type: number; value: number }[] = [];
  let pos = 4;
  while (pos < end) {
    const type = view[pos] as number;
    const nameEnd = nulBefore(view, pos + 1, end);
    if (nameEnd < 0) return null;
    const at = nameEnd + 1;
    const size = valueSize(view, type, at, end);
    if (size < 0) return null;
    const name = fieldName(view, pos + 1, nameEnd);
    const increment = increments.get(name);
    if (increment !== undefined) {
      const patch = sum(view, type, at, increment);
      if (patch === null) return null;
      patches.push(patch);
    }
    pos = at + size;
  }
  if (patches.length !== increments.size) return null;
  const copy = Buffer.from(view);
  for (const { at, type, value } of patches) {
    if (type === 0x10) copy.writeInt32LE(value, at);
    else copy.writeDoubleLE(value, at);
  }
  return copy;
}

/** The stored number at `at` plus `increment`, when it keeps the stored type. */
function sum(view: Buffer, type: number, at: number, increment: unknown): { at: number; type: number; value: number } | null {
  const kind = bsonType(increment);
  if (type === 0x10 && kind === 'int') {
    const value = view.readInt32LE(at) + numberValue(increment);
    return value >= INT32_MIN && value <= INT32_MAX ? { at, type, value } : null;
  }
  if (type === 0x01) return { at, type, value: view.readDoubleLE(at) + numberValue(increment) };
  return null;
}
