import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SharqError } from '../../../src/errors/sharq-error.js';
import { CLIENT_SOFTWARE_VERSION, encodeRequest } from '../../../src/kafka/connection.js';
import { FrameAssembler } from '../../../src/kafka/frame-assembler.js';
import type { ApiDef } from '../../../src/kafka/protocol/api.js';
import {
  ApiVersionsV3,
  DescribeConfigsV4,
  FindCoordinatorV6,
  IncrementalAlterConfigsV1,
  MetadataV12,
  SaslAuthenticateV2,
  SaslHandshakeV1,
} from '../../../src/kafka/protocol/client-apis.js';
import {
  KafkaErrors,
  kafkaError,
  kafkaErrorInfo,
} from '../../../src/kafka/protocol/error-codes.js';
import { Reader } from '../../../src/kafka/protocol/reader.js';
import { ZERO_UUID } from '../../../src/kafka/protocol/schema/apis/metadata.js';
import { Writer } from '../../../src/kafka/protocol/writer.js';
import { ScramClient } from '../../../src/kafka/sasl-scram.js';
import {
  int8 as i8,
  int16 as i16,
  int32 as i32,
  list,
  nullableText as nstr,
  onlyProtocolErrors,
  text as str,
  uuid,
} from '../../helpers/fuzz-decoder.js';
import type {
  ApiVersionsResponse,
  DescribeConfigsResponse,
  FindCoordinatorResponse,
  IncrementalAlterConfigsResponse,
  MetadataResponse,
  SaslAuthenticateResponse,
  SaslHandshakeResponse,
} from './client-types.js';
import * as mirror from './wire-mirror.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');
const reader = (b: Uint8Array): Reader => new Reader(Buffer.from(b), 0, 'test');

function expectProtocolError(fn: () => unknown): SharqError {
  try {
    fn();
  } catch (err) {
    expect(SharqError.is(err, 'SHARQ_ERR_PROTOCOL')).toBe(true);
    return err as SharqError;
  }
  throw new Error('expected SHARQ_ERR_PROTOCOL, nothing was thrown');
}

describe('Writer and Reader primitives', () => {
  it('round-trip fixed-width integers at their limits, big-endian', () => {
    const w = new Writer(1); // forces growth
    w.int8(-128).int8(127).int16(-32768).int16(32767).int32(-2147483648).int32(2147483647);
    w.uint32(0)
      .uint32(0xffffffff)
      .int64(-(2n ** 63n))
      .int64(2n ** 63n - 1n);
    w.int64(Number.MAX_SAFE_INTEGER).bool(true).bool(false);
    expect(hex(w.toBuffer()).slice(0, 12)).toBe('807f80007fff');
    const r = reader(w.toBuffer());
    expect([r.int8(), r.int8(), r.int16(), r.int16(), r.int32(), r.int32()]).toEqual([
      -128, 127, -32768, 32767, -2147483648, 2147483647,
    ]);
    expect([r.uint32(), r.uint32()]).toEqual([0, 0xffffffff]);
    expect([r.int64Big(), r.int64Big()]).toEqual([-(2n ** 63n), 2n ** 63n - 1n]);
    expect(r.int64()).toBe(Number.MAX_SAFE_INTEGER);
    expect([r.bool(), r.bool()]).toEqual([true, false]);
    expect(r.remaining).toBe(0);
  });

  it('encodes unsigned varints in 1 to 5 bytes', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [1, '01'],
      [127, '7f'],
      [128, '8001'],
      [300, 'ac02'],
      [16383, 'ff7f'],
      [16384, '808001'],
      [0xffffffff, 'ffffffff0f'],
    ];
    for (const [value, encoded] of cases) {
      expect(hex(new Writer().uvarint(value).toBuffer())).toBe(encoded);
      expect(reader(bytes(encoded)).uvarint()).toBe(value);
    }
  });

  it('zigzag-encodes varints and varlongs, including their minimum and maximum', () => {
    const varints: [number, string][] = [
      [0, '00'],
      [-1, '01'],
      [1, '02'],
      [-64, '7f'],
      [64, '8001'],
      [2147483647, 'feffffff0f'],
      [-2147483648, 'ffffffff0f'],
    ];
    for (const [value, encoded] of varints) {
      expect(hex(new Writer().varint(value).toBuffer())).toBe(encoded);
      expect(reader(bytes(encoded)).varint()).toBe(value);
    }
    const min = new Writer().varlong(-(2n ** 63n)).toBuffer();
    const max = new Writer().varlong(2n ** 63n - 1n).toBuffer();
    expect(hex(min)).toBe('ffffffffffffffffff01');
    expect(hex(max)).toBe('feffffffffffffffff01');
    expect(reader(min).varlong()).toBe(-(2 ** 63));
    for (const v of [0, -1, 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      expect(reader(new Writer().varlong(v).toBuffer()).varlong()).toBe(v);
    }
  });

  it('tells null from empty for strings, bytes and arrays, classic and compact', () => {
    const w = new Writer();
    w.string(null).string('').compactString(null).compactString('');
    w.bytes(null).bytes(new Uint8Array(0)).compactBytes(null).compactBytes(new Uint8Array(0));
    w.array(null, () => {}).array([], () => {});
    w.compactArray(null, () => {}).compactArray([], () => {});
    expect(hex(w.toBuffer())).toBe(
      `ffff0000 0001 ffffffff00000000 0001 ffffffff00000000 0001`.replace(/ /g, ''),
    );
    const r = reader(w.toBuffer());
    expect([r.string(), r.string(), r.compactString(), r.compactString()]).toEqual([
      null,
      '',
      null,
      '',
    ]);
    expect(r.bytes()).toBeNull();
    expect(r.bytes()?.length).toBe(0);
    expect(r.compactBytes()).toBeNull();
    expect(r.compactBytes()?.length).toBe(0);
    expect(r.array((x) => x.int8())).toBeNull();
    expect(r.array((x) => x.int8())).toEqual([]);
    expect(r.compactArray((x) => x.int8())).toBeNull();
    expect(r.compactArray((x) => x.int8())).toEqual([]);
    expect(r.remaining).toBe(0);
  });

  it('counts string lengths in UTF-8 bytes', () => {
    const buf = new Writer().compactString('é€😀').string('é').toBuffer();
    expect(buf[0]).toBe(1 + 2 + 3 + 4);
    const r = reader(buf);
    expect(r.compactString()).toBe('é€😀');
    expect(r.string()).toBe('é');
  });

  it('writes UUIDs as 16 raw bytes and reads them as 32 lowercase hex digits', () => {
    const dashed = '0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0';
    const buf = new Writer().uuid(dashed).uuid(ZERO_UUID).toBuffer();
    expect(buf.length).toBe(32);
    const r = reader(buf);
    expect(r.uuid()).toBe('0f1e2d3c4b5a69788796a5b4c3d2e1f0');
    expect(r.uuid()).toBe(ZERO_UUID);
    expect(() => new Writer().uuid('abcd')).toThrow(RangeError);
  });

  it('round-trips tagged fields and skips unknown ones', () => {
    const buf = new Writer()
      .tags([
        { tag: 0, data: bytes('01') },
        { tag: 300, data: bytes('aabbcc') },
      ])
      .int8(9)
      .toBuffer();
    const r = reader(buf);
    const tags = r.tags();
    expect(hex(tags.get(0)!)).toBe('01');
    expect(hex(tags.get(300)!)).toBe('aabbcc');
    expect(r.int8()).toBe(9);
  });

  it('rejects truncated and impossible input with SHARQ_ERR_PROTOCOL naming the position', () => {
    const err = expectProtocolError(() =>
      new Reader(bytes('0000'), 0, 'Metadata v12 response').int32(),
    );
    expect(err.message).toContain('Metadata v12 response');
    expect(err.message).toContain('position 0');
    expectProtocolError(() => reader(bytes('0005616263')).string()); // length 5, 3 bytes
    expectProtocolError(() => reader(bytes('ffffffffff01')).uvarint()); // 6-byte varint
    expectProtocolError(() => reader(bytes('ffffffffffffffffffff01')).varlong());
    expectProtocolError(() => reader(bytes('ffffffff0f')).compactArray((x) => x.int8())); // 4 billion items
    expectProtocolError(() => reader(bytes('7fffffff')).array((x) => x.int8()));
    expectProtocolError(() => reader(bytes('00')).requiredCompactString());
    expectProtocolError(() => reader(bytes('ffff')).requiredString());
    expectProtocolError(() => reader(bytes('00')).requiredCompactArray((x) => x.int8()));
    expectProtocolError(() => reader(bytes('ffffffff')).requiredArray((x) => x.int8()));
    expectProtocolError(() => reader(bytes('0105')).tags()); // one field, truncated
  });
});

describe('Writer and Reader properties', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 40 });

  it('round-trips every integer type', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -128, max: 127 }),
        fc.integer({ min: -32768, max: 32767 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.maxSafeInteger(),
        (i8, i16, i32, u32, i64, safe) => {
          const w = new Writer(1);
          w.int8(i8).int16(i16).int32(i32).uint32(u32).int64(i64).uvarint(u32).varint(i32);
          w.varlong(safe).varlong(i64);
          const r = reader(w.toBuffer());
          expect(r.int8()).toBe(i8);
          expect(r.int16()).toBe(i16);
          expect(r.int32()).toBe(i32);
          expect(r.uint32()).toBe(u32);
          expect(r.int64Big()).toBe(i64);
          expect(r.uvarint()).toBe(u32);
          expect(r.varint()).toBe(i32);
          expect(r.varlong()).toBe(safe);
          expect(r.varlong()).toBe(Number(i64));
          expect(r.remaining).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips strings, bytes, arrays and tags', () => {
    fc.assert(
      fc.property(
        fc.option(text, { nil: null }),
        fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null }),
        fc.option(fc.array(text, { maxLength: 5 }), { nil: null }),
        fc.array(fc.record({ tag: fc.nat(1000), data: fc.uint8Array({ maxLength: 8 }) }), {
          maxLength: 3,
        }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (s, b, list, tags, id) => {
          const w = new Writer(1);
          w.string(s).compactString(s).bytes(b).compactBytes(b);
          w.array(list, (x, v) => x.string(v)).compactArray(list, (x, v) => x.compactString(v));
          w.tags(tags).uuid(id);
          const r = reader(w.toBuffer());
          expect(r.string()).toBe(s);
          expect(r.compactString()).toBe(s);
          expect(r.bytes()?.toString('hex') ?? null).toBe(b === null ? null : hex(b));
          expect(r.compactBytes()?.toString('hex') ?? null).toBe(b === null ? null : hex(b));
          expect(r.array((x) => x.string())).toEqual(list);
          expect(r.compactArray((x) => x.compactString())).toEqual(list);
          const read = r.tags();
          const expected = new Map(tags.map((t) => [t.tag, hex(t.data)]));
          expect(new Map([...read].map(([k, v]) => [k, hex(v)]))).toEqual(expected);
          expect(r.uuid()).toBe(hex(id));
          expect(r.remaining).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

// --- arbitraries for every response sharq decodes ------------------------------------------------

const apiVersionsResponse: fc.Arbitrary<ApiVersionsResponse> = fc.record({
  errorCode: i16.filter((c) => c !== KafkaErrors.UNSUPPORTED_VERSION),
  apiKeys: list(fc.record({ apiKey: i16, minVersion: i16, maxVersion: i16 })),
  throttleTimeMs: i32,
  supportedFeatures: list(fc.record({ name: str, minVersion: i16, maxVersion: i16 })),
  finalizedFeaturesEpoch: fc.oneof(fc.constant(-1), fc.maxSafeNat()),
  finalizedFeatures: list(fc.record({ name: str, maxVersionLevel: i16, minVersionLevel: i16 })),
});

const metadataResponse: fc.Arbitrary<MetadataResponse> = fc.record({
  throttleTimeMs: i32,
  brokers: list(fc.record({ nodeId: i32, host: str, port: i32, rack: nstr })),
  clusterId: nstr,
  controllerId: i32,
  topics: list(
    fc.record({
      errorCode: i16,
      name: nstr,
      topicId: uuid,
      isInternal: fc.boolean(),
      partitions: list(
        fc.record({
          errorCode: i16,
          partitionIndex: i32,
          leaderId: i32,
          leaderEpoch: i32,
          replicaNodes: list(i32),
          isrNodes: list(i32),
          offlineReplicas: list(i32),
        }),
      ),
      topicAuthorizedOperations: i32,
    }),
  ),
});

const findCoordinatorResponse: fc.Arbitrary<FindCoordinatorResponse> = fc.record({
  throttleTimeMs: i32,
  coordinators: list(
    fc.record({
      key: str,
      nodeId: i32,
      host: str,
      port: i32,
      errorCode: i16,
      errorMessage: nstr,
    }),
  ),
});

const incrementalAlterConfigsResponse: fc.Arbitrary<IncrementalAlterConfigsResponse> = fc.record({
  throttleTimeMs: i32,
  responses: list(
    fc.record({ errorCode: i16, errorMessage: nstr, resourceType: i8, resourceName: str }),
  ),
});

const describeConfigsResponse: fc.Arbitrary<DescribeConfigsResponse> = fc.record({
  throttleTimeMs: i32,
  results: list(
    fc.record({
      errorCode: i16,
      errorMessage: nstr,
      resourceType: i8,
      resourceName: str,
      configs: list(
        fc.record({
          name: str,
          value: nstr,
          readOnly: fc.boolean(),
          configSource: i8,
          isSensitive: fc.boolean(),
          synonyms: list(fc.record({ name: str, value: nstr, source: i8 })),
          configType: i8,
          documentation: nstr,
        }),
      ),
    }),
  ),
});

const saslHandshakeResponse: fc.Arbitrary<SaslHandshakeResponse> = fc.record({
  errorCode: i16,
  mechanisms: list(str),
});

const saslAuthenticateResponse: fc.Arbitrary<SaslAuthenticateResponse> = fc.record({
  errorCode: i16,
  errorMessage: nstr,
  authBytes: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
  sessionLifetimeMs: fc.maxSafeNat(),
});

interface ResponseCase {
  api: ApiDef<never, unknown>;
  arb: fc.Arbitrary<unknown>;
  encode: (res: never) => Buffer;
}

const responseCases: ResponseCase[] = [
  { api: ApiVersionsV3, arb: apiVersionsResponse, encode: mirror.encodeApiVersionsResponse },
  { api: MetadataV12, arb: metadataResponse, encode: mirror.encodeMetadataResponse },
  {
    api: FindCoordinatorV6,
    arb: findCoordinatorResponse,
    encode: mirror.encodeFindCoordinatorResponse,
  },
  {
    api: IncrementalAlterConfigsV1,
    arb: incrementalAlterConfigsResponse,
    encode: mirror.encodeIncrementalAlterConfigsResponse,
  },
  {
    api: DescribeConfigsV4,
    arb: describeConfigsResponse,
    encode: mirror.encodeDescribeConfigsResponse,
  },
  { api: SaslHandshakeV1, arb: saslHandshakeResponse, encode: mirror.encodeSaslHandshakeResponse },
  {
    api: SaslAuthenticateV2,
    arb: saslAuthenticateResponse,
    encode: mirror.encodeSaslAuthenticateResponse,
  },
];

/** Decodes a whole body the way the connection does: no trailing bytes allowed. */
function decodeBody(api: ApiDef<never, unknown>, body: Uint8Array): unknown {
  const r = new Reader(Buffer.from(body), 0, `${api.name} v${api.version} response`);
  const res = api.decode(r);
  if (r.remaining !== 0) r.malformed('trailing bytes');
  return res;
}

describe('API response codecs', () => {
  for (const { api, arb, encode } of responseCases) {
    it(`${api.name} v${api.version}: encode → decode is the identity`, () => {
      fc.assert(
        fc.property(arb, (res) => {
          // Schema codecs also carry the fields of other versions, at their defaults.
          expect(decodeBody(api, encode(res as never))).toMatchObject(res as object);
        }),
        { numRuns: 200 },
      );
    });
  }

  for (const { api, arb, encode } of responseCases) {
    it(`${api.name} v${api.version}: random and corrupted bodies only ever throw SHARQ_ERR_PROTOCOL`, () => {
      const mutated = fc
        .tuple(arb, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 1, 2, 3))
        .map(([res, at, byte, how]) => {
          const body = encode(res as never);
          const i = body.length === 0 ? 0 : at % body.length;
          if (how === 0) return body.subarray(0, i); // truncated
          if (how === 1)
            return Buffer.concat([body.subarray(0, i), Buffer.from([byte]), body.subarray(i)]);
          const copy = Buffer.from(body);
          if (copy.length > 0) copy[i] = how === 2 ? byte : copy[i]! ^ 0x80; // replaced / flipped
          return copy;
        });
      const input = fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        mutated,
      );
      fc.assert(
        fc.property(input, (body) => {
          onlyProtocolErrors(() => decodeBody(api, body));
        }),
        { numRuns: 1500 },
      );
    });
  }

  it('ApiVersions v3 reads the v0 layout a broker sends with UNSUPPORTED_VERSION', () => {
    // error_code 35, api_keys INT32 count 1: ApiVersions 0..2; no throttle time, no tags.
    const res = decodeBody(ApiVersionsV3, bytes('0023 00000001 0012 0000 0002'));
    expect(res).toMatchObject({
      errorCode: 35,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 2 }],
    });
  });

  it('ApiVersions v3 decodes a hand-built body with finalized features', () => {
    const body = bytes(
      [
        '0000', // error_code
        '02 0012 0000 0004 00', // api_keys: 1 entry, ApiVersions 0..4, no tags
        '00000000', // throttle_time_ms
        '02', // two tagged fields
        '01 08 0000000000000005', // tag 1, 8 bytes: finalized_features_epoch 5
        '02 14 02 0e 73686172652e76657273696f6e 0001 0001 00', // tag 2, 20 bytes: [share.version 1..1]
      ].join(''),
    );
    expect(decodeBody(ApiVersionsV3, body)).toEqual({
      errorCode: 0,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: 5,
      finalizedFeatures: [{ name: 'share.version', maxVersionLevel: 1, minVersionLevel: 1 }],
      zkMigrationReady: false, // tag 3, absent
    });
  });
});

describe('API request codecs', () => {
  const body = <Req>(api: ApiDef<Req, unknown>, req: Req): Buffer => {
    const w = new Writer();
    api.encode(w, req);
    return Buffer.from(w.toBuffer());
  };

  it('Metadata v12: topics by name, by id, all (null) and none ([])', () => {
    fc.assert(
      fc.property(
        fc.option(
          list(
            fc.oneof(
              str.map((name) => ({ name })),
              uuid.map((topicId) => ({ topicId, name: null })),
            ),
          ),
          {
            nil: null,
          },
        ),
        fc.boolean(),
        fc.boolean(),
        (topics, allowAutoTopicCreation, includeTopicAuthorizedOperations) => {
          const req = { topics, allowAutoTopicCreation, includeTopicAuthorizedOperations };
          expect(mirror.decodeMetadataRequest(body(MetadataV12, req))).toEqual({
            ...req,
            topics:
              topics === null
                ? null
                : topics.map((t) => ({
                    topicId: 'topicId' in t ? t.topicId : ZERO_UUID,
                    name: t.name,
                  })),
          });
        },
      ),
    );
  });

  it('FindCoordinator v6, IncrementalAlterConfigs v1, DescribeConfigs v4, SASL', () => {
    fc.assert(
      fc.property(list(str), nstr, str, fc.boolean(), (keys, value, name, flag) => {
        const fcReq = { keyType: 0 as const, coordinatorKeys: keys };
        expect(mirror.decodeFindCoordinatorRequest(body(FindCoordinatorV6, fcReq))).toEqual(fcReq);
        const iac = {
          resources: [
            {
              resourceType: 32,
              resourceName: name,
              configs: keys.map(
                (k) => ({ name: k, configOperation: value === null ? 1 : 0, value }) as const,
              ),
            },
          ],
          validateOnly: flag,
        };
        expect(
          mirror.decodeIncrementalAlterConfigsRequest(body(IncrementalAlterConfigsV1, iac)),
        ).toEqual(iac);
        const dc = {
          resources: [
            { resourceType: 32, resourceName: name, configurationKeys: flag ? keys : null },
          ],
          includeSynonyms: flag,
          includeDocumentation: !flag,
        };
        expect(mirror.decodeDescribeConfigsRequest(body(DescribeConfigsV4, dc))).toEqual(dc);
        expect(
          mirror.decodeSaslHandshakeRequest(body(SaslHandshakeV1, { mechanism: name })),
        ).toEqual({
          mechanism: name,
        });
        const auth = Buffer.from(name, 'utf8');
        expect(
          mirror.decodeSaslAuthenticateRequest(body(SaslAuthenticateV2, { authBytes: auth }))
            .authBytes,
        ).toEqual(auth);
      }),
      { numRuns: 200 },
    );
  });

  it('frames an ApiVersions v3 request byte for byte as the protocol guide specifies', () => {
    const frame = encodeRequest(
      ApiVersionsV3,
      { clientSoftwareName: 'sharq', clientSoftwareVersion: '0.1.0' },
      7,
      't',
    );
    expect(hex(frame)).toBe(
      [
        '00000019', // size: 25 bytes follow
        '0012', // request_api_key 18
        '0003', // request_api_version 3
        '00000007', // correlation_id
        '0001 74', // client_id: NULLABLE_STRING (INT16 length even in header v2) "t"
        '00', // header tagged fields
        '06 7368617271', // client_software_name: COMPACT_STRING "sharq" (length + 1)
        '06 302e312e30', // client_software_version: "0.1.0"
        '00', // body tagged fields
      ]
        .join('')
        .replace(/ /g, ''),
    );
  });

  it('frames a non-flexible request with header v1 (no tagged fields) and a null client id', () => {
    const frame = encodeRequest(SaslHandshakeV1, { mechanism: 'PLAIN' }, 1, null);
    expect(hex(frame)).toBe(
      '00000011' + '0011' + '0001' + '00000001' + 'ffff' + '0005' + '504c41494e',
    );
  });

  it('frames a Metadata v12 request for one topic by name', () => {
    const frame = encodeRequest(
      MetadataV12,
      {
        topics: [{ name: 'a' }],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      },
      2,
      '',
    );
    expect(hex(frame)).toBe(
      `00000022 0003 000c 00000002 0000 00 02 ${'00'.repeat(16)} 0261 00 00 00 00`.replace(
        / /g,
        '',
      ),
    );
  });
});

describe('FrameAssembler', () => {
  const frameOf = (payload: Buffer): Buffer => {
    const f = Buffer.alloc(4 + payload.length);
    f.writeInt32BE(payload.length, 0);
    payload.copy(f, 4);
    return f;
  };

  it('cuts a stream split anywhere into the same frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 4, maxLength: 50 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(400), { maxLength: 10 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map((p) => frameOf(Buffer.from(p))));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort(
            (a, b) => a - b,
          );
          const assembler = new FrameAssembler(1024);
          const out: string[] = [];
          let start = 0;
          for (const end of [...points, stream.length]) {
            assembler.push(stream.subarray(start, end));
            start = end;
            for (let f = assembler.next(); f !== null; f = assembler.next()) out.push(hex(f));
          }
          expect(out).toEqual(payloads.map(hex));
          expect(assembler.bufferedBytes).toBe(0);
        },
      ),
    );
  });

  it('returns a frame inside one chunk as a view, and copies one spanning chunks once', () => {
    const chunk = Buffer.concat([frameOf(bytes('01020304')), frameOf(bytes('0506070809'))]);
    const assembler = new FrameAssembler(1024);
    assembler.push(chunk.subarray(0, 10));
    const first = assembler.next()!;
    expect(first.buffer).toBe(chunk.buffer);
    expect(assembler.next()).toBeNull();
    assembler.push(chunk.subarray(10));
    expect(hex(assembler.next()!)).toBe('0506070809');
  });

  it('accepts one byte at a time', () => {
    const stream = Buffer.concat([frameOf(bytes('aabbccdd')), frameOf(bytes('11223344'))]);
    const assembler = new FrameAssembler(1024);
    const out: string[] = [];
    for (const b of stream) {
      assembler.push(Buffer.from([b]));
      const f = assembler.next();
      if (f !== null) out.push(hex(f));
    }
    expect(out).toEqual(['aabbccdd', '11223344']);
  });

  it('rejects sizes past the limit, negative or too small for a correlation id', () => {
    for (const size of ['7fffffff', 'ffffffff', '00000000', '00000003', '00000401']) {
      const assembler = new FrameAssembler(1024, 'response from b:1');
      assembler.push(bytes(size));
      const err = expectProtocolError(() => assembler.next());
      expect(err.message).toContain('response from b:1');
    }
  });

  it('only ever yields frames, waits, or throws SHARQ_ERR_PROTOCOL on random bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
        const assembler = new FrameAssembler(256);
        onlyProtocolErrors(() => {
          for (const c of chunks) {
            assembler.push(Buffer.from(c));
            while (assembler.next() !== null) {}
          }
        });
      }),
    );
  });
});

describe('SCRAM client', () => {
  it('reproduces the RFC 7677 SCRAM-SHA-256 example exchange', async () => {
    const client = new ScramClient('scram-sha-256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
    expect(client.clientFirstMessage()).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const final = await client.clientFinalMessage(
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    );
    expect(final).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    expect(() =>
      client.verifyServerFinal('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='),
    ).not.toThrow();
  });

  it('rejects a wrong server signature, a server error and a nonce it did not extend', async () => {
    const serverFirst =
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
    const client = new ScramClient('scram-sha-256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
    await client.clientFinalMessage(serverFirst);
    const bad = (fn: () => unknown) =>
      expect(fn).toThrow(expect.objectContaining({ code: 'SHARQ_ERR_AUTH' }));
    bad(() => client.verifyServerFinal('v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='));
    bad(() => client.verifyServerFinal('e=invalid-proof'));
    bad(() => client.verifyServerFinal('garbage'));
    const other = new ScramClient('scram-sha-256', 'user', 'pencil', 'someOtherNonce');
    await expect(other.clientFinalMessage(serverFirst)).rejects.toMatchObject({
      code: 'SHARQ_ERR_AUTH',
    });
    const fresh = new ScramClient('scram-sha-512', 'user', 'pencil', 'abc');
    await expect(fresh.clientFinalMessage('r=abcdef,s=AAAA,i=0')).rejects.toMatchObject({
      code: 'SHARQ_ERR_AUTH',
    });
    await expect(fresh.clientFinalMessage('r=abcdef,s=AAAA,i=99999999999')).rejects.toMatchObject({
      code: 'SHARQ_ERR_AUTH',
    });
  });

  it('escapes "=" and "," in the user name (RFC 5802 saslname)', () => {
    expect(new ScramClient('scram-sha-512', 'a=b,c', 'p', 'n').clientFirstMessage()).toBe(
      'n,,n=a=3Db=2Cc,r=n',
    );
  });
});

describe('Kafka error codes', () => {
  it('names the codes sharq handles with their Kafka numbers', () => {
    expect(KafkaErrors).toMatchObject({
      UNKNOWN_SERVER_ERROR: -1,
      NONE: 0,
      UNKNOWN_TOPIC_OR_PARTITION: 3,
      NOT_LEADER_OR_FOLLOWER: 6,
      COORDINATOR_LOAD_IN_PROGRESS: 14,
      COORDINATOR_NOT_AVAILABLE: 15,
      NOT_COORDINATOR: 16,
      UNKNOWN_MEMBER_ID: 25,
      UNSUPPORTED_VERSION: 35,
      SASL_AUTHENTICATION_FAILED: 58,
      FENCED_LEADER_EPOCH: 74,
      GROUP_MAX_SIZE_REACHED: 81,
      UNKNOWN_TOPIC_ID: 100,
      FENCED_MEMBER_EPOCH: 110,
      INVALID_RECORD_STATE: 121,
      SHARE_SESSION_NOT_FOUND: 122,
      INVALID_SHARE_SESSION_EPOCH: 123,
      FENCED_STATE_EPOCH: 124,
      REBOOTSTRAP_REQUIRED: 129,
      SHARE_SESSION_LIMIT_REACHED: 133,
    });
    const codes = Object.values(KafkaErrors) as number[];
    expect(new Set(codes).size).toBe(codes.length);
    for (let c = -1; c <= 133; c++) if (c !== 99) expect(codes).toContain(c);
  });

  it('follows Kafka on which errors are retriable', () => {
    for (const code of [3, 6, 14, 15, 16, 74, 100, 122, 123, 133]) {
      expect(kafkaErrorInfo(code).retryable).toBe(true);
    }
    for (const code of [-1, 25, 35, 58, 81, 110, 121, 124]) {
      expect(kafkaErrorInfo(code).retryable).toBe(false);
    }
    expect(kafkaErrorInfo(9999)).toEqual({
      code: 9999,
      name: 'UNKNOWN_KAFKA_ERROR_9999',
      retryable: false,
    });
  });

  it('builds a coded SharqError with name, number, broker message and context', () => {
    const err = kafkaError(16, 'moved to 2', { api: 'ShareGroupHeartbeat', group: 'jobs' });
    expect(err.code).toBe('SHARQ_ERR_KAFKA');
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(
      'NOT_COORDINATOR (16): moved to 2 [api=ShareGroupHeartbeat, group=jobs]',
    );
    expect(err.details).toEqual({
      kafkaCode: 16,
      kafkaError: 'NOT_COORDINATOR',
      api: 'ShareGroupHeartbeat',
      group: 'jobs',
    });
    const plain = kafkaError(121, null, {});
    expect(plain.message).toBe('INVALID_RECORD_STATE (121)');
    expect(plain.retryable).toBe(false);
  });
});

describe('client identity', () => {
  it('sends the package version as ClientSoftwareVersion', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as {
      version: string;
    };
    expect(CLIENT_SOFTWARE_VERSION).toBe(pkg.version);
    // The broker rejects names outside this pattern with INVALID_REQUEST.
    expect(CLIENT_SOFTWARE_VERSION).toMatch(/^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/);
  });
});
