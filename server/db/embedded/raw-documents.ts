/**
 * The wire bytes of the documents of an OP_MSG `documents` sequence, so an insert can store
 * each document as it arrived instead of serialising the decoded document again (decoded
 * with the engine's options, the original bytes read back as that same document).
 * Keyed weakly by the decoded array, one entry per command rather than per document.
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
