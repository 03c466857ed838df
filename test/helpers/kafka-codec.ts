/**
 * The broker's side of the share APIs, for tests only: decoders for the request bodies sharq
 * writes and encoders for the response bodies it reads, written from the same Kafka 4.4 schemas
 * as `src/kafka/protocol/apis/*` but independently of them, so a round trip checks both.
 */
import type { ApiDef } from '../../src/kafka/protocol/api.js';
import type {
  ShareAcknowledgeRequest,
  ShareAcknowledgeResponse,
} from '../../src/kafka/protocol/apis/share-acknowledge-v2.js';
import type {
  AcknowledgementBatch,
  LeaderIdAndEpoch,
  NodeEndpoint,
  ShareFetchRequest,
  ShareFetchResponse,
} from '../../src/kafka/protocol/apis/share-fetch-v2.js';
import { Reader } from '../../src/kafka/protocol/reader.js';
import type {
  AlterShareGroupOffsetsRequest,
  AlterShareGroupOffsetsResponse,
} from '../../src/kafka/protocol/schema/apis/alter-share-group-offsets.js';
import type {
  DeleteShareGroupOffsetsRequest,
  DeleteShareGroupOffsetsResponse,
} from '../../src/kafka/protocol/schema/apis/delete-share-group-offsets.js';
import type {
  DescribeShareGroupOffsetsRequest,
  DescribeShareGroupOffsetsResponse,
} from '../../src/kafka/protocol/schema/apis/describe-share-group-offsets.js';
import type {
  ShareGroupDescribeRequest,
  ShareGroupDescribeResponse,
} from '../../src/kafka/protocol/schema/apis/share-group-describe.js';
import type {
  ShareGroupHeartbeatRequest,
  ShareGroupHeartbeatResponse,
} from '../../src/kafka/protocol/schema/apis/share-group-heartbeat.js';
import { Writer } from '../../src/kafka/protocol/writer.js';

/** The request body an ApiDef writes. */
export function encodeRequest<Req, Res>(api: ApiDef<Req, Res>, req: Req): Buffer {
  const w = new Writer();
  api.encode(w, req);
  return Buffer.from(w.toBuffer());
}

/** Decodes a response body and checks that the decoder consumed all of it. */
export function decodeResponse<Req, Res>(api: ApiDef<Req, Res>, body: Buffer): Res {
  const r = new Reader(body, 0, `${api.name} v${api.version} response`);
  const res = api.decode(r);
  if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left after the response`);
  return res;
}

/** Runs a test-side reader over a whole body, failing if bytes are left. */
export function readAll<T>(body: Buffer, read: (r: Reader) => T): T {
  const r = new Reader(body, 0, 'test request');
  const v = read(r);
  if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left after the request`);
  return v;
}

/** Runs a test-side writer and returns its bytes. */
export function writeAll(write: (w: Writer) => void): Buffer {
  const w = new Writer();
  write(w);
  return Buffer.from(w.toBuffer());
}

/** Bytes from hex written out by hand: whitespace and `// comments` are ignored. */
export function hexBytes(hex: string): Buffer {
  return Buffer.from(hex.replace(/\s+|\/\/[^\n]*/g, ''), 'hex');
}

export function str(r: Reader): string {
  const s = r.compactString();
  if (s === null) throw new Error('null string in a non-nullable field');
  return s;
}

export function arr<T>(r: Reader, each: (r: Reader) => T): T[] {
  const a = r.compactArray(each);
  if (a === null) throw new Error('null array in a non-nullable field');
  return a;
}

/** Reads one struct's fields, then its (empty) tagged-field section. */
export function struct<T>(r: Reader, read: (r: Reader) => T): T {
  const v = read(r);
  const tags = r.tags();
  if (tags.size !== 0) throw new Error(`unexpected tagged fields ${[...tags.keys()].join(',')}`);
  return v;
}

// ShareGroupHeartbeat v1 ------------------------------------------------------------------------

export function readShareGroupHeartbeatRequest(r: Reader): ShareGroupHeartbeatRequest {
  return struct(r, (r) => ({
    groupId: str(r),
    memberId: str(r),
    memberEpoch: r.int32(),
    rackId: r.compactString(),
    subscribedTopicNames: r.compactArray(str),
  }));
}

export function writeShareGroupHeartbeatResponse(
  w: Writer,
  res: ShareGroupHeartbeatResponse,
): void {
  w.int32(res.throttleTimeMs)
    .int16(res.errorCode)
    .compactString(res.errorMessage)
    .compactString(res.memberId)
    .int32(res.memberEpoch)
    .int32(res.heartbeatIntervalMs);
  if (res.assignment === null) {
    w.int8(-1);
  } else {
    w.int8(1);
    w.compactArray(res.assignment.topicPartitions, (w, t) => {
      w.uuid(t.topicId)
        .compactArray(t.partitions, (w, p) => w.int32(p))
        .tags();
    });
    w.tags();
  }
  w.tags();
}

// ShareGroupDescribe v1 -------------------------------------------------------------------------

export function readShareGroupDescribeRequest(r: Reader): ShareGroupDescribeRequest {
  return struct(r, (r) => ({
    groupIds: arr(r, str),
    includeAuthorizedOperations: r.bool(),
  }));
}

export function writeShareGroupDescribeResponse(w: Writer, res: ShareGroupDescribeResponse): void {
  w.int32(res.throttleTimeMs);
  w.compactArray(res.groups, (w, g) => {
    w.int16(g.errorCode)
      .compactString(g.errorMessage)
      .compactString(g.groupId)
      .compactString(g.groupState)
      .int32(g.groupEpoch)
      .int32(g.assignmentEpoch)
      .compactString(g.assignorName);
    w.compactArray(g.members, (w, m) => {
      w.compactString(m.memberId)
        .compactString(m.rackId)
        .int32(m.memberEpoch)
        .compactString(m.clientId)
        .compactString(m.clientHost)
        .compactArray(m.subscribedTopicNames, (w, s) => w.compactString(s));
      w.compactArray(m.assignment.topicPartitions, (w, t) => {
        w.uuid(t.topicId)
          .compactString(t.topicName)
          .compactArray(t.partitions, (w, p) => w.int32(p))
          .tags();
      });
      w.tags(); // Assignment
      w.tags(); // Member
    });
    w.int32(g.authorizedOperations).tags();
  });
  w.tags();
}

// ShareFetch v2 ---------------------------------------------------------------------------------

function readAckBatches(r: Reader): AcknowledgementBatch[] {
  return arr(r, (r) =>
    struct(r, (r) => ({
      firstOffset: r.int64(),
      lastOffset: r.int64(),
      acknowledgeTypes: arr(r, (r) => r.int8()),
    })),
  );
}

/** The topics, partitions and acknowledgement batches of ShareFetch and ShareAcknowledge. */
function readAckTopics(r: Reader): ShareAcknowledgeRequest['topics'] {
  return arr(r, (r) =>
    struct(r, (r) => ({
      topicId: r.uuid(),
      partitions: arr(r, (r) =>
        struct(r, (r) => ({
          partitionIndex: r.int32(),
          acknowledgementBatches: readAckBatches(r),
        })),
      ),
    })),
  );
}

export function readShareFetchRequest(r: Reader): ShareFetchRequest {
  return struct(r, (r) => ({
    groupId: r.compactString(),
    memberId: r.compactString(),
    shareSessionEpoch: r.int32(),
    maxWaitMs: r.int32(),
    minBytes: r.int32(),
    maxBytes: r.int32(),
    maxRecords: r.int32(),
    batchSize: r.int32(),
    shareAcquireMode: r.int8(),
    isRenewAck: r.bool(),
    topics: readAckTopics(r),
    forgottenTopicsData: arr(r, (r) =>
      struct(r, (r) => ({ topicId: r.uuid(), partitions: arr(r, (r) => r.int32()) })),
    ),
  }));
}

function writeLeader(w: Writer, l: LeaderIdAndEpoch): void {
  w.int32(l.leaderId).int32(l.leaderEpoch).tags();
}

/** The layout ShareFetch and ShareAcknowledge responses share; `writePartition` writes the rest. */
function writeShareResponse<P>(
  w: Writer,
  res: {
    throttleTimeMs: number;
    errorCode: number;
    errorMessage: string | null;
    acquisitionLockTimeoutMs: number;
    responses: readonly { topicId: string; partitions: readonly P[] }[];
    nodeEndpoints: readonly NodeEndpoint[];
  },
  writePartition: (w: Writer, p: P) => void,
): void {
  w.int32(res.throttleTimeMs)
    .int16(res.errorCode)
    .compactString(res.errorMessage)
    .int32(res.acquisitionLockTimeoutMs);
  w.compactArray(res.responses, (w, t) => {
    w.uuid(t.topicId);
    w.compactArray(t.partitions, (w, p) => {
      writePartition(w, p);
      w.tags();
    });
    w.tags();
  });
  w.compactArray(res.nodeEndpoints, (w, e) => {
    w.int32(e.nodeId).compactString(e.host).int32(e.port).compactString(e.rack).tags();
  });
  w.tags();
}

export function writeShareFetchResponse(w: Writer, res: ShareFetchResponse): void {
  writeShareResponse(w, res, (w, p) => {
    w.int32(p.partitionIndex)
      .int16(p.errorCode)
      .compactString(p.errorMessage)
      .int16(p.acknowledgeErrorCode)
      .compactString(p.acknowledgeErrorMessage);
    writeLeader(w, p.currentLeader);
    w.compactBytes(p.records);
    w.compactArray(p.acquiredRecords, (w, a) => {
      w.int64(a.firstOffset).int64(a.lastOffset).int16(a.deliveryCount).tags();
    });
  });
}

// ShareAcknowledge v2 ---------------------------------------------------------------------------

export function readShareAcknowledgeRequest(r: Reader): ShareAcknowledgeRequest {
  return struct(r, (r) => ({
    groupId: r.compactString(),
    memberId: r.compactString(),
    shareSessionEpoch: r.int32(),
    isRenewAck: r.bool(),
    topics: readAckTopics(r),
  }));
}

export function writeShareAcknowledgeResponse(w: Writer, res: ShareAcknowledgeResponse): void {
  writeShareResponse(w, res, (w, p) => {
    w.int32(p.partitionIndex).int16(p.errorCode).compactString(p.errorMessage);
    writeLeader(w, p.currentLeader);
  });
}

// DescribeShareGroupOffsets v1 ------------------------------------------------------------------

export function readDescribeShareGroupOffsetsRequest(r: Reader): DescribeShareGroupOffsetsRequest {
  return struct(r, (r) => ({
    groups: arr(r, (r) =>
      struct(r, (r) => ({
        groupId: str(r),
        topics: r.compactArray((r) =>
          struct(r, (r) => ({ topicName: str(r), partitions: arr(r, (r) => r.int32()) })),
        ),
      })),
    ),
  }));
}

export function writeDescribeShareGroupOffsetsResponse(
  w: Writer,
  res: DescribeShareGroupOffsetsResponse,
): void {
  w.int32(res.throttleTimeMs);
  w.compactArray(res.groups, (w, g) => {
    w.compactString(g.groupId);
    w.compactArray(g.topics, (w, t) => {
      w.compactString(t.topicName).uuid(t.topicId);
      w.compactArray(t.partitions, (w, p) => {
        w.int32(p.partitionIndex)
          .int64(p.startOffset)
          .int32(p.leaderEpoch)
          .int64(p.lag)
          .int16(p.errorCode)
          .compactString(p.errorMessage)
          .tags();
      });
      w.tags();
    });
    w.int16(g.errorCode).compactString(g.errorMessage).tags();
  });
  w.tags();
}

// AlterShareGroupOffsets v0 ---------------------------------------------------------------------

export function readAlterShareGroupOffsetsRequest(r: Reader): AlterShareGroupOffsetsRequest {
  return struct(r, (r) => ({
    groupId: str(r),
    topics: arr(r, (r) =>
      struct(r, (r) => ({
        topicName: str(r),
        partitions: arr(r, (r) =>
          struct(r, (r) => ({ partitionIndex: r.int32(), startOffset: r.int64() })),
        ),
      })),
    ),
  }));
}

export function writeAlterShareGroupOffsetsResponse(
  w: Writer,
  res: AlterShareGroupOffsetsResponse,
): void {
  w.int32(res.throttleTimeMs).int16(res.errorCode).compactString(res.errorMessage);
  w.compactArray(res.responses, (w, t) => {
    w.compactString(t.topicName).uuid(t.topicId);
    w.compactArray(t.partitions, (w, p) => {
      w.int32(p.partitionIndex).int16(p.errorCode).compactString(p.errorMessage).tags();
    });
    w.tags();
  });
  w.tags();
}

// DeleteShareGroupOffsets v0 --------------------------------------------------------------------

export function readDeleteShareGroupOffsetsRequest(r: Reader): DeleteShareGroupOffsetsRequest {
  return struct(r, (r) => ({
    groupId: str(r),
    topics: arr(r, (r) => struct(r, (r) => ({ topicName: str(r) }))),
  }));
}

export function writeDeleteShareGroupOffsetsResponse(
  w: Writer,
  res: DeleteShareGroupOffsetsResponse,
): void {
  w.int32(res.throttleTimeMs).int16(res.errorCode).compactString(res.errorMessage);
  w.compactArray(res.responses, (w, t) => {
    w.compactString(t.topicName)
      .uuid(t.topicId)
      .int16(t.errorCode)
      .compactString(t.errorMessage)
      .tags();
  });
  w.tags();
}
