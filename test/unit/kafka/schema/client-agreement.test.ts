import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApiDef } from '../../../../src/kafka/protocol/api.js';
import { ShareAcknowledgeV2 } from '../../../../src/kafka/protocol/apis/share-acknowledge-v2.js';
import { ShareFetchV2 } from '../../../../src/kafka/protocol/apis/share-fetch-v2.js';
import { Reader } from '../../../../src/kafka/protocol/reader.js';
import { type ApiSchema, toApiDef } from '../../../../src/kafka/protocol/schema/api.js';
import { SCHEMAS } from '../../../../src/kafka/protocol/schema/registry.js';
import type { Writer } from '../../../../src/kafka/protocol/writer.js';
import * as broker from '../../../helpers/kafka-codec.js';
import {
  readFetchRequest,
  readListGroupsRequest,
  writeFetchResponse,
  writeListGroupsResponse,
} from '../../../helpers/kafka-codec-fetch.js';
import { arbitraryValue, encodeBody } from './arbitrary.js';

// The hand-written client codecs still in use (src/kafka/protocol/apis/*.ts: the job loop's, kept
// for speed, see src/kafka/protocol/client-apis.ts) were checked against real brokers; the schema
// tables must agree with them byte for byte, so the two definitions cannot drift apart. Requests: both encoders write
// the same bytes for the same value. Responses: a body the schema encodes decodes through the
// old codec to the same fields (the schema's value may carry more: fields of other versions at
// their defaults), and where both decoders accept a corrupted body they agree on it.
// The broker-side test codecs (test/helpers/kafka-codec*.ts) were written independently of both;
// where they exist the schema matches them too.

type Loose = Record<string, unknown>;

interface Pair {
  /** The hand-written codec, while one is in use; else only the broker-side checks run. */
  old?: ApiDef<unknown, unknown>;
  api?: ApiSchema;
  version?: number;
  /** The old codec's view of a decoded response, in the schema's terms. */
  fromOld?: (res: Loose) => Loose;
  /** How a client decodes a whole response body with the schema (default: `response.decode`). */
  decode?: (body: Buffer) => unknown;
  /** Broker-side test codecs of the same version, where there are any. */
  readRequest?: (r: Reader) => unknown;
  writeResponse?: (w: Writer, res: never) => void;
  /** The schema's response in the broker-side codec's terms. */
  toBroker?: (res: Loose) => Loose;
}

const loose = <Req, Res>(api: ApiDef<Req, Res>) => api as unknown as ApiDef<unknown, unknown>;

/** Fetch v12: the broker-side test codec writes a tagged struct at its defaults as null (absent). */
const FETCH_TAGS = {
  divergingEpoch: { epoch: -1, endOffset: -1 },
  currentLeader: { leaderId: -1, leaderEpoch: -1 },
  snapshotId: { endOffset: -1, epoch: -1 },
} as const;

function mapFetchPartitions(res: Loose, map: (p: Loose) => Loose): Loose {
  const responses = res.responses as Loose[];
  return {
    ...res,
    responses: responses.map((t) => ({ ...t, partitions: (t.partitions as Loose[]).map(map) })),
  };
}

const fetchToBroker = (res: Loose) =>
  mapFetchPartitions(res, (p) => {
    const out = { ...p };
    for (const [k, d] of Object.entries(FETCH_TAGS)) {
      const v = p[k] as Loose;
      out[k] = Object.entries(d).every(([f, x]) => v[f] === x) ? null : v;
    }
    return out;
  });

/** The schema of an API by name. */
function schemaNamed(name: string): ApiSchema {
  const api = [...SCHEMAS.values()].find((a) => a.name === name);
  if (api === undefined) throw new Error(`no schema named ${name}`);
  return api;
}

const PAIRS: Pair[] = [
  {
    api: schemaNamed('Fetch'),
    version: 12,
    readRequest: readFetchRequest,
    writeResponse: writeFetchResponse,
    toBroker: fetchToBroker,
  },
  {
    api: schemaNamed('ListGroups'),
    version: 5,
    readRequest: readListGroupsRequest,
    writeResponse: writeListGroupsResponse,
  },
  {
    api: schemaNamed('ShareGroupHeartbeat'),
    version: 1,
    readRequest: broker.readShareGroupHeartbeatRequest,
    writeResponse: broker.writeShareGroupHeartbeatResponse,
  },
  {
    api: schemaNamed('ShareGroupDescribe'),
    version: 1,
    readRequest: broker.readShareGroupDescribeRequest,
    writeResponse: broker.writeShareGroupDescribeResponse,
  },
  {
    old: loose(ShareFetchV2),
    readRequest: broker.readShareFetchRequest,
    writeResponse: broker.writeShareFetchResponse,
  },
  {
    old: loose(ShareAcknowledgeV2),
    readRequest: broker.readShareAcknowledgeRequest,
    writeResponse: broker.writeShareAcknowledgeResponse,
  },
  {
    api: schemaNamed('DescribeShareGroupOffsets'),
    version: 1,
    readRequest: broker.readDescribeShareGroupOffsetsRequest,
    writeResponse: broker.writeDescribeShareGroupOffsetsResponse,
  },
  {
    api: schemaNamed('AlterShareGroupOffsets'),
    version: 0,
    readRequest: broker.readAlterShareGroupOffsetsRequest,
    writeResponse: broker.writeAlterShareGroupOffsetsResponse,
  },
  {
    api: schemaNamed('DeleteShareGroupOffsets'),
    version: 0,
    readRequest: broker.readDeleteShareGroupOffsetsRequest,
    writeResponse: broker.writeDeleteShareGroupOffsetsResponse,
  },
];

function schemaOf(pair: Pair): ApiSchema {
  const api = pair.api ?? SCHEMAS.get(pair.old?.apiKey ?? -1);
  if (api === undefined) throw new Error(`no schema for ${pair.old?.name}`);
  return api;
}

/** Runs `fn`, returning its value or undefined when it throws SHARQ_ERR_PROTOCOL. */
function accepted<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if ((err as { code?: unknown }).code === 'SHARQ_ERR_PROTOCOL') return undefined;
    throw err;
  }
}

describe.each(
  PAIRS.map((p) => [`${schemaOf(p).name} v${p.old?.version ?? p.version}`, p] as const),
)('%s', (_n, pair) => {
  const { old } = pair;
  const api = schemaOf(pair);
  const v = old?.version ?? pair.version!;
  const fromOld = pair.fromOld ?? ((res: Loose) => res);
  if (old !== undefined) {
    it('is in the schema range with the same header choice', () => {
      expect(api.name).toBe(old.name);
      expect(v >= api.minVersion && v <= api.maxVersion).toBe(true);
      const def = toApiDef(api, v);
      expect(def.flexible).toBe(old.flexible);
      expect(def.responseHeaderV0).toBe(old.responseHeaderV0);
    });

    it('encodes requests to the same bytes', () => {
      fc.assert(
        fc.property(arbitraryValue(api.request, v), (req) => {
          expect(broker.encodeRequest(old, req)).toEqual(encodeBody(api.request, v, req));
        }),
        { numRuns: 60 },
      );
    });

    it('decodes responses to the same fields', () => {
      fc.assert(
        fc.property(arbitraryValue(api.response, v), (res) => {
          const body = encodeBody(api.response, v, res);
          const viaOld = fromOld(broker.decodeResponse(old, body) as Loose);
          expect(res).toMatchObject(viaOld);
        }),
        { numRuns: 60 },
      );
    });

    it('agrees with the old decoder on corrupted responses both accept', () => {
      fc.assert(
        fc.property(arbitraryValue(api.response, v), fc.nat(), fc.nat(), (res, bit, cut) => {
          const body = Buffer.from(encodeBody(api.response, v, res));
          if (body.length === 0) return;
          body[(bit >> 3) % body.length]! ^= 1 << (bit & 7);
          const sample = body.subarray(0, body.length - (cut % 3));
          const viaOld = accepted(() => old.decode(new Reader(sample)) as Loose);
          const viaSchema = accepted(() =>
            pair.decode === undefined
              ? api.response.decode(v, new Reader(sample))
              : pair.decode(sample),
          );
          if (viaOld !== undefined && viaSchema !== undefined) {
            expect(viaSchema).toMatchObject(fromOld(viaOld));
          }
        }),
        { numRuns: 150 },
      );
    });
  }

  const { readRequest, writeResponse } = pair;
  if (readRequest !== undefined && writeResponse !== undefined) {
    const toBroker = pair.toBroker ?? ((res: Loose) => res);
    it('matches the broker-side test codecs', () => {
      fc.assert(
        fc.property(arbitraryValue(api.request, v), arbitraryValue(api.response, v), (req, res) => {
          const seen = broker.readAll(encodeBody(api.request, v, req), readRequest) as Loose;
          expect(req).toMatchObject(seen);
          const written = broker.writeAll((w) => writeResponse(w, toBroker(res) as never));
          expect(written).toEqual(encodeBody(api.response, v, res));
        }),
        { numRuns: 60 },
      );
    });
  }
});
