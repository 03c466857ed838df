import type { ApiSchema } from './api.js';
import { AlterShareGroupOffsets } from './apis/alter-share-group-offsets.js';
import { ApiVersions } from './apis/api-versions.js';
import { CreateTopics } from './apis/create-topics.js';
import { DeleteGroups } from './apis/delete-groups.js';
import { DeleteShareGroupOffsets } from './apis/delete-share-group-offsets.js';
import { DeleteTopics } from './apis/delete-topics.js';
import { DescribeCluster } from './apis/describe-cluster.js';
import { DescribeConfigs } from './apis/describe-configs.js';
import { DescribeShareGroupOffsets } from './apis/describe-share-group-offsets.js';
import { Fetch } from './apis/fetch.js';
import { FindCoordinator } from './apis/find-coordinator.js';
import { IncrementalAlterConfigs } from './apis/incremental-alter-configs.js';
import { InitProducerId } from './apis/init-producer-id.js';
import { ListGroups } from './apis/list-groups.js';
import { ListOffsets } from './apis/list-offsets.js';
import { Metadata } from './apis/metadata.js';
import { Produce } from './apis/produce.js';
import { SaslAuthenticate } from './apis/sasl-authenticate.js';
import { SaslHandshake } from './apis/sasl-handshake.js';
import { ShareAcknowledge } from './apis/share-acknowledge.js';
import { ShareFetch } from './apis/share-fetch.js';
import { ShareGroupDescribe } from './apis/share-group-describe.js';
import { ShareGroupHeartbeat } from './apis/share-group-heartbeat.js';

/**
 * Every API sharq defines, by key: what a local broker advertises in ApiVersions (each key with
 * the versions defined, no more) and how it dispatches a request. Add an API here only once
 * every version in its range is defined, since a client may send any of them.
 */
export const SCHEMAS: ReadonlyMap<number, ApiSchema> = new Map(
  [
    Produce,
    Fetch,
    ListOffsets,
    Metadata,
    FindCoordinator,
    ListGroups,
    SaslHandshake,
    ApiVersions,
    CreateTopics,
    DeleteTopics,
    InitProducerId,
    DescribeConfigs,
    DeleteGroups,
    SaslAuthenticate,
    IncrementalAlterConfigs,
    DescribeCluster,
    ShareGroupHeartbeat,
    ShareGroupDescribe,
    ShareFetch,
    ShareAcknowledge,
    DescribeShareGroupOffsets,
    AlterShareGroupOffsets,
    DeleteShareGroupOffsets,
  ].map((api): [number, ApiSchema] => [api.apiKey, api]),
);

/** The ApiVersions answer's ApiKeys: every defined API with its range, by key. */
export function advertisedApiVersions(
  schemas: ReadonlyMap<number, ApiSchema> = SCHEMAS,
): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return [...schemas.values()]
    .map((api) => ({ apiKey: api.apiKey, minVersion: api.minVersion, maxVersion: api.maxVersion }))
    .sort((a, b) => a.apiKey - b.apiKey);
}
