import { KafkaErrors } from '../../kafka/protocol/error-codes.js';
import { DescribeCluster } from '../../kafka/protocol/schema/apis/describe-cluster.js';
import { FindCoordinator } from '../../kafka/protocol/schema/apis/find-coordinator.js';
import { Metadata, type MetadataResponse } from '../../kafka/protocol/schema/apis/metadata.js';
import type { InputOf } from '../../kafka/protocol/schema/dsl.js';
import type { ApiRoute } from '../connection.js';
import { partitionCounts } from '../topic-lookup.js';
import {
  type BrokerContext,
  errorOf,
  invalidTopicName,
  NO_TOPIC_ID,
  topicsByName,
} from './context.js';
import { schemaRoute } from './schema-route.js';

const E = KafkaErrors;

type TopicAnswer = MetadataResponse['topics'][number];

/**
 * Metadata (v0-12), FindCoordinator (v0-6) and DescribeCluster (v0-1). This one broker is the
 * leader, the only replica and the ISR of every partition, the controller, and the coordinator
 * of every group.
 */
export function metadataRoutes(ctx: BrokerContext): ApiRoute[] {
  const { node } = ctx;
  // Read at each request: a listener on port 0 learns its port after the routes are made.
  const broker = () => ({ nodeId: node.nodeId, host: node.host, port: node.port, rack: null });

  const topicAnswer = (name: string, partitions: number): TopicAnswer => ({
    errorCode: 0,
    name,
    topicId: ctx.topicIds.idOf(name),
    isInternal: false,
    partitions: Array.from({ length: partitions }, (_, p) => ({
      errorCode: 0,
      partitionIndex: p,
      leaderId: node.nodeId,
      leaderEpoch: 0,
      replicaNodes: [node.nodeId],
      isrNodes: [node.nodeId],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: -2147483648,
  });
  const topicError = (name: string | null, topicId: string, errorCode: number): TopicAnswer => ({
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: -2147483648,
  });

  const metadata = schemaRoute(Metadata, async (req, version) => {
    let topics: TopicAnswer[];
    // v0: an empty list means every topic; v1+: null does (and an empty list none).
    const all = req.topics === null || (version === 0 && req.topics.length === 0);
    // Only the topics asked for are looked up, by name or by id.
    const existing = all
      ? await topicsByName(ctx.engine)
      : await partitionCounts(
          ctx.engine,
          (req.topics ?? []).flatMap((t) => {
            const name =
              t.name === null || t.name === '' ? ctx.topicIds.topicOf(t.topicId) : t.name;
            return name === undefined ? [] : [name];
          }),
        );
    if (all) {
      topics = [...existing].map(([name, n]) => topicAnswer(name, n));
    } else {
      const autoCreate = version < 4 || req.allowAutoTopicCreation;
      topics = [];
      for (const t of req.topics ?? []) {
        let name = t.name;
        if (name === null || name === '') {
          // The response can name a topic null from v12 on only (v10-11 requests may send it).
          const unnamed = version >= 12 ? null : '';
          if (t.topicId === NO_TOPIC_ID) {
            topics.push(topicError(unnamed, t.topicId, E.INVALID_REQUEST));
            continue;
          }
          const found = ctx.topicIds.topicOf(t.topicId);
          if (found === undefined || !existing.has(found)) {
            topics.push(topicError(unnamed, t.topicId, E.UNKNOWN_TOPIC_ID));
            continue;
          }
          name = found;
        }
        const partitions = existing.get(name);
        if (partitions !== undefined) {
          topics.push(topicAnswer(name, partitions));
          continue;
        }
        if (invalidTopicName(name) !== null) {
          topics.push(topicError(name, NO_TOPIC_ID, E.INVALID_TOPIC_EXCEPTION));
          continue;
        }
        if (!autoCreate) {
          topics.push(topicError(name, NO_TOPIC_ID, E.UNKNOWN_TOPIC_OR_PARTITION));
          continue;
        }
        try {
          // As Kafka's auto.create.topics.enable (default true) does.
          const created = await ctx.engine.admin.ensureTopic(name, {
            partitions: ctx.defaultPartitions,
          });
          existing.set(name, created.partitions);
          ctx.topicIds.learn([name]);
          ctx.log.info({ topic: name, partitions: created.partitions }, 'topic auto-created');
          topics.push(topicAnswer(name, created.partitions));
        } catch (err) {
          topics.push(topicError(name, NO_TOPIC_ID, errorOf(err).errorCode));
        }
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: [broker()],
      clusterId: ctx.clusterId,
      controllerId: node.nodeId,
      topics,
      clusterAuthorizedOperations: -2147483648,
    };
  });

  const findCoordinator = schemaRoute(FindCoordinator, (req, version) => {
    if (version < 4) {
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        nodeId: node.nodeId,
        host: node.host,
        port: node.port,
      };
    }
    const coordinators: InputOf<(typeof FindCoordinator.response)['fields']>['coordinators'] =
      req.coordinatorKeys.map((key) => ({
        key,
        nodeId: node.nodeId,
        host: node.host,
        port: node.port,
        errorCode: 0,
        errorMessage: null,
      }));
    return { throttleTimeMs: 0, coordinators };
  });

  const describeCluster = schemaRoute(DescribeCluster, (req) => ({
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    endpointType: req.endpointType,
    clusterId: ctx.clusterId,
    controllerId: node.nodeId,
    brokers: [{ brokerId: node.nodeId, host: node.host, port: node.port, rack: null }],
    clusterAuthorizedOperations: -2147483648,
  }));

  return [metadata, findCoordinator, describeCluster];
}
