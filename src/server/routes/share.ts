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
      coordinator.heartbeat(req, ctx.header.clientId ?? '', clientHost(ctx.remoteAddress)),
    ),
    schemaRoute(ShareFetch, (req, _v, ctx) => coordinator.shareFetch(req, ctx.signal)),
    schemaRoute(ShareAcknowledge, (req) => coordinator.shareAcknowledge(req)),
  ];
}

/**
 * A member's host as Kafka's broker reports it in ShareGroupDescribe (Java's
 * `InetAddress.toString()`, "/127.0.0.1"), from the connection's "address:port".
 */
function clientHost(remoteAddress: string): string {
  const colon = remoteAddress.lastIndexOf(':');
  const host = colon < 0 ? remoteAddress : remoteAddress.slice(0, colon);
  return host === '' || host === '?' ? '' : `/${host}`;
}
