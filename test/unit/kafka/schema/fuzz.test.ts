import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader } from '../../../../src/kafka/protocol/reader.js';
import { readRequestHeader } from '../../../../src/kafka/protocol/schema/headers.js';
import { SCHEMAS } from '../../../../src/kafka/protocol/schema/registry.js';
import { Writer } from '../../../../src/kafka/protocol/writer.js';
import { onlyProtocolErrors } from '../../../helpers/fuzz-decoder.js';
import { arbitraryValue, encodeBody, messageVersions } from './arbitrary.js';

// A server decodes whatever a client sends: random, truncated and bit-flipped bodies either
// decode or throw SHARQ_ERR_PROTOCOL, never another error, and never hang (a length or count
// past the end is refused before anything is allocated for it).
const cases = messageVersions(SCHEMAS.values());

describe('schema decoders on hostile input', () => {
  it.each(cases)('%s', (_name, message, version) => {
    const decode = (bytes: Uint8Array) =>
      onlyProtocolErrors(() => message.decode(version, new Reader(Buffer.from(bytes), 0, 'fuzz')));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), decode), { numRuns: 40 });
    fc.assert(
      fc.property(
        arbitraryValue(message, version),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (value, flips, cut) => {
          const body = encodeBody(message, version, value);
          decode(body.subarray(0, body.length === 0 ? 0 : cut % body.length));
          if (body.length === 0) return;
          const flipped = Buffer.from(body);
          for (const f of flips) {
            const bit = f % (flipped.length * 8);
            flipped[bit >> 3]! ^= 1 << (bit & 7);
          }
          decode(flipped);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses a count of 2^32-2 items without allocating them', () => {
    // ApiKeys as a COMPACT_ARRAY of 0xfffffffe entries, then nothing.
    const body = Buffer.from([0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    const api = SCHEMAS.get(18)!;
    expect(() => api.response.decode(3, new Reader(body))).toThrowError(
      expect.objectContaining({ code: 'SHARQ_ERR_PROTOCOL' }),
    );
  });

  it('refuses a tagged-field section that claims more fields than it holds', () => {
    const w = new Writer().int16(0).uvarint(1).int32(0).uvarint(0xfffffff);
    const api = SCHEMAS.get(18)!;
    expect(() => api.response.decode(3, new Reader(Buffer.from(w.toBuffer())))).toThrowError(
      expect.objectContaining({ code: 'SHARQ_ERR_PROTOCOL' }),
    );
  });

  it('reads request headers from random bytes with SHARQ_ERR_PROTOCOL or a header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        onlyProtocolErrors(() =>
          readRequestHeader(new Reader(Buffer.from(bytes)), (key) => SCHEMAS.get(key)),
        );
      }),
      { numRuns: 300 },
    );
  });
});
