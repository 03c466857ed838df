import path from 'node:path';
import { nodeFs, type StorageFs } from './fs-layer.js';
import { errnoCode, ioError } from './storage-errors.js';

/**
 * Where things live in an embedded data directory, and what a directory listing says is there,
 * independently of `catalog.json`. Recovery and `sharq data check` compare the two, so that a
 * catalog that is missing or behind never hides partitions that hold records.
 *
 *   <dataDir>/catalog.json
 *   <dataDir>/topics/<topic>/<partition>/<base>.log
 *   <dataDir>/topics/.deleted-<topic>-<id>/         a topic being deleted (removed at open)
 *   <dataDir>/groups/<encodeURIComponent(group)>/state.journal.*
 *   <dataDir>/groups/%%deleted-<id>/                 a group being deleted (removed at open)
 */

export const CATALOG_FILE = 'catalog.json';
/** A topic directory renamed before it is removed, so a crash mid-delete never brings it back. */
export const DELETED_TOPIC_PREFIX = '.deleted-';
/**
 * A group directory renamed before it is removed. `%%` is never in an encodeURIComponent name and
 * does not decode, so no group id maps to it (and `listDiskGroups` skips it).
 */
export const DELETED_GROUP_PREFIX = '%%deleted-';
const PARTITION_NAME = /^(0|[1-9]\d{0,3})$/;
const SEGMENT_NAME = /^\d{20}\.log$/;

export function catalogPath(dataDir: string): string {
  return path.join(dataDir, CATALOG_FILE);
}

export function topicsDir(dataDir: string): string {
  return path.join(dataDir, 'topics');
}

export function topicDir(dataDir: string, topic: string): string {
  return path.join(topicsDir(dataDir), topic);
}

export function partitionDir(dataDir: string, topic: string, partition: number): string {
  return path.join(topicDir(dataDir, topic), String(partition));
}

export function groupsDir(dataDir: string): string {
  return path.join(dataDir, 'groups');
}

export function groupDir(dataDir: string, groupId: string): string {
  return path.join(groupsDir(dataDir), encodeURIComponent(groupId));
}

export interface DiskPartition {
  partition: number;
  dir: string;
  /** Bytes in its segment files: more than 0 means it holds (or held) records. */
  bytes: number;
}

export interface DiskTopic {
  name: string;
  dir: string;
  /** Partition directories found, ascending (there may be gaps). */
  partitions: DiskPartition[];
}

/** Topic directories under `topics/` (names as found; deleted ones and stray files skipped). */
export async function listDiskTopics(
  dataDir: string,
  fs: StorageFs = nodeFs,
): Promise<DiskTopic[]> {
  const root = topicsDir(dataDir);
  const topics: DiskTopic[] = [];
  for (const name of await listDirs(fs, root)) {
    if (name.startsWith(DELETED_TOPIC_PREFIX)) continue;
    const dir = path.join(root, name);
    const partitions: DiskPartition[] = [];
    for (const p of await listDirs(fs, dir)) {
      if (!PARTITION_NAME.test(p)) continue;
      const pdir = path.join(dir, p);
      partitions.push({ partition: Number(p), dir: pdir, bytes: await segmentBytes(fs, pdir) });
    }
    partitions.sort((a, b) => a.partition - b.partition);
    topics.push({ name, dir, partitions });
  }
  return topics.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Group ids that have a state directory under `groups/`. */
export async function listDiskGroups(dataDir: string, fs: StorageFs = nodeFs): Promise<string[]> {
  const ids: string[] = [];
  for (const name of await listDirs(fs, groupsDir(dataDir))) {
    try {
      ids.push(decodeURIComponent(name));
    } catch {
      // Not a name sharq wrote (a stray directory): not a group.
    }
  }
  return ids.sort();
}

/** Topic directories left by a delete that a crash interrupted. */
export async function listDeletedTopicDirs(
  dataDir: string,
  fs: StorageFs = nodeFs,
): Promise<string[]> {
  const root = topicsDir(dataDir);
  return (await listDirs(fs, root))
    .filter((n) => n.startsWith(DELETED_TOPIC_PREFIX))
    .map((n) => path.join(root, n));
}

/** Group directories left by a delete that a crash interrupted. */
export async function listDeletedGroupDirs(
  dataDir: string,
  fs: StorageFs = nodeFs,
): Promise<string[]> {
  const root = groupsDir(dataDir);
  return (await listDirs(fs, root))
    .filter((n) => n.startsWith(DELETED_GROUP_PREFIX))
    .map((n) => path.join(root, n));
}

/** Names of the subdirectories of `dir`; none when `dir` does not exist. */
async function listDirs(fs: StorageFs, dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdirEntries(dir);
    return entries.filter((e) => e.isDirectory).map((e) => e.name);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw ioError('list directory', dir, err);
  }
}

async function segmentBytes(fs: StorageFs, dir: string): Promise<number> {
  let total = 0;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw ioError('list segments', dir, err);
  }
  for (const name of names) {
    if (!SEGMENT_NAME.test(name)) continue;
    try {
      total += (await fs.stat(path.join(dir, name))).size;
    } catch (err) {
      throw ioError('stat segment', path.join(dir, name), err);
    }
  }
  return total;
}
