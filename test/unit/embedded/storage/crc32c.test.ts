import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cCombine } from '../../../../src/util/crc32c.js';

/** Bit-at-a-time reference: slow but obviously the textbook algorithm. */
function reference(buf: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('matches the standard check value and the RFC 3720 (iSCSI) vectors', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('agrees with the bitwise reference for any input, length and sub-range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        expect(crc32c(bytes)).toBe(reference(bytes));
        const start = bytes.length === 0 ? 0 : a % bytes.length;
        const end = start + (bytes.length === start ? 0 : b % (bytes.length - start));
        expect(crc32c(bytes, 0, start, end)).toBe(reference(bytes.subarray(start, end)));
      }),
    );
  });

  it('continues from a previous value: crc(b, crc(a)) === crc(a ++ b)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), (a, b) => {
        const joined = new Uint8Array([...a, ...b]);
        expect(crc32c(b, crc32c(a))).toBe(crc32c(joined));
      }),
    );
  });

  it('combines: crc32cCombine(crc(a), crc(b), |b|) === crc(a ++ b), without reading a or b', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 3000 }), (a, b) => {
        const joined = new Uint8Array([...a, ...b]);
        expect(crc32cCombine(crc32c(a), crc32c(b), b.length)).toBe(crc32c(joined));
      }),
    );
    // Lengths past what a test can allocate cheaply: combining in two steps or one agrees.
    const c1 = crc32c(Buffer.from('x'));
    expect(crc32cCombine(crc32cCombine(c1, 0, 2 ** 20), 0, 2 ** 20)).toBe(
      crc32cCombine(c1, crc32cCombine(0, 0, 2 ** 20), 2 ** 21),
    );
    expect(crc32cCombine(c1, crc32c(new Uint8Array(70000)), 70000)).toBe(
      crc32c(new Uint8Array([0x78, ...new Uint8Array(70000)])),
    );
  });
});
