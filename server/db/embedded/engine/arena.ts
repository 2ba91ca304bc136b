/**
 * Where stored documents live: small documents are copied into shared 256 KiB slabs
 * instead of each keeping its own allocation. A serialised document otherwise sits in
 * Node's 8 KiB buffer pool beside short-lived buffers, which keeps about twice its size
 * alive; slabs hold only documents, so a million documents cost their bytes and little more.
 *
 * Slabs are SharedArrayBuffers, never shared with another thread. V8 counts the memory of
 * an ordinary ArrayBuffer as external memory of the isolate and starts a full garbage
 * collection whenever that has grown by 64 MiB since the last one; it does not count
 * shared buffers. Stored documents are long-lived data no garbage collection can reclaim:
 * in ordinary buffers, the ~1.9 kB written per survey answer brought a full marking of a
 * heap holding 1,000,000 invitations (~500 ms of the engine's thread, every command
 * waiting behind it) every ~20 s of answers. A slab is still freed once no document in it
 * is referenced, at the next full garbage collection, which the heap's own growth brings.
 */
const SLAB_BYTES = 256 * 1024;
/** Larger documents get a (shared) allocation of their own rather than wasting slab tails. */
const OWN_ALLOCATION_BYTES = 16 * 1024;

let slab = Buffer.from(new SharedArrayBuffer(0));
let used = 0;

/** A stable copy of `bytes` for long-term storage (never written to afterwards). */
export function retainBytes(bytes: Uint8Array): Buffer {
  const length = bytes.byteLength;
  if (length >= OWN_ALLOCATION_BYTES) {
    const own = Buffer.from(new SharedArrayBuffer(length));
    own.set(bytes);
    return own;
  }
  if (used + length > slab.length) {
    slab = Buffer.from(new SharedArrayBuffer(SLAB_BYTES));
    used = 0;
  }
  const out = slab.subarray(used, used + length);
  out.set(bytes);
  // Keep each document 8-byte aligned, as allocators do, so reads stay cheap.
  used += (length + 7) & ~7;
  return out;
}
