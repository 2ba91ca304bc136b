/**
 * The wire bytes of the documents of an OP_MSG `documents` sequence, so an insert can store
 * each document as it arrived instead of serialising the decoded document again (decoded
 * with the engine's options, the original bytes read back as that same document).
 * Keyed weakly by the decoded array, one entry per command rather than per document; the
 * documents of a bulkWrite's inserts, which sit inside their operations, one by one.
 */
import type { Document } from 'bson';

const bytesOf = new WeakMap<readonly unknown[], readonly Buffer[]>();

/** Records that `docs[i]` was decoded from `bytes[i]`; neither may be mutated afterwards. */
export function rememberRawBytes(docs: readonly Document[], bytes: readonly Buffer[]): void {
  bytesOf.set(docs, bytes);
}

/** The bytes each element of `docs` was decoded from, when the array came from the wire. */
export function rawBytesOf(docs: readonly unknown[]): readonly Buffer[] | undefined {
  return bytesOf.get(docs);
}

const documentBytes = new WeakMap<object, Buffer>();

/** Records that `doc` (an insert's document inside a command) was decoded from `bytes`; neither may be mutated afterwards. */
export function rememberRawDocument(doc: object, bytes: Buffer): void {
  documentBytes.set(doc, bytes);
}

/**
 * The bytes `doc` was decoded from, when it came from the wire as an insert's document, taken
 * once: the insert copies them into the store, and the decoded document may outlive the command
 * (an upsert's or a cursor's result), where its entry here would keep the whole message it
 * arrived in alive, and that memory counts toward V8's next full collection.
 */
export function takeRawDocument(doc: object): Buffer | undefined {
  const bytes = documentBytes.get(doc);
  if (bytes !== undefined) documentBytes.delete(doc);
  return bytes;
}
