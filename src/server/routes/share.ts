import { ShareAcknowledge } from '../../kafka/protocol/schema/apis/share-acknowledge.js';
import { ShareFetch } from '../../kafka/protocol/schema/apis/share-fetch.js';
import { ShareGroupHeartbeat } from '../../kafka/protocol/schema/apis/share-group-heartbeat.js';
import type { ApiRoute } from '../connection.js';
import type { ShareCoordinator } from '../share/share-coordinator.js';
import { schemaRoute } from './schema-route.js';

/** ShareGroupHeartbeat, ShareFetch and ShareAcknowledge, answered by the share coordinator. */
export function shareRoutes(coordinator: ShareCoordinator): ApiRoute[] {
  return [
    schemaRoute(ShareGroupHeartbeat, (req, _v, ctx) =>
      coordinator.heartbeat(
        {
          groupId: req.groupId,
          memberId: req.memberId,
          memberEpoch: req.memberEpoch,
          rackId: req.rackId,
          subscribedTopicNames: req.subscribedTopicNames,
        },
        ctx.header.clientId ?? '',
      ),
    ),
    schemaRoute(ShareFetch, (req, _v, ctx) => coordinator.shareFetch(req, ctx.signal)),
    schemaRoute(ShareAcknowledge, (req) => coordinator.shareAcknowledge(req)),
  ];
}
