/**
 * Where stored documents live: small documents are copied into shared 256 KiB slabs
 * instead of each keeping its own allocation. A serialised document otherwise sits in
 * Node's 8 KiB buffer pool beside short-lived buffers, which keeps about twice its size
 * alive; slabs hold only documents, so a million documents cost their bytes and little more.
 */
const SLAB_BYTES = 256 * 1024;
/** Larger documents get an allocation of their own rather than wasting slab tails. */
const OWN_ALLOCATION_BYTES = 16 * 1024;

let slab = Buffer.allocUnsafeSlow(0);
let used = 0;

/** A stable copy of `bytes` for long-term storage (never written to afterwards). */
export function retainBytes(bytes: Uint8Array): Buffer {
  const length = bytes.byteLength;
  if (length >= OWN_ALLOCATION_BYTES) {
    const own = Buffer.allocUnsafeSlow(length);
    own.set(bytes);
    return own;
  }
  if (used + length > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    used = 0;
  }
  const out = slab.subarray(used, used + length);
  out.set(bytes);
  // Keep each document 8-byte aligned, as allocators do, so reads stay cheap.
  used += (length + 7) & ~7;
  return out;
}
