import { SharqError } from '../errors/sharq-error.js';
import type { Engine, PartitionOffsets } from './types.js';

/**
 * A topic's offsets for a reader that makes no topic: none when `listed` says the broker does
 * not list it (never made), or when the broker does not know it yet (just made by another
 * process). The admin API's views read DLQs, pause state and ledgers this way.
 */
export async function listedOffsets(
  engine: Engine,
  topic: string,
  listed: (topic: string) => Promise<boolean>,
): Promise<PartitionOffsets[]> {
  if (!(await listed(topic))) return [];
  try {
    return await engine.admin.offsets(topic);
  } catch (err) {
    if (SharqError.is(err, 'SHARQ_ERR_UNKNOWN_TOPIC')) return [];
    throw err;
  }
}
