import { KafkaErrors } from '../../kafka/protocol/error-codes.js';
import {
  DeleteGroups,
  type DeleteGroupsResponse,
} from '../../kafka/protocol/schema/apis/delete-groups.js';
import type { ApiRoute } from '../connection.js';
import { type BrokerContext, errorOf } from './context.js';
import { schemaRoute } from './schema-route.js';

const E = KafkaErrors;

export interface DeleteGroupsRouteOptions {
  /** How many members a share group has at the share coordinator. */
  memberCount: (groupId: string) => number;
  /** Called once a group is deleted, to drop what the coordinator caches about it. */
  onGroupDeleted?: (groupId: string) => void;
}

/**
 * DeleteGroups (v0-3), as Kafka's `kafka-share-groups.sh --delete` sends it: each named share
 * group's state (start offsets, record states, group configs) is deleted from the engine; a
 * group with members answers NON_EMPTY_GROUP (68), one the engine does not know
 * GROUP_ID_NOT_FOUND (69). A name given twice is answered once, as Kafka does.
 */
export function deleteGroupsRoute(ctx: BrokerContext, options: DeleteGroupsRouteOptions): ApiRoute {
  return schemaRoute(DeleteGroups, async (req) => {
    const known = new Set(await ctx.engine.admin.listGroups());
    const results: DeleteGroupsResponse['results'] = [];
    for (const groupId of new Set(req.groupsNames)) {
      const answer = (errorCode: number, errorMessage: string | null) =>
        results.push({ groupId, errorCode, errorMessage });
      const members = options.memberCount(groupId);
      if (members > 0) {
        answer(
          E.NON_EMPTY_GROUP,
          `Share group ${groupId} has ${members} member(s); stop them before deleting it`,
        );
        continue;
      }
      if (!known.has(groupId)) {
        answer(E.GROUP_ID_NOT_FOUND, `Group ${groupId} not found`);
        continue;
      }
      try {
        await ctx.engine.admin.deleteGroup(groupId);
        options.onGroupDeleted?.(groupId);
        answer(0, null);
      } catch (err) {
        const e = errorOf(err);
        answer(e.errorCode, e.errorMessage);
      }
    }
    return { throttleTimeMs: 0, results };
  });
}
