import { SharqError } from '../../../errors/sharq-error.js';
import { Reader } from '../reader.js';
import { Writer } from '../writer.js';
import type { Field, Fields, PrimitiveName, StructType } from './dsl.js';
import { inVersions, parseVersions } from './versions.js';

/*
 * Turns a struct description (dsl.ts) into an encoder and a decoder for one version, following
 * Kafka's serialization rules (https://kafka.apache.org/protocol#protocol_types and KIP-482):
 *
 * - A field is on the wire only in its `versions`; elsewhere it decodes to its default, and
 *   encoding a non-default value there throws unless the field is `ignorable` (Kafka's
 *   UnsupportedVersionException: e.g. FindCoordinator v0 cannot ask for a transaction
 *   coordinator, so keyType 1 must not be dropped silently).
 * - In flexible versions STRING, BYTES, RECORDS and ARRAY become COMPACT_*: an unsigned varint
 *   length N+1, 0 for null. Fixed-width types do not change.
 * - In flexible versions every struct ends with a tagged-field section: an unsigned varint count,
 *   then per field its tag, the size of its data and the data, in ascending tag order. A tagged
 *   field is written only when it differs from its default. Unknown tags are skipped when read.
 * - A nullable struct field is preceded by an INT8: -1 for null, 1 for present.
 *
 * Decoding is strict: a null in a field not nullable in that version, a tagged field whose data
 * is longer or shorter than its size, or a length past the end throws SHARQ_ERR_PROTOCOL with
 * the field's path. Encoding throws SHARQ_ERR_INVALID_ARGUMENT for a value the field cannot hold.
 */

interface ValueCodec {
  write(w: Writer, v: unknown): void;
  read(r: Reader): unknown;
}

interface Context {
  /** "ProduceRequest v9", for messages. */
  readonly label: string;
  readonly version: number;
  readonly flexible: boolean;
}

/** Where a field is in one version: in line, in the tagged-field section, or not on the wire. */
export type Presence = 'inline' | 'tagged' | 'absent';

export function presenceOf(field: Field, version: number, flexible: boolean): Presence {
  if (!inVersions(parseVersions(field.versions), version)) return 'absent';
  if (field.taggedVersions === undefined) return 'inline';
  if (!inVersions(parseVersions(field.taggedVersions), version)) return 'inline';
  if (!flexible) {
    throw new TypeError(`A tagged field in a version that is not flexible (v${version})`);
  }
  return 'tagged';
}

export function isNullableIn(field: Field, version: number): boolean {
  return (
    field.nullableVersions !== undefined &&
    inVersions(parseVersions(field.nullableVersions), version)
  );
}

const ZERO_UUID = '00000000000000000000000000000000';

/** A fresh default value for a field (Kafka's rules, or the field's custom default). */
export function defaultOf(field: Field): unknown {
  const t = field.type;
  if (t.kind === 'array') return field.default === null ? null : [];
  if (t.kind === 'struct') return field.default === null ? null : structDefaults(t.struct);
  if (field.default !== undefined) return field.default;
  switch (t.name) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return ZERO_UUID;
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    default:
      return 0;
  }
}

/** Every field of a struct at its default. */
export function structDefaults(struct: StructType): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(struct.fields)) out[name] = defaultOf(field);
  return out;
}

/** Whether a value equals the field's default (undefined counts as the default). */
export function isDefault(field: Field, v: unknown): boolean {
  if (v === undefined) return true;
  const t = field.type;
  const d = defaultOf(field);
  if (d === null || v === null) return d === v;
  if (t.kind === 'array') return Array.isArray(v) && v.length === 0;
  if (t.kind === 'struct') {
    const o = v as Record<string, unknown>;
    return Object.entries(t.struct.fields).every(([name, f]) => isDefault(f, o[name]));
  }
  if (t.name === 'uuid' && typeof v === 'string') return v.replace(/-/g, '').toLowerCase() === d;
  if (t.name === 'bytes') return v instanceof Uint8Array && v.length === 0;
  return v === d;
}

function encodeError(path: string, what: string, cause?: unknown): SharqError {
  return new SharqError('SHARQ_ERR_INVALID_ARGUMENT', `Cannot encode ${path}: ${what}`, {
    details: { field: path },
    cause,
  });
}

function asEncodeError(err: unknown, path: string): unknown {
  if (SharqError.is(err)) return err;
  return encodeError(path, err instanceof Error ? err.message : String(err), err);
}

function primitiveCodec(
  name: PrimitiveName,
  nullable: boolean,
  compact: boolean,
  path: string,
  label: string,
): ValueCodec {
  const notNull = (v: unknown): unknown => {
    if (v === null) {
      throw encodeError(`${label} ${path}`, 'null in a field that is not nullable in this version');
    }
    return v;
  };
  switch (name) {
    case 'bool':
      return { write: (w, v) => w.bool(v as boolean), read: (r) => r.bool() };
    case 'int8':
      return { write: (w, v) => w.int8(v as number), read: (r) => r.int8() };
    case 'int16':
      return { write: (w, v) => w.int16(v as number), read: (r) => r.int16() };
    case 'uint16':
      return {
        write: (w, v) => {
          const n = v as number;
          if (!Number.isInteger(n) || n < 0 || n > 0xffff) {
            throw encodeError(`${label} ${path}`, `${n} is not a uint16`);
          }
          w.int16(n > 0x7fff ? n - 0x10000 : n);
        },
        read: (r) => r.int16() & 0xffff,
      };
    case 'int32':
      return { write: (w, v) => w.int32(v as number), read: (r) => r.int32() };
    case 'uint32':
      return { write: (w, v) => w.uint32(v as number), read: (r) => r.uint32() };
    case 'int64':
      return { write: (w, v) => w.int64(v as number), read: (r) => r.int64() };
    case 'float64':
      return {
        write: (w, v) => {
          const b = Buffer.allocUnsafe(8);
          b.writeDoubleBE(v as number, 0);
          w.raw(b);
        },
        read: (r) => r.raw(8).readDoubleBE(0),
      };
    case 'uuid':
      return { write: (w, v) => w.uuid(v as string), read: (r) => r.uuid() };
    case 'string': {
      const kind = compact ? 'COMPACT_STRING' : 'STRING';
      const read = compact ? (r: Reader) => r.compactString() : (r: Reader) => r.string();
      const write = compact
        ? (w: Writer, v: string | null) => w.compactString(v)
        : (w: Writer, v: string | null) => w.string(v);
      if (nullable) return { write: (w, v) => write(w, v as string | null), read };
      return {
        write: (w, v) => write(w, notNull(v) as string),
        read: (r) => read(r) ?? r.malformed(`null ${kind} in non-nullable ${path}`),
      };
    }
    case 'bytes':
    case 'records': {
      const kind = compact ? 'COMPACT_BYTES' : 'BYTES';
      const read = compact ? (r: Reader) => r.compactBytes() : (r: Reader) => r.bytes();
      const write = compact
        ? (w: Writer, v: Uint8Array | null) => w.compactBytes(v)
        : (w: Writer, v: Uint8Array | null) => w.bytes(v);
      if (nullable) return { write: (w, v) => write(w, v as Uint8Array | null), read };
      return {
        write: (w, v) => write(w, notNull(v) as Uint8Array),
        read: (r) => read(r) ?? r.malformed(`null ${kind} in non-nullable ${path}`),
      };
    }
  }
}

function arrayCodec(
  element: ValueCodec,
  nullable: boolean,
  compact: boolean,
  path: string,
  label: string,
): ValueCodec {
  const readElement = (r: Reader) => element.read(r);
  return {
    write: (w, v) => {
      if (v === null) {
        if (!nullable) {
          throw encodeError(`${label} ${path}`, 'null array that is not nullable in this version');
        }
        if (compact) w.uvarint(0);
        else w.int32(-1);
        return;
      }
      if (!Array.isArray(v)) throw encodeError(`${label} ${path}`, 'not an array');
      if (compact) w.uvarint(v.length + 1);
      else w.int32(v.length);
      for (const item of v) element.write(w, item);
    },
    read: (r) => {
      const a = compact ? r.compactArray(readElement) : r.array(readElement);
      if (a === null && !nullable) {
        r.malformed(`null ${compact ? 'COMPACT_ARRAY' : 'ARRAY'} in non-nullable ${path}`);
      }
      return a;
    },
  };
}

function fieldCodec(field: Field, ctx: Context, path: string): ValueCodec {
  const nullable = isNullableIn(field, ctx.version);
  const compact =
    ctx.flexible &&
    (field.flexibleVersions === undefined ||
      inVersions(parseVersions(field.flexibleVersions), ctx.version));
  const t = field.type;
  if (t.kind === 'primitive') return primitiveCodec(t.name, nullable, compact, path, ctx.label);
  if (t.kind === 'array') {
    const element =
      typeof t.element === 'string'
        ? primitiveCodec(t.element, false, compact, `${path}[]`, ctx.label)
        : compileStruct(t.element, ctx, `${path}[]`);
    return arrayCodec(element, nullable, compact, path, ctx.label);
  }
  const inner = compileStruct(t.struct, ctx, path);
  if (!nullable) {
    return {
      write: (w, v) => {
        if (v === null) {
          throw encodeError(
            `${ctx.label} ${path}`,
            'null struct that is not nullable in this version',
          );
        }
        inner.write(w, v);
      },
      read: inner.read,
    };
  }
  return {
    write: (w, v) => {
      if (v === null) {
        w.int8(-1);
        return;
      }
      w.int8(1);
      inner.write(w, v);
    },
    read: (r) => (r.int8() < 0 ? null : inner.read(r)),
  };
}

interface Step {
  readonly name: string;
  readonly field: Field;
  readonly presence: Presence;
  readonly path: string;
  readonly codec: ValueCodec | undefined;
}

/** Compiles one struct for one version: its fields in order, then (flexible) its tagged fields. */
export function compileStruct(struct: StructType<Fields>, ctx: Context, path: string): ValueCodec {
  const steps: Step[] = Object.entries(struct.fields).map(([name, field]) => {
    const presence = presenceOf(field, ctx.version, ctx.flexible);
    const fieldPath = path === '' ? name : `${path}.${name}`;
    const codec = presence === 'absent' ? undefined : fieldCodec(field, ctx, fieldPath);
    return { name, field, presence, path: fieldPath, codec };
  });
  const inline = steps.filter((s) => s.presence === 'inline');
  const absent = steps.filter((s) => s.presence === 'absent' && !s.field.ignorable);
  const tagged = steps
    .filter((s) => s.presence === 'tagged')
    .sort((a, b) => (a.field.tag ?? 0) - (b.field.tag ?? 0));
  const byTag = new Map<number, Step>();
  for (const s of tagged) {
    if (byTag.has(s.field.tag ?? -1))
      throw new TypeError(`Tag ${s.field.tag} used twice in ${path}`);
    byTag.set(s.field.tag ?? -1, s);
  }
  const where = `${ctx.label} ${path === '' ? 'body' : path}`;

  const write = (w: Writer, value: unknown): void => {
    if (typeof value !== 'object' || value === null) throw encodeError(where, 'not an object');
    const o = value as Record<string, unknown>;
    for (const s of inline) {
      const v = o[s.name];
      try {
        s.codec!.write(w, v === undefined ? defaultOf(s.field) : v);
      } catch (err) {
        throw asEncodeError(err, `${ctx.label} ${s.path}`);
      }
    }
    for (const s of absent) {
      if (!isDefault(s.field, o[s.name])) {
        throw new SharqError(
          'SHARQ_ERR_UNSUPPORTED',
          `${ctx.label} cannot carry ${s.path} (only in versions ${s.field.versions}); leave it at its default`,
          { details: { field: s.path, version: ctx.version } },
        );
      }
    }
    if (!ctx.flexible) return;
    let count = 0;
    for (const s of tagged) if (!isDefault(s.field, o[s.name])) count++;
    w.uvarint(count);
    for (const s of tagged) {
      const v = o[s.name];
      if (isDefault(s.field, v)) continue;
      const sub = new Writer(64);
      try {
        s.codec!.write(sub, v);
      } catch (err) {
        throw asEncodeError(err, `${ctx.label} ${s.path}`);
      }
      w.uvarint(s.field.tag!).uvarint(sub.length).raw(sub.toBuffer());
    }
  };

  const read = (r: Reader): unknown => {
    const o: Record<string, unknown> = {};
    for (const s of steps)
      o[s.name] = s.presence === 'inline' ? s.codec!.read(r) : defaultOf(s.field);
    if (!ctx.flexible) return o;
    const n = r.uvarint();
    // Each entry takes at least two bytes (tag and size), so a huge count runs out of input.
    for (let i = 0; i < n; i++) {
      const tag = r.uvarint();
      const data = r.raw(r.uvarint());
      const s = byTag.get(tag);
      if (s === undefined) continue;
      const sub = new Reader(data, 0, `${ctx.label} ${s.path} (tag ${tag})`);
      o[s.name] = s.codec!.read(sub);
      if (sub.remaining !== 0) sub.malformed(`${sub.remaining} bytes left over in tagged field`);
    }
    return o;
  };

  return { write, read };
}
