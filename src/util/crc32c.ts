/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of iSCSI, ext4 metadata
 * and Kafka record batches (v2). sharq frames every log record and journal entry with it.
 *
 * Table-driven "slicing-by-16": sixteen 256-entry tables (one flat array) let the loop fold
 * sixteen input bytes per iteration with independent lookups instead of one dependent lookup
 * per byte, which is what makes a pure-JS CRC fast enough to checksum every write and read.
 * Sixteen measured about 1.3x eight on this project's frames and batches (120-byte records,
 * 90-128 KiB batches). Node has no built-in CRC-32C (`zlib.crc32` is the other polynomial),
 * hence this module.
 */

const POLY = 0x82f63b78;
const SLICES = 16;

/** Table k at [256k, 256k + 256): the CRC contribution of byte b followed by k zero bytes. */
const T: Uint32Array = buildTables();

function buildTables(): Uint32Array {
  const t = new Uint32Array(SLICES * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let k = 1; k < SLICES; k++) {
    for (let n = 0; n < 256; n++) {
      const p = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = ((p >>> 8) ^ t[p & 0xff]!) >>> 0;
    }
  }
  return t;
}

/**
 * CRC-32C of `buf[start, end)`, continuing from `initial` (the unsigned result of a previous
 * call), so `crc32c(b, crc32c(a)) === crc32c(concat(a, b))`. Returns an unsigned 32-bit number.
 */
export function crc32c(buf: Uint8Array, initial = 0, start = 0, end = buf.length): number {
  let crc = ~initial;
  let i = start;
  // Byte-at-a-time until the rest is a multiple of 16; alignment does not matter for
  // byte-indexed reads, only the count does.
  const head = (end - i) & (SLICES - 1);
  for (const stop = i + head; i < stop; i++) {
    crc = T[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  }
  for (; i < end; i += SLICES) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc =
      T[3840 + (a & 0xff)]! ^
      T[3584 + ((a >>> 8) & 0xff)]! ^
      T[3328 + ((a >>> 16) & 0xff)]! ^
      T[3072 + (a >>> 24)]! ^
      T[2816 + buf[i + 4]!]! ^
      T[2560 + buf[i + 5]!]! ^
      T[2304 + buf[i + 6]!]! ^
      T[2048 + buf[i + 7]!]! ^
      T[1792 + buf[i + 8]!]! ^
      T[1536 + buf[i + 9]!]! ^
      T[1280 + buf[i + 10]!]! ^
      T[1024 + buf[i + 11]!]! ^
      T[768 + buf[i + 12]!]! ^
      T[512 + buf[i + 13]!]! ^
      T[256 + buf[i + 14]!]! ^
      T[buf[i + 15]!]!;
  }
  return ~crc >>> 0;
}

/**
 * CRC-32C of `a ++ b` from `crc32c(a)`, `crc32c(b)` and the length of `b`, without reading
 * either: `crcA` times x^(8 * lengthB) modulo the polynomial, plus `crcB` (the pre- and
 * post-conditioning of both cancel out). A few dozen table-free steps, whatever the lengths, so
 * a frame around a checksummed payload costs a checksum of its own header only.
 */
export function crc32cCombine(crcA: number, crcB: number, lengthB: number): number {
  return (multiplyModP(xPow8n(lengthB), crcA) ^ crcB) >>> 0;
}

/**
 * Polynomials over GF(2) modulo POLY, reflected as the CRC is: bit 31 is x^0, bit 0 is x^31.
 * The product of `a` and `b`: for each term of `a`, from x^0 up, add `b` times that power.
 */
function multiplyModP(a: number, b: number): number {
  let product = 0;
  for (let bit = 0x80000000; bit !== 0; bit >>>= 1) {
    if ((a & bit) !== 0) product ^= b;
    // b times x: a right shift in reflected form, folding x^32 back in.
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return product >>> 0;
}

/** X_POW_2K[k] = x^(2^k) mod POLY, for the 8 * lengthB exponents up to 2^64. */
const X_POW_2K: Uint32Array = (() => {
  const t = new Uint32Array(64);
  t[0] = 0x40000000; // x^1
  for (let k = 1; k < 64; k++) t[k] = multiplyModP(t[k - 1]!, t[k - 1]!);
  return t;
})();

/** x^(8n) mod POLY: the product of x^(2^k) over the set bits k of 8n. */
function xPow8n(n: number): number {
  let result = 0x80000000; // x^0
  let k = 3; // 8n = n * 2^3
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2), k++) {
    if (rest % 2 === 1) result = multiplyModP(X_POW_2K[k]!, result);
  }
  return result;
}
