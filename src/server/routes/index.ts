import type { ApiRoute } from '../connection.js';
import type { ServerParts } from '../server.js';
import { adminRoutes } from './admin.js';
import { apiVersionsRoute } from './api-versions.js';
import type { BrokerContext } from './context.js';
import { deleteGroupsRoute } from './delete-groups.js';
import { fetchRoutes } from './fetch.js';
import { metadataRoutes } from './metadata.js';
import { produceRoutes } from './produce.js';
import { saslRoutes } from './sasl.js';
import { shareRoutes } from './share.js';

/**
 * Every route of `sharq server` (a `RouteFactory` for `SharqServer`): ApiVersions, advertising
 * exactly these; Metadata, FindCoordinator, DescribeCluster; Produce, InitProducerId; Fetch,
 * ListOffsets; the admin and share-group APIs; the share APIs of the coordinator; and
 * SaslHandshake, SaslAuthenticate (answered by each connection's SASL session).
 */
export function brokerRoutes(parts: ServerParts & { defaultPartitions?: number }): ApiRoute[] {
  const { engine, coordinator } = parts;
  const ctx: BrokerContext = {
    engine,
    topicIds: parts.topicIds,
    producers: parts.producers,
    node: parts.node,
    clusterId: parts.clusterId,
    defaultPartitions: parts.defaultPartitions ?? engine.config.defaultPartitions,
    log: parts.log,
  };
  const routes = [
    ...metadataRoutes(ctx),
    ...produceRoutes(ctx),
    ...fetchRoutes(ctx),
    ...adminRoutes(ctx, {
      membersOf: (groupId) => coordinator.membersOf(groupId),
      onGroupConfigChanged: (groupId) => coordinator.configChanged(groupId),
      async setStartOffsets(groupId, topic, offsets) {
        const described = await engine.admin.describeGroup(groupId).catch(() => undefined);
        const current = new Map(
          (described?.partitions ?? [])
            .filter((p) => p.topic === topic)
            .map((p) => [p.partition, p.startOffset]),
        );
        const reset = described?.config.autoOffsetReset ?? 'latest';
        const group = await engine.group(groupId);
        await group.resetOffsets(
          topic,
          (p, log) =>
            offsets.get(p) ??
            current.get(p) ??
            (reset === 'earliest' ? log.logStartOffset : log.logEndOffset),
        );
      },
    }),
    deleteGroupsRoute(ctx, {
      memberCount: (groupId) => coordinator.membersOf(groupId).length,
      onGroupDeleted: (groupId) => coordinator.configChanged(groupId),
    }),
    ...shareRoutes(coordinator),
    ...saslRoutes(),
  ];
  return [apiVersionsRoute(routes), ...routes];
}
