import { describe, expect, it } from 'vitest';
import { Reader } from '../../../../src/kafka/protocol/reader.js';
import {
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../../../src/kafka/protocol/schema/api.js';
import {
  readRequestHeader,
  readResponseHeader,
  writeRequestHeader,
  writeResponseHeader,
} from '../../../../src/kafka/protocol/schema/headers.js';
import { advertisedApiVersions, SCHEMAS } from '../../../../src/kafka/protocol/schema/registry.js';
import { Writer } from '../../../../src/kafka/protocol/writer.js';
import { hexBytes } from '../../../helpers/kafka-codec.js';

const lookup = (key: number) => SCHEMAS.get(key);

describe('SCHEMAS', () => {
  it('advertises exactly the versions the local broker must answer', () => {
    // kafkajs 2.2.4 and kafka-clients 4.4 pick the highest version both sides know, so each
    // range reaches the highest version of that API that sharq serves (share/KAFKA-SHARE-GROUPS.md).
    expect(
      advertisedApiVersions().map((a) => `${a.apiKey}:${a.minVersion}-${a.maxVersion}`),
    ).toEqual([
      '0:3-11', // Produce
      '1:4-12', // Fetch
      '2:0-7', // ListOffsets
      '3:0-12', // Metadata
      '10:0-6', // FindCoordinator (v5-6 share v4's layout; sharq's client sends v6)
      '16:0-5', // ListGroups
      '17:0-1', // SaslHandshake
      '18:0-3', // ApiVersions
      '19:0-7', // CreateTopics
      '20:0-6', // DeleteTopics
      '22:0-4', // InitProducerId
      '32:0-4', // DescribeConfigs
      '36:0-2', // SaslAuthenticate
      '42:0-3', // DeleteGroups
      '44:0-1', // IncrementalAlterConfigs
      '60:0-1', // DescribeCluster
      '76:1-1', // ShareGroupHeartbeat
      '77:1-1', // ShareGroupDescribe
      '78:1-2', // ShareFetch
      '79:1-2', // ShareAcknowledge
      '90:0-1', // DescribeShareGroupOffsets
      '91:0-0', // AlterShareGroupOffsets
      '92:0-0', // DeleteShareGroupOffsets
    ]);
  });

  it('names requests and responses after the API, keyed by its own key', () => {
    for (const [key, api] of SCHEMAS) {
      expect(api.apiKey).toBe(key);
      expect(api.request.name).toBe(`${api.name}Request`);
      expect(api.response.name).toBe(`${api.name}Response`);
      expect(api.request.type).toBe('request');
      expect(api.response.type).toBe('response');
    }
  });
});

describe('headers', () => {
  it('request header v1 for non-flexible versions, v2 (client id still INT16-length) for flexible ones', () => {
    const metadata = SCHEMAS.get(3)!;
    expect(requestHeaderVersion(metadata, 8)).toBe(1);
    expect(requestHeaderVersion(metadata, 9)).toBe(2);
    const w = new Writer();
    writeRequestHeader(w, metadata, { apiVersion: 9, correlationId: 7, clientId: 'ab' });
    expect(w.toBuffer().toString('hex')).toBe('0003' + '0009' + '00000007' + '00026162' + '00');
    const w1 = new Writer();
    writeRequestHeader(w1, metadata, { apiVersion: 1, correlationId: 7, clientId: null });
    expect(w1.toBuffer().toString('hex')).toBe('0003000100000007ffff');
  });

  it('reads a request header, picking v2 by the API and version it names', () => {
    const r = new Reader(hexBytes('0003 0009 00000007 00026162 01 0501ff  aa'));
    const { header, headerVersion, api } = readRequestHeader(r, lookup);
    expect(header).toEqual({
      requestApiKey: 3,
      requestApiVersion: 9,
      correlationId: 7,
      clientId: 'ab',
    });
    expect(headerVersion).toBe(2);
    expect(api?.name).toBe('Metadata');
    expect(r.remaining).toBe(1);
  });

  it('reads the header of an ApiVersions version newer than sharq knows as v2 (kafka-clients sends v4)', () => {
    const r = new Reader(hexBytes('0012 0004 00000001 0001 78 00'));
    expect(readRequestHeader(r, lookup).headerVersion).toBe(2);
    expect(r.remaining).toBe(0);
  });

  it('reads only the v1 part for an API key it does not define', () => {
    const r = new Reader(hexBytes('0047 0000 00000005 ffff 00'));
    const { header, headerVersion, api } = readRequestHeader(r, lookup);
    expect(api).toBeUndefined();
    expect(headerVersion).toBe(1);
    expect(header.correlationId).toBe(5);
  });

  it('answers ApiVersions with response header v0 in every version, others v1 when flexible', () => {
    const apiVersions = SCHEMAS.get(18)!;
    expect(responseHeaderVersion(apiVersions, 3)).toBe(0);
    expect(responseHeaderVersion(SCHEMAS.get(3)!, 9)).toBe(1);
    expect(responseHeaderVersion(SCHEMAS.get(3)!, 8)).toBe(0);
    const w = new Writer();
    writeResponseHeader(w, SCHEMAS.get(78)!, 2, 9);
    expect(w.toBuffer().toString('hex')).toBe('0000000900');
    const w0 = new Writer();
    writeResponseHeader(w0, apiVersions, 3, 9);
    expect(w0.toBuffer().toString('hex')).toBe('00000009');
    expect(readResponseHeader(new Reader(hexBytes('0000000900')), SCHEMAS.get(78)!, 2)).toEqual({
      correlationId: 9,
    });
  });
});
