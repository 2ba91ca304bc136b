/**
 * CRC-32C (Castagnoli), the checksum of OP_MSG messages. Node's zlib.crc32 uses the
 * IEEE polynomial, which MongoDB does not, hence this table-driven version.
 */

const POLYNOMIAL = 0x82f63b78; // 0x1EDC6F41 bit-reversed: the table below works LSB first

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32C of `bytes[start, end)`, as an unsigned 32-bit number. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
