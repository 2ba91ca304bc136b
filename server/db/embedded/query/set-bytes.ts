/**
 * `$set` of top-level scalars applied to a stored document's bytes: a copy with those
 * elements rewritten where they lie, for the update that changes a few fields of one
 * document named by `_id` (an invitation marked answered by every survey answer).
 * Decoding the whole document, applying the update and serialising it again cost the
 * engine most of such an update. Anything else (a field the document lacks, which the
 * update appends in its own order; a sub-document or an array; a dotted path) is left to
 * the general update, which gives the same result by MongoDB's rules.
 */
import { fieldName, nulBefore, valueSize } from '../bson-decode';
import { operatorBesideInsert } from './increment-bytes';
import { bsonType, serializeDoc } from './values';

/**
 * Values whose element is written as given: no field names inside to check. Not a
 * timestamp, which MongoDB may fill in with the time of the write.
 */
const SCALARS = new Set(['null', 'bool', 'string', 'date', 'objectId', 'int', 'long', 'double', 'decimal']);

/**
 * The fields and values of an update made of `$set` on top-level fields, each a scalar
 * (and `$setOnInsert` of scalars on other top-level fields, which does nothing to an
 * existing document); null for any other update. Such an update cannot be malformed, so it
 * needs no compiling before the document is found.
 */
export function plainSets(update: unknown): Map<string, unknown> | null {
  const parts = operatorBesideInsert(update, '$set');
  if (!parts) return null;
  const { fields: set, onInsert } = parts;
  const sets = new Map<string, unknown>();
  for (const field in set) {
    if (!plainField(field) || !SCALARS.has(bsonType(set[field]))) return null;
    sets.set(field, set[field]);
  }
  if (sets.size === 0) return null;
  if (onInsert) for (const field in onInsert) if (!plainField(field) || sets.has(field) || !SCALARS.has(bsonType(onInsert[field]))) return null;
  return sets;
}

/** A top-level field an update may set here: not `_id`, not a path, not an operator, not empty, no prototype. */
const plainField = (field: string) => field !== '' && field !== '_id' && field !== '__proto__' && !field.includes('.') && !field.startsWith('$');

/**
 * A copy of the stored document `stored` with each of `changes` written in place of its
 * element (the new value's type and bytes, the field where it was), or null when a field
 * is missing or stored twice: the general update decides those.
 */
export function setBytes(stored: Uint8Array, changes: ReadonlyMap<string, unknown>): Buffer | null {
  const view = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  const end = view.readInt32LE(0) - 1;
  const spliced: { from: number; to: number; element: Buffer }[] = [];
  const seen = new Set<string>();
  let pos = 4;
  while (pos < end) {
    const type = view[pos] as number;
    const nameEnd = nulBefore(view, pos + 1, end);
    if (nameEnd < 0) return null;
    const size = valueSize(view, type, nameEnd + 1, end);
    if (size < 0) return null;
    const name = fieldName(view, pos + 1, nameEnd);
    const next = nameEnd + 1 + size;
    if (changes.has(name)) {
      if (seen.has(name)) return null;
      seen.add(name);
      spliced.push({ from: pos, to: next, element: elementOf(name, changes.get(name)) });
    }
    pos = next;
  }
  if (seen.size !== changes.size) return null;
  let length = view.length;
  for (const s of spliced) length += s.element.length - (s.to - s.from);
  const copy = Buffer.allocUnsafe(length);
  let from = 0;
  let to = 0;
  for (const s of spliced) {
    to += view.copy(copy, to, from, s.from);
    to += s.element.copy(copy, to);
    from = s.to;
  }
  view.copy(copy, to, from);
  copy.writeInt32LE(length, 0);
  return copy;
}

/** The element (type, name, value) `name: value` serialises to, as the general update stores it. */
function elementOf(name: string, value: unknown): Buffer {
  const doc = serializeDoc({ [name]: value });
  return doc.subarray(4, doc.length - 1);
}
