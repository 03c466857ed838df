import { z } from 'zod';
import type { FsyncPolicy } from './append-file.js';
import type { StorageFs } from './fs-layer.js';
import { MAX_RECORD_BYTES_LIMIT } from './segment.js';
import type { TornTailInfo } from './segment-recovery.js';

/** Options of `PartitionLog.open`, and their defaults. */

export interface PartitionLogOptions {
  /** When an append resolves: after fdatasync (`always`, default), or after the write. */
  fsync?: FsyncPolicy;
  /** For `interval`: the longest written data waits for fdatasync. Default 100 ms. */
  fsyncIntervalMs?: number;
  /** A new segment starts once a batch would take the active one past this. Default 64 MiB. */
  segmentBytes?: number;
  /** Largest encoded record accepted. Default 1 MiB, at most 64 MiB. */
  maxRecordBytes?: number;
  /** Told about each torn tail recovery cut from the newest segment. */
  onTornTail?: (info: TornTailInfo) => void;
  /** The file system (internal: tests pass a simulated one). Default: the real one. */
  fs?: StorageFs;
}

export const partitionLogOptionsSchema = z.object({
  fsync: z.enum(['always', 'interval', 'never']).default('always'),
  fsyncIntervalMs: z.number().int().positive().default(100),
  // Segment positions are 32-bit in the index: 1 GiB plus one batch stays far below 4 GiB.
  segmentBytes: z
    .number()
    .int()
    .positive()
    .max(2 ** 30)
    .default(64 * 1024 * 1024),
  maxRecordBytes: z
    .number()
    .int()
    .positive()
    .max(MAX_RECORD_BYTES_LIMIT)
    .default(1024 * 1024),
});

export type ParsedPartitionLogOptions = z.output<typeof partitionLogOptionsSchema>;
