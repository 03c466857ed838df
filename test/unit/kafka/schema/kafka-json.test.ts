import { describe, expect, it } from 'vitest';
import {
  defaultOf,
  isNullableIn,
  type Presence,
  presenceOf,
} from '../../../../src/kafka/protocol/schema/codec.js';
import type { Field, Fields } from '../../../../src/kafka/protocol/schema/dsl.js';
import { RequestHeader, ResponseHeader } from '../../../../src/kafka/protocol/schema/headers.js';
import type { MessageSchema } from '../../../../src/kafka/protocol/schema/message.js';
import { SCHEMAS } from '../../../../src/kafka/protocol/schema/registry.js';
import {
  formatVersions,
  intersectVersions,
  inVersions,
  parseVersions,
  type VersionRange,
} from '../../../../src/kafka/protocol/schema/versions.js';
import { findKafkaClientsJar, parseKafkaJson, readZipEntries } from './kafka-jar.js';

// sharq's tables against Kafka's own message definitions, read from the kafka-clients jar: for
// every version sharq defines, the same fields in the same order, each with the same type,
// placement (in line, tagged with the same tag, or absent), nullability, default and
// ignorability, and the same flexible versions. The versions Kafka 4.0 dropped (ListOffsets v0,
// DescribeConfigs v0, CreateTopics v0-1, DeleteTopics v0) are checked too, since Kafka's files
// still describe their fields, less the few v0-only fields it deleted (listed below; the kafkajs
// agreement test checks those).

/** Fields sharq defines that Kafka 4.4's files no longer have (v0-only, removed in 4.0). */
const REMOVED_BY_KAFKA: Record<string, readonly string[]> = {
  ListOffsetsRequest: ['topics.partitions.maxNumOffsets'],
  ListOffsetsResponse: ['topics.partitions.oldStyleOffsets'],
  DescribeConfigsResponse: ['results.configs.isDefault'],
};

interface KafkaField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: unknown;
  ignorable?: boolean;
  flexibleVersions?: string;
  fields?: KafkaField[];
}

interface KafkaMessage {
  apiKey?: number;
  type: string;
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: KafkaField[];
  commonStructs?: { name: string; fields: KafkaField[] }[];
}

/** One field as seen in one version, in terms both sides can be put in. */
interface Node {
  name: string;
  type: string;
  presence: Presence;
  nullable: boolean;
  tag: number | null;
  default: string;
  ignorable: boolean;
  flexibleVersions: string | null;
  fields?: Node[];
}

const PRIMITIVES = new Set([
  'bool',
  'int8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'float64',
  'uuid',
  'string',
  'bytes',
  'records',
]);

const camel = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);
const overlaps = (spec: string, range: VersionRange) => {
  const r = intersectVersions(parseVersions(spec), range);
  return r.max >= r.min;
};

function primitiveDefault(type: string, d: unknown): string {
  if (type === 'uuid') return 'zero';
  if (type === 'records') return 'null';
  if (type === 'bytes') return d === 'null' || d === null ? 'null' : 'empty';
  if (type === 'bool') return String(d === undefined ? false : d === true || d === 'true');
  if (type === 'string')
    return d === undefined ? '""' : d === 'null' || d === null ? 'null' : JSON.stringify(d);
  return String(d === undefined ? 0 : Number(d));
}

function kafkaNodes(
  fields: readonly KafkaField[],
  msg: KafkaMessage,
  version: number,
  range: VersionRange,
): Node[] {
  const flexible = inVersions(parseVersions(msg.flexibleVersions), version);
  return fields
    .filter((f) => overlaps(f.versions, range))
    .map((f): Node => {
      const inV = inVersions(parseVersions(f.versions), version);
      const tagged =
        f.taggedVersions !== undefined && inVersions(parseVersions(f.taggedVersions), version);
      const presence: Presence = !inV ? 'absent' : tagged && flexible ? 'tagged' : 'inline';
      const isArray = f.type.startsWith('[]');
      const base = isArray ? f.type.slice(2) : f.type;
      const node: Node = {
        name: camel(f.name),
        type: f.type,
        presence,
        nullable:
          presence !== 'absent' &&
          f.nullableVersions !== undefined &&
          inVersions(parseVersions(f.nullableVersions), version),
        tag: presence === 'tagged' ? (f.tag ?? null) : null,
        default:
          PRIMITIVES.has(base) && !isArray
            ? primitiveDefault(base, f.default)
            : f.default === 'null'
              ? 'null'
              : isArray
                ? '[]'
                : '{}',
        ignorable: f.ignorable ?? false,
        flexibleVersions:
          f.flexibleVersions === undefined
            ? null
            : formatVersions(parseVersions(f.flexibleVersions)),
      };
      if (!PRIMITIVES.has(base)) {
        const inner = f.fields ?? msg.commonStructs?.find((s) => s.name === base)?.fields;
        if (inner === undefined) throw new Error(`${msg.name}: no struct ${base}`);
        node.fields = kafkaNodes(inner, msg, version, range);
      }
      return node;
    });
}

function typeName(field: Field): string {
  const t = field.type;
  if (t.kind === 'primitive') return t.name;
  if (t.kind === 'struct') return t.struct.name;
  return `[]${typeof t.element === 'string' ? t.element : t.element.name}`;
}

function defaultName(field: Field): string {
  const t = field.type;
  if (t.kind === 'array') return field.default === null ? 'null' : '[]';
  if (t.kind === 'struct') return field.default === null ? 'null' : '{}';
  const d = defaultOf(field);
  if (t.name === 'uuid') return 'zero';
  if (d === null) return 'null';
  if (d instanceof Uint8Array) return 'empty';
  return typeof d === 'string' ? JSON.stringify(d) : String(d);
}

function ourNodes(
  fields: Fields,
  msg: MessageSchema,
  version: number,
  range: VersionRange,
  skip: readonly string[],
  prefix = '',
): Node[] {
  const flexible = msg.isFlexible(version);
  return Object.entries(fields)
    .filter(([name, f]) => overlaps(f.versions, range) && !skip.includes(prefix + name))
    .map(([name, f]): Node => {
      const presence = presenceOf(f, version, flexible);
      const node: Node = {
        name,
        type: typeName(f),
        presence,
        nullable: presence !== 'absent' && isNullableIn(f, version),
        tag: presence === 'tagged' ? (f.tag ?? null) : null,
        default: defaultName(f),
        ignorable: f.ignorable,
        flexibleVersions:
          f.flexibleVersions === undefined
            ? null
            : formatVersions(parseVersions(f.flexibleVersions)),
      };
      const t = f.type;
      const struct =
        t.kind === 'struct'
          ? t.struct
          : t.kind === 'array' && typeof t.element !== 'string'
            ? t.element
            : undefined;
      if (struct !== undefined) {
        node.fields = ourNodes(struct.fields, msg, version, range, skip, `${prefix}${name}.`);
      }
      return node;
    });
}

const jar = findKafkaClientsJar();

function messagesOf(): { ours: MessageSchema; apiKey: number | undefined }[] {
  const out: { ours: MessageSchema; apiKey: number | undefined }[] = [
    { ours: RequestHeader, apiKey: undefined },
    { ours: ResponseHeader, apiKey: undefined },
  ];
  for (const api of SCHEMAS.values()) {
    out.push({ ours: api.request, apiKey: api.apiKey }, { ours: api.response, apiKey: api.apiKey });
  }
  return out;
}

describe.runIf(jar !== undefined)(
  `sharq's tables against ${jar ?? 'the kafka-clients jar'}`,
  () => {
    const files =
      jar === undefined ? new Map<string, string>() : readZipEntries(jar, 'common/message/');

    it.each(messagesOf().map((m) => [m.ours.name, m] as const))('%s', (name, { ours, apiKey }) => {
      const text = files.get(`common/message/${name}.json`);
      expect(text, `common/message/${name}.json in the jar`).toBeDefined();
      const kafka = parseKafkaJson(text!) as KafkaMessage;
      expect(kafka.name).toBe(name);
      expect(kafka.type).toBe(ours.type);
      expect(kafka.apiKey).toBe(apiKey);
      // sharq never defines a version Kafka does not know.
      expect(ours.validVersions.max).toBeLessThanOrEqual(parseVersions(kafka.validVersions).max);
      const range = ours.validVersions;
      const skip = REMOVED_BY_KAFKA[name] ?? [];
      for (let v = range.min; v <= range.max; v++) {
        expect(ours.isFlexible(v), `${name} v${v} flexible`).toBe(
          inVersions(parseVersions(kafka.flexibleVersions), v),
        );
        expect(ourNodes(ours.fields, ours, v, range, skip), `${name} v${v}`).toEqual(
          kafkaNodes(kafka.fields, kafka, v, range),
        );
      }
    });

    it('lists only fields Kafka removed as removed', () => {
      for (const [name, paths] of Object.entries(REMOVED_BY_KAFKA)) {
        const kafka = parseKafkaJson(files.get(`common/message/${name}.json`)!) as KafkaMessage;
        const all = JSON.stringify(kafka.fields);
        for (const path of paths) {
          const last = path.split('.').at(-1)!;
          expect(all, `${name} ${path}`).not.toContain(
            `"${last.charAt(0).toUpperCase()}${last.slice(1)}"`,
          );
        }
      }
    });
  },
);

if (jar === undefined) {
  describe('sharq tables against Kafka message JSON', () => {
    it.skip('skipped: no kafka-clients jar in .kafka/libs (run `bash scripts/kafka.sh install`; CI does)', () => {});
  });
}
