import type { ApiDef } from './api.js';
import { type ApiSchema, toApiDef } from './schema/api.js';
import { AlterShareGroupOffsets } from './schema/apis/alter-share-group-offsets.js';
import { ApiVersions, decodeApiVersionsResponse } from './schema/apis/api-versions.js';
import { DeleteGroups } from './schema/apis/delete-groups.js';
import { DescribeConfigs } from './schema/apis/describe-configs.js';
import { DescribeShareGroupOffsets } from './schema/apis/describe-share-group-offsets.js';
import { Fetch } from './schema/apis/fetch.js';
import { FindCoordinator } from './schema/apis/find-coordinator.js';
import { IncrementalAlterConfigs } from './schema/apis/incremental-alter-configs.js';
import { InitProducerId } from './schema/apis/init-producer-id.js';
import { ListGroups } from './schema/apis/list-groups.js';
import { ListOffsets } from './schema/apis/list-offsets.js';
import { Metadata } from './schema/apis/metadata.js';
import { Produce } from './schema/apis/produce.js';
import { SaslAuthenticate } from './schema/apis/sasl-authenticate.js';
import { SaslHandshake } from './schema/apis/sasl-handshake.js';
import { ShareGroupDescribe } from './schema/apis/share-group-describe.js';
import { ShareGroupHeartbeat } from './schema/apis/share-group-heartbeat.js';
import type { Fields, InputOf, ValueOf } from './schema/dsl.js';

/*
 * The version of each API sharq's client sends, from the one definition per API that the server
 * uses too (./schema/apis/*.ts, checked against Kafka 4.4's message JSON). The connection
 * writes the header around them (./api.ts).
 *
 * ShareFetch v2 and ShareAcknowledge v2, on every poll and acknowledgement of the job loop, keep
 * their hand-written codecs (./apis/share-fetch-v2.ts, ./apis/share-acknowledge-v2.ts): the
 * schema codec measured 20-30% slower there (bench/share-codec.ts; figures in those files). The
 * client-agreement test holds them to the schema byte for byte.
 */

type ClientApi<Req extends Fields, Res extends Fields> = ApiDef<InputOf<Req>, ValueOf<Res>>;
const def = <Req extends Fields, Res extends Fields>(
  api: ApiSchema<Req, Res>,
  version: number,
): ClientApi<Req, Res> => toApiDef(api, version);

/**
 * ApiVersions v3, the first request on every connection. A broker that does not know v3 answers
 * UNSUPPORTED_VERSION (35) in the v0 layout with its range; that answer is read too.
 */
export const ApiVersionsV3: ClientApi<
  (typeof ApiVersions)['request']['fields'],
  (typeof ApiVersions)['response']['fields']
> = {
  ...def(ApiVersions, 3),
  decode: (r) => decodeApiVersionsResponse(3, r.raw(r.remaining)),
};
/** SaslHandshake v1: the mechanism, then SaslAuthenticate frames. */
export const SaslHandshakeV1 = def(SaslHandshake, 1);
/** SaslAuthenticate v2: session lifetime (v1+), flexible. */
export const SaslAuthenticateV2 = def(SaslAuthenticate, 2);
/** Metadata v12: topic ids (v10+), flexible. */
export const MetadataV12 = def(Metadata, 12);
/** Fetch v12: by topic name, records read by offset (sharq reads; share groups use ShareFetch). */
export const FetchV12 = def(Fetch, 12);
/** ListOffsets v6: a partition's log start (-2) and high watermark (-1). */
export const ListOffsetsV6 = def(ListOffsets, 6);
/** FindCoordinator v6: batched keys (v4+), share groups (v6). */
export const FindCoordinatorV6 = def(FindCoordinator, 6);
/** DescribeConfigs v4: group configs with their sources. */
export const DescribeConfigsV4 = def(DescribeConfigs, 4);
/** IncrementalAlterConfigs v1: group configs (resource type GROUP). */
export const IncrementalAlterConfigsV1 = def(IncrementalAlterConfigs, 1);
/** ListGroups v5: filtered by type (share). */
export const ListGroupsV5 = def(ListGroups, 5);
/** ShareGroupHeartbeat v1 (KIP-932): joins, keeps and leaves a share group. */
export const ShareGroupHeartbeatV1 = def(ShareGroupHeartbeat, 1);
/** ShareGroupDescribe v1 (KIP-932). */
export const ShareGroupDescribeV1 = def(ShareGroupDescribe, 1);
/** DescribeShareGroupOffsets v1: start offsets and lag. */
export const DescribeShareGroupOffsetsV1 = def(DescribeShareGroupOffsets, 1);
/** AlterShareGroupOffsets v0: the group must be empty. */
export const AlterShareGroupOffsetsV0 = def(AlterShareGroupOffsets, 0);
/** DeleteGroups v2: flexible, and served by every Kafka with share groups (v3 adds a message). */
export const DeleteGroupsV2 = def(DeleteGroups, 2);
/** InitProducerId v4: an idempotent producer's id and epoch (no transactional id). */
export const InitProducerIdV4 = def(InitProducerId, 4);
/**
 * Produce v11: flexible (v9+), with the new leader in a NOT_LEADER_OR_FOLLOWER answer (v10+,
 * KIP-951). The highest version both Kafka 4.2+ and sharq server take by topic name.
 */
export const ProduceV11 = def(Produce, 11);
