import { topicName } from '../../options/parse.js';
import { catalogPath, type DiskTopic, listDiskGroups, listDiskTopics } from './data-dir-layout.js';
import { nodeFs, type StorageFs } from './fs-layer.js';
import { TopicCatalog } from './topic-catalog.js';

/**
 * Opens `catalog.json` so that it never hides partitions that are on disk.
 *
 * The catalog is written atomically, so a crash leaves it whole; it goes missing or falls
 * behind the disk only by hand (deleted, restored from an old backup) or through a crash
 * between creating a topic's directories and listing it (those are empty; they are made highest
 * partition first, so the highest is always among them and a rebuild counts them all). The
 * directories are the truth about which partitions hold records, so:
 *
 * - No catalog but topic directories: rebuilt from them, every topic and group directory listed.
 *   Group settings (delivery limit, lock duration, dead-letter topic, offset reset) live only in
 *   the catalog and cannot be rebuilt: those groups get defaults until a Queue or Worker sets
 *   them again (both do on start), and the notice says so.
 * - A catalog that does not list a topic directory holding records, or lists fewer partitions
 *   than the directories holding records: the topic is added or grown. Empty unlisted
 *   directories (a creation cut short) are left alone.
 * - A damaged catalog is not rebuilt here: it may hold group settings an operator wants back,
 *   so it is SHARQ_ERR_CATALOG_CORRUPT, whose message says how to repair (`sharq data repair`).
 */

export interface CatalogNotice {
  kind: 'catalog-rebuilt' | 'topic-added' | 'partitions-added';
  message: string;
  details: Record<string, unknown>;
}

export interface CatalogDiscrepancy {
  kind: CatalogNotice['kind'];
  topic?: string;
  /** The partition count the catalog should list. */
  partitions?: number;
  /** Groups whose settings are lost (catalog rebuilt). */
  groups?: string[];
  message: string;
}

/** Loads the catalog and brings it in line with the disk, saying what it changed. */
export async function openCatalog(
  dataDir: string,
  fs: StorageFs = nodeFs,
): Promise<{ catalog: TopicCatalog; notices: CatalogNotice[] }> {
  const catalog = await TopicCatalog.load(catalogPath(dataDir), { fs });
  const found = await compareCatalog(dataDir, catalog, fs);
  const notices: CatalogNotice[] = [];
  for (const d of found) {
    if (d.kind === 'catalog-rebuilt') {
      for (const g of d.groups ?? []) await catalog.setGroupConfig(g, {});
    } else if (d.topic !== undefined && d.partitions !== undefined) {
      if (catalog.getTopic(d.topic) === undefined) await catalog.addTopic(d.topic, d.partitions);
      else await catalog.growTopic(d.topic, d.partitions);
    }
    notices.push({ kind: d.kind, message: d.message, details: { ...d, dataDir } });
  }
  return { catalog, notices };
}

/**
 * What the catalog lacks compared with the disk (nothing for a fresh directory). A missing
 * catalog yields one `catalog-rebuilt` entry (with the groups) followed by one `topic-added`
 * per topic directory.
 */
export async function compareCatalog(
  dataDir: string,
  catalog: TopicCatalog,
  fs: StorageFs = nodeFs,
): Promise<CatalogDiscrepancy[]> {
  const topics = (await listDiskTopics(dataDir, fs)).filter(
    (t) => topicName.safeParse(t.name).success,
  );
  const out: CatalogDiscrepancy[] = [];
  if (!catalog.found) {
    const groups = (await listDiskGroups(dataDir, fs)).filter((g) => !catalog.getGroupConfig(g));
    if (topics.length === 0 && groups.length === 0) return out;
    out.push({
      kind: 'catalog-rebuilt',
      groups,
      message:
        `${catalog.file} is missing: rebuilt from the directories on disk (${topics.length} topic(s), ${groups.length} group(s)).` +
        (groups.length === 0
          ? ''
          : ` Group settings could not be recovered: ${groups.join(', ')} use defaults until a Queue or Worker sets them again.`),
    });
  }
  for (const t of topics) {
    const partitions = wantedPartitions(t, !catalog.found);
    const listed = catalog.getTopic(t.name);
    if (partitions === 0 || (listed !== undefined && listed.partitions >= partitions)) continue;
    if (listed === undefined) {
      out.push({
        kind: 'topic-added',
        topic: t.name,
        partitions,
        message: catalog.found
          ? `Topic "${t.name}" has ${partitions} partition director(ies) holding records that ${catalog.file} did not list: added it`
          : `Topic "${t.name}": ${partitions} partition(s) found on disk`,
      });
    } else {
      out.push({
        kind: 'partitions-added',
        topic: t.name,
        partitions,
        message: `Topic "${t.name}" has records in partition ${partitions - 1} but ${catalog.file} listed ${listed.partitions} partition(s): raised to ${partitions}`,
      });
    }
  }
  return out;
}

/**
 * Partitions the catalog must list for `t`: up to the highest partition holding records, or
 * (when rebuilding a missing catalog) the highest directory at all, since every topic sharq
 * creates gets a directory per partition.
 */
function wantedPartitions(t: DiskTopic, rebuilding: boolean): number {
  let n = 0;
  for (const p of t.partitions) if (rebuilding || p.bytes > 0) n = Math.max(n, p.partition + 1);
  return n;
}
