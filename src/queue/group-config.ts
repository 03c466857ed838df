import type { EngineAdmin, ShareGroupConfig } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';

type Owned = Pick<ShareGroupConfig, 'lockDurationMs' | 'deliveryCountLimit' | 'deadLetterTopic'>;

/**
 * Group settings have one owner: the queue. A setting the group does not have yet is set; one
 * it has is compared, and a disagreement is a coded error unless `override` says to change it
 * for the whole fleet. So the last worker to start no longer silently wins while every worker
 * acts on its own number. Returns the group's settings as they now are.
 */
export async function reconcileGroupConfig(
  admin: EngineAdmin,
  group: string,
  wanted: Partial<Owned>,
  options: { override: boolean; surface: string },
): Promise<ShareGroupConfig> {
  // A queue must not skip jobs added before its first worker started.
  await admin.configureGroup(group, { autoOffsetReset: 'earliest' });
  const current = await admin.describeGroup(group);
  const changes: Partial<Owned> = {};
  const conflicts: { setting: string; group: unknown; wanted: unknown }[] = [];
  for (const key of Object.keys(wanted) as (keyof Owned)[]) {
    const value = wanted[key];
    if (value === undefined || current.config[key] === value) continue;
    if (!current.configured.includes(key) || options.override) {
      (changes as Record<string, unknown>)[key] = value;
    } else {
      conflicts.push({ setting: key, group: current.config[key], wanted: value });
    }
  }
  if (conflicts.length > 0) {
    const text = conflicts
      .map(
        (c) =>
          `${c.setting}: group has ${String(c.group)}, ${options.surface} wants ${String(c.wanted)}`,
      )
      .join('; ');
    throw new SharqError(
      'SHARQ_ERR_GROUP_CONFIG_MISMATCH',
      `Share group "${group}" settings disagree with ${options.surface} (${text}); set them once on the Queue, or pass overrideGroupConfig: true to change them for every worker`,
      { details: { group, conflicts } },
    );
  }
  if (Object.keys(changes).length === 0) return current.config;
  await admin.configureGroup(group, changes);
  return (await admin.describeGroup(group)).config;
}
