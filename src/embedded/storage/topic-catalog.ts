import path from 'node:path';
import { SharqError, toError } from '../../errors/sharq-error.js';
import { nodeFs, type StorageFs } from './fs-layer.js';
import { writeFileAtomic } from './fs-util.js';
import { errnoCode, invalidArgument, ioError } from './storage-errors.js';

/**
 * The embedded engine's catalog: topics with their partition counts, and per-group configs,
 * in `<dataDir>/catalog.json`. Human-readable on purpose (operators look at it) and tiny, so
 * every change rewrites the whole file atomically (temp + fsync + rename + directory fsync):
 * after a crash it holds either the old or the new catalog.
 *
 * Changes are serialized and applied in memory only once the file is written, so a failed
 * write leaves memory and disk agreeing.
 */

export interface CatalogTopic {
  name: string;
  partitions: number;
}

interface CatalogState {
  topics: Map<string, CatalogTopic>;
  groups: Map<string, Readonly<Record<string, unknown>>>;
}

const FORMAT_VERSION = 1;

export class TopicCatalog {
  private state: CatalogState;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    state: CatalogState,
    /** Whether `file` existed when loaded (an absent file loads as an empty catalog). */
    readonly found: boolean,
    private readonly fs: StorageFs,
  ) {
    this.state = state;
  }

  /**
   * Loads `file` (an absent file is an empty catalog). Damage is SHARQ_ERR_CATALOG_CORRUPT.
   * `readOnly` leaves the temp files of interrupted writes in place (`sharq data check`).
   * `fs` is internal (tests pass a simulated file system); default the real one.
   */
  static async load(
    file: string,
    options: { readOnly?: boolean; fs?: StorageFs } = {},
  ): Promise<TopicCatalog> {
    const fs = options.fs ?? nodeFs;
    let text: string | undefined;
    try {
      text = (await fs.readFile(file)).toString('utf8');
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw ioError('read catalog', file, err);
    }
    if (options.readOnly !== true) await removeStaleTemps(fs, file);
    const state = text === undefined ? emptyState() : parseCatalog(file, text);
    return new TopicCatalog(file, state, text !== undefined, fs);
  }

  /** An empty catalog for `file` as if it did not exist: what a rebuild starts from. */
  static absent(file: string, fs: StorageFs = nodeFs): TopicCatalog {
    return new TopicCatalog(file, emptyState(), false, fs);
  }

  listTopics(): CatalogTopic[] {
    return [...this.state.topics.values()].map((t) => ({ ...t }));
  }

  getTopic(name: string): CatalogTopic | undefined {
    const t = this.state.topics.get(name);
    return t === undefined ? undefined : { ...t };
  }

  listGroups(): string[] {
    return [...this.state.groups.keys()];
  }

  getGroupConfig(groupId: string): Readonly<Record<string, unknown>> | undefined {
    return this.state.groups.get(groupId);
  }

  addTopic(name: string, partitions: number): Promise<void> {
    return this.change((s) => {
      if (s.topics.has(name)) {
        throw new SharqError('SHARQ_ERR_TOPIC_EXISTS', `Topic "${name}" already exists`, {
          details: { topic: name },
        });
      }
      if (!Number.isSafeInteger(partitions) || partitions < 1) {
        throw invalidArgument('Partition count must be a positive integer', { partitions });
      }
      s.topics.set(name, { name, partitions });
    });
  }

  /** Raises a topic's partition count (recovery found partitions on disk it did not list). */
  growTopic(name: string, partitions: number): Promise<void> {
    return this.change((s) => {
      const t = s.topics.get(name);
      if (t === undefined || partitions < t.partitions) {
        throw invalidArgument(`Topic "${name}" cannot grow to ${partitions} partitions`, {
          topic: name,
          partitions,
        });
      }
      s.topics.set(name, { name, partitions });
    });
  }

  /** Removes a topic; a no-op when it is absent. */
  removeTopic(name: string): Promise<void> {
    return this.change((s) => {
      s.topics.delete(name);
    });
  }

  /** Stores a group's config (a JSON object); replaces what was there. */
  setGroupConfig(groupId: string, config: object): Promise<void> {
    return this.change((s) => {
      const copy: unknown = JSON.parse(JSON.stringify(config));
      if (!isObject(copy)) throw invalidArgument('Group config must be a JSON object', { groupId });
      s.groups.set(groupId, Object.freeze(copy));
    });
  }

  removeGroup(groupId: string): Promise<void> {
    return this.change((s) => {
      s.groups.delete(groupId);
    });
  }

  /** Runs `mutate` on a copy after earlier changes, writes it, and only then makes it current. */
  private change(mutate: (draft: CatalogState) => void): Promise<void> {
    const run = this.queue.then(async () => {
      const draft: CatalogState = {
        topics: new Map(this.state.topics),
        groups: new Map(this.state.groups),
      };
      mutate(draft);
      await writeFileAtomic(this.fs, this.file, Buffer.from(serialize(draft)));
      this.state = draft;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function emptyState(): CatalogState {
  return { topics: new Map(), groups: new Map() };
}

function serialize(state: CatalogState): string {
  const doc = {
    version: FORMAT_VERSION,
    topics: [...state.topics.values()],
    groups: Object.fromEntries(state.groups),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function parseCatalog(file: string, text: string): CatalogState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw catalogCorrupt(file, `not valid JSON (${toError(err).message})`);
  }
  if (!isObject(doc)) throw catalogCorrupt(file, 'not a JSON object');
  if (doc.version !== FORMAT_VERSION) {
    throw catalogCorrupt(file, `unknown version ${String(doc.version)}`);
  }
  const state = emptyState();
  if (!Array.isArray(doc.topics)) throw catalogCorrupt(file, '"topics" is not an array');
  for (const [i, t] of doc.topics.entries()) {
    const ok =
      isObject(t) &&
      typeof t.name === 'string' &&
      t.name.length > 0 &&
      Number.isSafeInteger(t.partitions) &&
      (t.partitions as number) >= 1;
    if (!ok) throw catalogCorrupt(file, `topics[${i}] needs a name and a positive partition count`);
    const name = t.name as string;
    if (state.topics.has(name)) throw catalogCorrupt(file, `topic "${name}" is listed twice`);
    state.topics.set(name, { name, partitions: t.partitions as number });
  }
  if (!isObject(doc.groups)) throw catalogCorrupt(file, '"groups" is not an object');
  for (const [groupId, config] of Object.entries(doc.groups)) {
    if (!isObject(config)) {
      throw catalogCorrupt(file, `config of group "${groupId}" is not an object`);
    }
    state.groups.set(groupId, Object.freeze(config));
  }
  return state;
}

function catalogCorrupt(file: string, reason: string): SharqError {
  const dataDir = path.dirname(file);
  return new SharqError(
    'SHARQ_ERR_CATALOG_CORRUPT',
    `Catalog ${file} is damaged: ${reason}. Fix the JSON by hand to keep the group settings in it, or run \`sharq data repair ${dataDir} --yes\` to set it aside and rebuild it from the topic directories (group settings are then lost).`,
    { details: { file, reason, repair: `sharq data repair ${dataDir}` } },
  );
}

/** Temp files of writes cut short by a crash; the rename never happened, so they are garbage. */
async function removeStaleTemps(fs: StorageFs, file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) {
      await fs.rm(path.join(dir, name)).catch(() => undefined);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
