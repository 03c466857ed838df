import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader } from '../../../../src/kafka/protocol/reader.js';
import { RequestHeader, ResponseHeader } from '../../../../src/kafka/protocol/schema/headers.js';
import { SCHEMAS } from '../../../../src/kafka/protocol/schema/registry.js';
import { arbitraryValue, encodeBody, messageVersions } from './arbitrary.js';

// Every message of every API in every version it defines, plus the headers: decode(encode(x))
// is x, the decoder consumes every byte, and encoding the decoded value gives the same bytes
// (one encoding per value, so a server's answer does not depend on how a request was spelled).
const cases = [
  ...messageVersions(SCHEMAS.values()),
  ['RequestHeader v1', RequestHeader, 1] as const,
  ['RequestHeader v2', RequestHeader, 2] as const,
  ['ResponseHeader v0', ResponseHeader, 0] as const,
  ['ResponseHeader v1', ResponseHeader, 1] as const,
];

describe('schema round trips', () => {
  it('covers every version of every API in the registry', () => {
    const versions = [...SCHEMAS.values()].reduce((n, a) => n + a.maxVersion - a.minVersion + 1, 0);
    expect(cases).toHaveLength(2 * versions + 4);
  });

  it.each(cases)('%s', (_name, message, version) => {
    fc.assert(
      fc.property(arbitraryValue(message, version), (value) => {
        const body = encodeBody(message, version, value);
        const r = new Reader(body, 0, 'round trip');
        const back = message.decode(version, r);
        expect(r.remaining).toBe(0);
        expect(back).toEqual(value);
        expect(encodeBody(message, version, back)).toEqual(body);
      }),
      { numRuns: 25 },
    );
  });
});
