import { ByteReader, ByteWriter, DecodeError } from './byte-codec.js';
import { invalidArgument } from './storage-errors.js';

/**
 * Binary encoding of share-group state: journal entries and snapshots. Both are frame bodies
 * (see framed-file.ts), so the frame CRC covers them.
 *
 *   journal body:  u8 version=1, u8 kind=1, varint entryCount, entry*
 *   entry:         string topic, varint partition, varint startOffset, varint changeCount, change*
 *   change:        varint firstOffset, varint (lastOffset - firstOffset), u8 state, varint deliveryCount
 *   snapshot body: u8 version=1, u8 kind=2, varint generation, string configJson,
 *                  varint partitionCount, (string topic, varint partition, varint startOffset,
 *                  varint changeCount, change*)*
 *
 * One `append` call is one journal body, so a multi-entry append is all-or-nothing on recovery.
 * The group config is the one JSON part: it is free-form, small and written only at compaction.
 */

export type ChangeState = 'available' | 'acknowledged' | 'archived';

export interface StateChange {
  firstOffset: number;
  lastOffset: number;
  state: ChangeState;
  deliveryCount: number;
}

export interface JournalEntry {
  topic: string;
  partition: number;
  startOffset: number;
  changes: StateChange[];
}

export interface GroupSnapshot {
  config: Record<string, unknown>;
  partitions: Array<{
    topic: string;
    partition: number;
    startOffset: number;
    entries: StateChange[];
  }>;
}

const VERSION = 1;
const KIND_ENTRIES = 1;
const KIND_SNAPSHOT = 2;
const STATES: readonly ChangeState[] = ['available', 'acknowledged', 'archived'];

/**
 * The journal body of `entries`, after `prefixBytes` of room the caller fills in (a frame
 * header, so the frame needs no second buffer and copy).
 */
export function encodeEntries(entries: readonly JournalEntry[], prefixBytes = 0): Buffer {
  const w = new ByteWriter(prefixBytes);
  w.u8(VERSION);
  w.u8(KIND_ENTRIES);
  w.varint(entries.length);
  for (const e of entries) writePartition(w, e.topic, e.partition, e.startOffset, e.changes);
  return w.finish();
}

export function decodeEntries(body: Buffer): JournalEntry[] {
  const r = new ByteReader(body);
  readHeader(r, KIND_ENTRIES);
  const count = r.varint();
  const entries: JournalEntry[] = [];
  for (let i = 0; i < count; i++) {
    const topic = r.string();
    const partition = r.varint();
    const startOffset = r.varint();
    entries.push({ topic, partition, startOffset, changes: readChanges(r) });
  }
  if (!r.done) throw new DecodeError('trailing bytes after entries');
  return entries;
}

export function encodeSnapshot(generation: number, snapshot: GroupSnapshot): Buffer {
  let configJson: string;
  try {
    configJson = JSON.stringify(snapshot.config);
  } catch (err) {
    throw invalidArgument(`Snapshot config is not JSON-serializable: ${String(err)}`);
  }
  if (typeof configJson !== 'string' || !isPlainObject(snapshot.config)) {
    throw invalidArgument('Snapshot config must be a JSON object');
  }
  const w = new ByteWriter();
  w.u8(VERSION);
  w.u8(KIND_SNAPSHOT);
  w.varint(generation);
  w.string(configJson);
  w.varint(snapshot.partitions.length);
  for (const p of snapshot.partitions)
    writePartition(w, p.topic, p.partition, p.startOffset, p.entries);
  return w.finish();
}

export function decodeSnapshot(body: Buffer): { generation: number; snapshot: GroupSnapshot } {
  const r = new ByteReader(body);
  readHeader(r, KIND_SNAPSHOT);
  const generation = r.varint();
  let config: unknown;
  try {
    config = JSON.parse(r.string());
  } catch {
    throw new DecodeError('snapshot config is not valid JSON');
  }
  if (!isPlainObject(config)) throw new DecodeError('snapshot config is not an object');
  const count = r.varint();
  const partitions: GroupSnapshot['partitions'] = [];
  for (let i = 0; i < count; i++) {
    const topic = r.string();
    const partition = r.varint();
    const startOffset = r.varint();
    partitions.push({ topic, partition, startOffset, entries: readChanges(r) });
  }
  if (!r.done) throw new DecodeError('trailing bytes after snapshot');
  return { generation, snapshot: { config, partitions } };
}

/** Structural check used by the frame scan: does the body decode as a journal body? */
export function isWellFormedEntries(body: Buffer): boolean {
  try {
    decodeEntries(body);
    return true;
  } catch (err) {
    if (err instanceof DecodeError) return false;
    throw err;
  }
}

function writePartition(
  w: ByteWriter,
  topic: string,
  partition: number,
  startOffset: number,
  changes: readonly StateChange[],
): void {
  if (typeof topic !== 'string') throw invalidArgument('Journal entry topic must be a string');
  checkCount(partition, 'partition');
  checkCount(startOffset, 'startOffset');
  w.string(topic);
  w.varint(partition);
  w.varint(startOffset);
  w.varint(changes.length);
  for (const c of changes) {
    checkCount(c.firstOffset, 'firstOffset');
    checkCount(c.lastOffset, 'lastOffset');
    checkCount(c.deliveryCount, 'deliveryCount');
    if (c.lastOffset < c.firstOffset) {
      throw invalidArgument('State change lastOffset is below firstOffset', { change: c });
    }
    const state = STATES.indexOf(c.state);
    if (state < 0) throw invalidArgument(`Unknown record state "${String(c.state)}"`);
    w.varint(c.firstOffset);
    w.varint(c.lastOffset - c.firstOffset);
    w.u8(state);
    w.varint(c.deliveryCount);
  }
}

function readChanges(r: ByteReader): StateChange[] {
  const count = r.varint();
  const changes: StateChange[] = [];
  for (let i = 0; i < count; i++) {
    const firstOffset = r.varint();
    const lastOffset = firstOffset + r.varint();
    const state = STATES[r.u8()];
    if (state === undefined) throw new DecodeError('unknown record state');
    if (!Number.isSafeInteger(lastOffset)) throw new DecodeError('offset out of range');
    changes.push({ firstOffset, lastOffset, state, deliveryCount: r.varint() });
  }
  return changes;
}

function readHeader(r: ByteReader, kind: number): void {
  const version = r.u8();
  if (version !== VERSION) throw new DecodeError(`unknown format version ${version}`);
  if (r.u8() !== kind) throw new DecodeError('unexpected body kind');
}

function checkCount(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(`Journal field ${name} must be a non-negative integer`, {
      [name]: value,
    });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
