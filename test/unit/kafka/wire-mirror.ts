import { Reader } from '../../../src/kafka/protocol/reader.js';
import { Writer } from '../../../src/kafka/protocol/writer.js';
import type {
  ApiVersionsResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
  MetadataRequest,
  MetadataResponse,
  SaslAuthenticateResponse,
  SaslHandshakeResponse,
} from './client-types.js';

/**
 * The broker's half of each API, written independently from Kafka's grammar for the version
 * sharq's client sends (src/kafka/protocol/client-apis.ts, schema codec; apis/*.ts for the
 * hand-written ones): response encoders and request decoders. Round trips through these and the
 * client's codecs check both against the same grammar; the fake broker uses them to answer.
 */

export function encodeApiVersionsResponse(res: ApiVersionsResponse): Buffer {
  const w = new Writer();
  w.int16(res.errorCode);
  w.compactArray(res.apiKeys, (a, k) => {
    a.int16(k.apiKey).int16(k.minVersion).int16(k.maxVersion).tags();
  });
  w.int32(res.throttleTimeMs);
  const tags: { tag: number; data: Uint8Array }[] = [];
  if (res.supportedFeatures.length > 0) {
    const t = new Writer().compactArray(res.supportedFeatures, (f, x) => {
      f.compactString(x.name).int16(x.minVersion).int16(x.maxVersion).tags();
    });
    tags.push({ tag: 0, data: Buffer.from(t.toBuffer()) });
  }
  if (res.finalizedFeaturesEpoch !== -1) {
    tags.push({
      tag: 1,
      data: Buffer.from(new Writer().int64(res.finalizedFeaturesEpoch).toBuffer()),
    });
  }
  if (res.finalizedFeatures.length > 0) {
    const t = new Writer().compactArray(res.finalizedFeatures, (f, x) => {
      f.compactString(x.name).int16(x.maxVersionLevel).int16(x.minVersionLevel).tags();
    });
    tags.push({ tag: 2, data: Buffer.from(t.toBuffer()) });
  }
  w.tags(tags);
  return Buffer.from(w.toBuffer());
}

export function decodeMetadataRequest(body: Buffer): MetadataRequest {
  const r = new Reader(body, 0, 'Metadata v12 request');
  const topics = r.compactArray((t) => {
    const topicId = t.uuid();
    const name = t.compactString();
    t.tags();
    return { topicId, name };
  });
  const allowAutoTopicCreation = r.bool();
  const includeTopicAuthorizedOperations = r.bool();
  r.tags();
  expectEnd(r);
  return { topics, allowAutoTopicCreation, includeTopicAuthorizedOperations };
}

export function encodeMetadataResponse(res: MetadataResponse): Buffer {
  const w = new Writer();
  w.int32(res.throttleTimeMs);
  w.compactArray(res.brokers, (b, x) => {
    b.int32(x.nodeId).compactString(x.host).int32(x.port).compactString(x.rack).tags();
  });
  w.compactString(res.clusterId).int32(res.controllerId);
  w.compactArray(res.topics, (t, x) => {
    t.int16(x.errorCode).compactString(x.name).uuid(x.topicId).bool(x.isInternal);
    t.compactArray(x.partitions, (p, y) => {
      p.int16(y.errorCode).int32(y.partitionIndex).int32(y.leaderId).int32(y.leaderEpoch);
      p.compactArray(y.replicaNodes, (n, v) => n.int32(v));
      p.compactArray(y.isrNodes, (n, v) => n.int32(v));
      p.compactArray(y.offlineReplicas, (n, v) => n.int32(v));
      p.tags();
    });
    t.int32(x.topicAuthorizedOperations).tags();
  });
  w.tags();
  return Buffer.from(w.toBuffer());
}

export function decodeFindCoordinatorRequest(body: Buffer): FindCoordinatorRequest {
  const r = new Reader(body, 0, 'FindCoordinator v6 request');
  const keyType = r.int8() as FindCoordinatorRequest['keyType'];
  const coordinatorKeys = r.requiredCompactArray((k) => k.requiredCompactString());
  r.tags();
  expectEnd(r);
  return { keyType, coordinatorKeys };
}

export function encodeFindCoordinatorResponse(res: FindCoordinatorResponse): Buffer {
  const w = new Writer();
  w.int32(res.throttleTimeMs);
  w.compactArray(res.coordinators, (c, x) => {
    c.compactString(x.key).int32(x.nodeId).compactString(x.host).int32(x.port);
    c.int16(x.errorCode).compactString(x.errorMessage).tags();
  });
  w.tags();
  return Buffer.from(w.toBuffer());
}

export function decodeIncrementalAlterConfigsRequest(body: Buffer): IncrementalAlterConfigsRequest {
  const r = new Reader(body, 0, 'IncrementalAlterConfigs v1 request');
  const resources = r.requiredCompactArray((e) => {
    const resourceType = e.int8();
    const resourceName = e.requiredCompactString();
    const configs = e.requiredCompactArray((c) => {
      const config = {
        name: c.requiredCompactString(),
        configOperation: c.int8() as 0 | 1 | 2 | 3,
        value: c.compactString(),
      };
      c.tags();
      return config;
    });
    e.tags();
    return { resourceType, resourceName, configs };
  });
  const validateOnly = r.bool();
  r.tags();
  expectEnd(r);
  return { resources, validateOnly };
}

export function encodeIncrementalAlterConfigsResponse(
  res: IncrementalAlterConfigsResponse,
): Buffer {
  const w = new Writer();
  w.int32(res.throttleTimeMs);
  w.compactArray(res.responses, (e, x) => {
    e.int16(x.errorCode).compactString(x.errorMessage).int8(x.resourceType);
    e.compactString(x.resourceName).tags();
  });
  w.tags();
  return Buffer.from(w.toBuffer());
}

export function decodeDescribeConfigsRequest(body: Buffer): DescribeConfigsRequest {
  const r = new Reader(body, 0, 'DescribeConfigs v4 request');
  const resources = r.requiredCompactArray((e) => {
    const resourceType = e.int8();
    const resourceName = e.requiredCompactString();
    const configurationKeys = e.compactArray((k) => k.requiredCompactString());
    e.tags();
    return { resourceType, resourceName, configurationKeys };
  });
  const includeSynonyms = r.bool();
  const includeDocumentation = r.bool();
  r.tags();
  expectEnd(r);
  return { resources, includeSynonyms, includeDocumentation };
}

export function encodeDescribeConfigsResponse(res: DescribeConfigsResponse): Buffer {
  const w = new Writer();
  w.int32(res.throttleTimeMs);
  w.compactArray(res.results, (e, x) => {
    e.int16(x.errorCode).compactString(x.errorMessage).int8(x.resourceType);
    e.compactString(x.resourceName);
    e.compactArray(x.configs, (c, y) => {
      c.compactString(y.name).compactString(y.value).bool(y.readOnly).int8(y.configSource);
      c.bool(y.isSensitive);
      c.compactArray(y.synonyms, (s, z) => {
        s.compactString(z.name).compactString(z.value).int8(z.source).tags();
      });
      c.int8(y.configType).compactString(y.documentation).tags();
    });
    e.tags();
  });
  w.tags();
  return Buffer.from(w.toBuffer());
}

export function decodeSaslHandshakeRequest(body: Buffer): { mechanism: string } {
  const r = new Reader(body, 0, 'SaslHandshake v1 request');
  const mechanism = r.requiredString();
  expectEnd(r);
  return { mechanism };
}

export function encodeSaslHandshakeResponse(res: SaslHandshakeResponse): Buffer {
  const w = new Writer();
  w.int16(res.errorCode).array(res.mechanisms, (m, x) => m.string(x));
  return Buffer.from(w.toBuffer());
}

export function decodeSaslAuthenticateRequest(body: Buffer): { authBytes: Buffer } {
  const r = new Reader(body, 0, 'SaslAuthenticate v2 request');
  const authBytes = r.compactBytes() ?? r.malformed('null auth bytes');
  r.tags();
  expectEnd(r);
  return { authBytes };
}

export function encodeSaslAuthenticateResponse(res: SaslAuthenticateResponse): Buffer {
  const w = new Writer();
  w.int16(res.errorCode).compactString(res.errorMessage).compactBytes(res.authBytes);
  w.int64(res.sessionLifetimeMs).tags();
  return Buffer.from(w.toBuffer());
}

function expectEnd(r: Reader): void {
  if (r.remaining !== 0) r.malformed(`${r.remaining} trailing bytes`);
}
