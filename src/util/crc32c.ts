/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of iSCSI, ext4 metadata
 * and Kafka record batches (v2). sharq frames every log record and journal entry with it.
 *
 * Table-driven "slicing-by-8": eight 256-entry tables let the loop fold eight input bytes per
 * iteration with independent lookups instead of one dependent lookup per byte, which is what
 * makes a pure-JS CRC fast enough to checksum every read. Node has no built-in CRC-32C
 * (`zlib.crc32` is the other polynomial), hence this module.
 */

const POLY = 0x82f63b78;

/** TABLES[k][b]: CRC contribution of byte b followed by k zero bytes. Built once at load. */
const TABLES: readonly Uint32Array[] = buildTables();

function buildTables(): Uint32Array[] {
  const tables: Uint32Array[] = [];
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[n] = c >>> 0;
  }
  tables.push(t0);
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1]!;
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      const p = prev[n]!;
      t[n] = ((p >>> 8) ^ t0[p & 0xff]!) >>> 0;
    }
    tables.push(t);
  }
  return tables;
}

const T0 = TABLES[0]!;
const T1 = TABLES[1]!;
const T2 = TABLES[2]!;
const T3 = TABLES[3]!;
const T4 = TABLES[4]!;
const T5 = TABLES[5]!;
const T6 = TABLES[6]!;
const T7 = TABLES[7]!;

/**
 * CRC-32C of `buf[start, end)`, continuing from `initial` (the unsigned result of a previous
 * call), so `crc32c(b, crc32c(a)) === crc32c(concat(a, b))`. Returns an unsigned 32-bit number.
 */
export function crc32c(buf: Uint8Array, initial = 0, start = 0, end = buf.length): number {
  let crc = ~initial;
  let i = start;
  // Byte-at-a-time until the rest is a multiple of 8; alignment does not matter for
  // byte-indexed reads, only the count does.
  const head = (end - i) & 7;
  for (const stop = i + head; i < stop; i++) {
    crc = T0[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  }
  for (; i < end; i += 8) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc =
      T7[a & 0xff]! ^
      T6[(a >>> 8) & 0xff]! ^
      T5[(a >>> 16) & 0xff]! ^
      T4[a >>> 24]! ^
      T3[buf[i + 4]!]! ^
      T2[buf[i + 5]!]! ^
      T1[buf[i + 6]!]! ^
      T0[buf[i + 7]!]!;
  }
  return ~crc >>> 0;
}
