/**
 * Where stored documents live, and how much of that memory they still use: small documents
 * are copied into shared 256 KiB slabs instead of each keeping its own allocation. A
 * serialised document otherwise sits in Node's 8 KiB buffer pool beside short-lived
 * buffers, which keeps about twice its size alive; slabs hold only documents, so a million
 * documents cost their bytes and little more.
 *
 * Slabs are SharedArrayBuffers, never shared with another thread. V8 counts the memory of
 * an ordinary ArrayBuffer as external memory of the isolate and starts a full garbage
 * collection whenever that has grown by 64 MiB since the last one; it does not count
 * shared buffers. Stored documents are long-lived data no garbage collection can reclaim:
 * in ordinary buffers, the ~1.9 kB written per survey answer brought a full marking of a
 * heap holding 1,000,000 invitations (~500 ms of the engine's thread, every command
 * waiting behind it) every ~20 s of answers.
 *
 * A block of memory (a slab, a snapshot frame read at start-up, any buffer a document is a
 * view into) is freed only once no stored document is in it. Documents are rewritten
 * elsewhere, never in place, so a block that held the documents of one moment keeps the
 * dead versions of those rewritten since for as long as one of them is current: a survey
 * answer leaves the rollup buckets and the invitation it rewrote (~1.7 kB) behind in blocks
 * its own response keeps alive. The bytes of current documents in each block are counted
 * here (`live`), so that the engine can move the few survivors of a mostly dead block
 * elsewhere (`isSparse`, `relocated`) when the dead bytes grow past half the live ones (`wasteful`).
 */
const SLAB_BYTES = 256 * 1024;
/** Larger documents get a (shared) allocation of their own rather than wasting slab tails. */
const OWN_ALLOCATION_BYTES = 16 * 1024;
/**
 * A block whose current documents fill less than this share of it gives them up to the
 * current slab: after a pass, the blocks kept hold at most a third more than their live bytes.
 */
const SPARSE_SHARE = 0.75;
/**
 * Dead bytes held are worth a pass over every document once they exceed half the live ones
 * (above the third a pass leaves, so that passes do not follow each other) and this.
 */
const MIN_WASTE_BYTES = 64 * 1024 * 1024;

interface Block {
  readonly capacity: number;
  /** Bytes of current documents in it. */
  live: number;
}

/** Every block holding (or having held) a stored document, by its memory; gone with it. */
const blocks = new WeakMap<ArrayBufferLike, Block>();
/** Capacity of the blocks holding a current document, and the bytes of those documents. */
let held = 0;
let live = 0;

let slab = Buffer.from(new SharedArrayBuffer(0));
let used = 0;

/** A stable copy of `bytes` for long-term storage (never written to afterwards), counted as current. */
export function retainBytes(bytes: Uint8Array): Buffer {
  const length = bytes.byteLength;
  let out: Buffer;
  if (length >= OWN_ALLOCATION_BYTES) {
    out = Buffer.from(new SharedArrayBuffer(length));
    out.set(bytes);
  } else {
    if (used + length > slab.length) {
      slab = Buffer.from(new SharedArrayBuffer(SLAB_BYTES));
      used = 0;
    }
    out = slab.subarray(used, used + length);
    out.set(bytes);
    // Keep each document 8-byte aligned, as allocators do, so reads stay cheap.
    used += (length + 7) & ~7;
  }
  countCurrent(out);
  return out;
}

/** Counts a stored document that did not come from retainBytes (loaded at start-up) as current. */
export function countCurrent(stored: Buffer): void {
  let block = blocks.get(stored.buffer);
  if (!block) blocks.set(stored.buffer, (block = { capacity: stored.buffer.byteLength, live: 0 }));
  if (block.live === 0) held += block.capacity;
  block.live += stored.byteLength;
  live += stored.byteLength;
}

/** The stored document is no longer current (rewritten, deleted, dropped): its bytes are dead weight in its block. */
export function releaseBytes(stored: Buffer): void {
  const block = blocks.get(stored.buffer);
  if (!block) return;
  block.live -= stored.byteLength;
  live -= stored.byteLength;
  if (block.live === 0) held -= block.capacity;
}

/** Whether the current document `stored` sits in a block mostly dead, which moving it out helps free. */
export function isSparse(stored: Buffer): boolean {
  if (stored.buffer === slab.buffer) return false;
  const block = blocks.get(stored.buffer);
  return block !== undefined && block.live < block.capacity * SPARSE_SHARE;
}

/** A copy of the current document `stored` in the current slab, counted in its place. */
export function relocated(stored: Buffer): Buffer {
  const moved = retainBytes(stored);
  releaseBytes(stored);
  return moved;
}

/** Whether the blocks kept alive by current documents hold more dead bytes than half the live ones, and than `minWaste`. */
export function wasteful(minWaste = MIN_WASTE_BYTES): boolean {
  const waste = held - live;
  return waste > minWaste && waste > live / 2;
}

/** Bytes of current documents, and of the blocks they keep alive. */
export function storedMemory(): { live: number; held: number } {
  return { live, held };
}
