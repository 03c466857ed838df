/**
 * Shared property-test pieces for the Kafka protocol codecs: arbitraries for the wire types, a
 * guard that lets only SHARQ_ERR_PROTOCOL through, and the round-trip/fuzz suite every
 * broker-side codec table (`kafka-codec.ts`, `kafka-codec-fetch.ts`) runs against sharq's ApiDefs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SharqError } from '../../src/errors/sharq-error.js';
import type { ApiDef } from '../../src/kafka/protocol/api.js';
import { Reader } from '../../src/kafka/protocol/reader.js';
import type { Writer } from '../../src/kafka/protocol/writer.js';
import { decodeResponse, encodeRequest, readAll, writeAll } from './kafka-codec.js';

// Arbitraries for the wire types ---------------------------------------------------------------

export const int8 = fc.integer({ min: -128, max: 127 });
export const int16 = fc.integer({ min: -32768, max: 32767 });
export const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
export const int64 = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
export const text = fc.string({ unit: 'grapheme', maxLength: 12 });
export const nullableText = fc.option(text, { nil: null });
export const uuid = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((b) => Buffer.from(b).toString('hex'));
export const list = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T[]> => fc.array(a, { maxLength: 3 });
export const bytesArb = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b));

// Only SHARQ_ERR_PROTOCOL may escape -----------------------------------------------------------

/** Runs `fn`; returning or throwing SHARQ_ERR_PROTOCOL is fine, anything else fails the test. */
export function onlyProtocolErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!SharqError.is(err, 'SHARQ_ERR_PROTOCOL')) throw err;
  }
}

/** Decoding either succeeds or throws SHARQ_ERR_PROTOCOL; anything else fails the test. */
export function decodeOrProtocolError(api: ApiDef<unknown, unknown>, body: Buffer): void {
  onlyProtocolErrors(() => api.decode(new Reader(body, 0, `${api.name} response`)));
}

// One table row per API ------------------------------------------------------------------------

export interface CodecCase<Req, Res> {
  api: ApiDef<Req, Res>;
  apiKey: number;
  version: number;
  request: fc.Arbitrary<Req>;
  readRequest: (r: Reader) => Req;
  response: fc.Arbitrary<Res>;
  writeResponse: (w: Writer, res: Res) => void;
}

export function codecCase<Req, Res>(c: CodecCase<Req, Res>): CodecCase<unknown, unknown> {
  return c as unknown as CodecCase<unknown, unknown>;
}

/**
 * One `describe` per case: key/version/flexibility (titled `versionTitle`), request and response
 * round trips against the broker side, and fuzzing with random, bit-flipped and truncated bodies.
 */
export function describeCodecCases(
  cases: readonly CodecCase<unknown, unknown>[],
  versionTitle: string,
): void {
  describe.each(cases.map((c) => [c.api.name, c] as const))('%s', (_name, c) => {
    it(versionTitle, () => {
      expect(c.api.apiKey).toBe(c.apiKey);
      expect(c.api.version).toBe(c.version);
      expect(c.api.flexible).toBe(true);
      expect(c.api.responseHeaderV0).toBeUndefined();
    });

    it('encodes requests the broker side reads back field for field', () => {
      fc.assert(
        fc.property(c.request, (req) => {
          expect(readAll(encodeRequest(c.api, req), c.readRequest)).toEqual(req);
        }),
      );
    });

    it('decodes responses the broker side writes, consuming every byte', () => {
      fc.assert(
        fc.property(c.response, (res) => {
          expect(
            decodeResponse(
              c.api,
              writeAll((w) => c.writeResponse(w, res)),
            ),
          ).toEqual(res);
        }),
      );
    });

    it('throws only SHARQ_ERR_PROTOCOL on random bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
          decodeOrProtocolError(c.api, Buffer.from(bytes));
        }),
        { numRuns: 500 },
      );
    });

    it('throws only SHARQ_ERR_PROTOCOL on bit-flipped and truncated responses', () => {
      fc.assert(
        fc.property(
          c.response,
          fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
          fc.nat(),
          (res, flips, cut) => {
            const body = writeAll((w) => c.writeResponse(w, res));
            const flipped = Buffer.from(body);
            for (const f of flips) {
              const bit = f % (flipped.length * 8);
              flipped[bit >> 3]! ^= 1 << (bit & 7);
            }
            decodeOrProtocolError(c.api, flipped);
            decodeOrProtocolError(c.api, body.subarray(0, cut % body.length));
          },
        ),
        { numRuns: 300 },
      );
    });

    it('rejects an empty body with SHARQ_ERR_PROTOCOL', () => {
      expect(() => c.api.decode(new Reader(Buffer.alloc(0)))).toThrowError(
        expect.objectContaining({ code: 'SHARQ_ERR_PROTOCOL' }),
      );
    });
  });
}
