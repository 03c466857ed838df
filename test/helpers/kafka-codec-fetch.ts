/**
 * The broker's side of Fetch v12 and ListGroups v5, for tests only: decoders for the request
 * bodies sharq writes and encoders for the response bodies it reads, written from the Kafka 4.4
 * schemas independently of the client codecs (`src/kafka/protocol/client-apis.ts`), so a round
 * trip checks both. Also a broker-side ListOffsets v6 (the range lookup of `readPartition`).
 */
import { Reader } from '../../src/kafka/protocol/reader.js';
import type {
  ListGroupsRequest,
  ListGroupsResponse,
} from '../../src/kafka/protocol/schema/apis/list-groups.js';
import type { Writer } from '../../src/kafka/protocol/writer.js';
import type {
  FetchRequest,
  FetchRequestPartition,
  FetchResponse,
} from '../unit/kafka/client-types.js';
import { arr, str, struct, writeAll } from './kafka-codec.js';

// Fetch v12 -------------------------------------------------------------------------------------

export function readFetchRequest(r: Reader): FetchRequest {
  const replicaId = r.int32();
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = r.int32();
  const isolationLevel = r.int8();
  const sessionId = r.int32();
  const sessionEpoch = r.int32();
  const topics = arr(r, (r) =>
    struct(r, (r) => ({
      topic: str(r),
      partitions: arr(r, (r) =>
        struct(
          r,
          (r): FetchRequestPartition => ({
            partition: r.int32(),
            currentLeaderEpoch: r.int32(),
            fetchOffset: r.int64(),
            lastFetchedEpoch: r.int32(),
            logStartOffset: r.int64(),
            partitionMaxBytes: r.int32(),
          }),
        ),
      ),
    })),
  );
  const forgottenTopicsData = arr(r, (r) =>
    struct(r, (r) => ({ topic: str(r), partitions: arr(r, (r) => r.int32()) })),
  );
  const rackId = str(r);
  const tags = r.tags();
  const req: FetchRequest = {
    replicaId,
    maxWaitMs,
    minBytes,
    maxBytes,
    isolationLevel,
    sessionId,
    sessionEpoch,
    topics,
    forgottenTopicsData,
    rackId,
  };
  for (const [tag, data] of tags) {
    if (tag !== 0) throw new Error(`unexpected request tag ${tag}`);
    const t = new Reader(data, 0, 'ClusterId tag');
    req.clusterId = t.compactString();
    if (t.remaining !== 0) throw new Error('bytes left in the ClusterId tag');
  }
  return req;
}

export function writeFetchResponse(w: Writer, res: FetchResponse): void {
  w.int32(res.throttleTimeMs).int16(res.errorCode).int32(res.sessionId);
  w.compactArray(res.responses, (w, t) => {
    w.compactString(t.topic);
    w.compactArray(t.partitions, (w, p) => {
      w.int32(p.partitionIndex)
        .int16(p.errorCode)
        .int64(p.highWatermark)
        .int64(p.lastStableOffset)
        .int64(p.logStartOffset);
      w.compactArray(p.abortedTransactions, (w, a) => {
        w.int64(a.producerId).int64(a.firstOffset).tags();
      });
      w.int32(p.preferredReadReplica).compactBytes(p.records);
      // Tagged fields in ascending tag order, each only when present.
      const tags: { tag: number; data: Buffer }[] = [];
      const d = p.divergingEpoch;
      if (d !== null)
        tags.push({ tag: 0, data: writeAll((w) => w.int32(d.epoch).int64(d.endOffset).tags()) });
      const l = p.currentLeader;
      if (l !== null) {
        tags.push({
          tag: 1,
          data: writeAll((w) => w.int32(l.leaderId).int32(l.leaderEpoch).tags()),
        });
      }
      const s = p.snapshotId;
      if (s !== null)
        tags.push({ tag: 2, data: writeAll((w) => w.int64(s.endOffset).int32(s.epoch).tags()) });
      w.tags(tags);
    });
    w.tags();
  });
  w.tags();
}

// ListGroups v5 ---------------------------------------------------------------------------------

export function readListGroupsRequest(r: Reader): ListGroupsRequest {
  return struct(r, (r) => ({ statesFilter: arr(r, str), typesFilter: arr(r, str) }));
}

export function writeListGroupsResponse(w: Writer, res: ListGroupsResponse): void {
  w.int32(res.throttleTimeMs).int16(res.errorCode);
  w.compactArray(res.groups, (w, g) => {
    w.compactString(g.groupId)
      .compactString(g.protocolType)
      .compactString(g.groupState)
      .compactString(g.groupType)
      .tags();
  });
  w.tags();
}

// ListOffsets v6 --------------------------------------------------------------------------------

export interface ListOffsetsQuery {
  replicaId: number;
  isolationLevel: number;
  topics: {
    name: string;
    partitions: { partitionIndex: number; currentLeaderEpoch: number; timestamp: number }[];
  }[];
}

export interface ListOffsetsAnswer {
  name: string;
  partitions: {
    partitionIndex: number;
    errorCode: number;
    timestamp: number;
    offset: number;
    leaderEpoch: number;
  }[];
}

export function readListOffsetsRequest(r: Reader): ListOffsetsQuery {
  return struct(r, (r) => ({
    replicaId: r.int32(),
    isolationLevel: r.int8(),
    topics: arr(r, (r) =>
      struct(r, (r) => ({
        name: str(r),
        partitions: arr(r, (r) =>
          struct(r, (r) => ({
            partitionIndex: r.int32(),
            currentLeaderEpoch: r.int32(),
            timestamp: r.int64(),
          })),
        ),
      })),
    ),
  }));
}

export function writeListOffsetsResponse(w: Writer, topics: readonly ListOffsetsAnswer[]): void {
  w.int32(0);
  w.compactArray(topics, (w, t) => {
    w.compactString(t.name);
    w.compactArray(t.partitions, (w, p) => {
      w.int32(p.partitionIndex)
        .int16(p.errorCode)
        .int64(p.timestamp)
        .int64(p.offset)
        .int32(p.leaderEpoch)
        .tags();
    });
    w.tags();
  });
  w.tags();
}
