import { SharqError } from '../../../errors/sharq-error.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';
import { compileStruct, structDefaults } from './codec.js';
import { type Fields, type InputOf, type StructType, struct, type ValueOf } from './dsl.js';
import { formatVersions, inVersions, parseVersions, type VersionRange } from './versions.js';

export interface MessageDefinition<F extends Fields> {
  /** Kafka's message name: "ProduceRequest", "ProduceResponse", "RequestHeader". */
  readonly name: string;
  readonly type: 'request' | 'response' | 'header';
  /** The versions sharq defines; may be narrower or wider than Kafka's current file. */
  readonly validVersions: string;
  readonly flexibleVersions: string;
  readonly fields: F;
}

type Codec = ReturnType<typeof compileStruct>;

/**
 * One Kafka message (a request, a response or a header) in every version it defines: the same
 * table encodes and decodes, so a client and a server built on it cannot drift apart. Versions
 * are compiled on first use, once each.
 */
export class MessageSchema<F extends Fields = Fields> {
  readonly name: string;
  readonly type: 'request' | 'response' | 'header';
  readonly validVersions: VersionRange;
  readonly flexibleVersions: VersionRange;
  readonly fields: F;
  readonly struct: StructType<F>;
  private readonly codecs: (Codec | undefined)[] = [];

  constructor(def: MessageDefinition<F>) {
    this.name = def.name;
    this.type = def.type;
    this.validVersions = parseVersions(def.validVersions);
    this.flexibleVersions = parseVersions(def.flexibleVersions);
    this.fields = def.fields;
    this.struct = struct(def.name, def.fields);
  }

  /** KIP-482 flexibility; also answers for versions past `validVersions` (header choice). */
  isFlexible(version: number): boolean {
    return inVersions(this.flexibleVersions, version);
  }

  hasVersion(version: number): boolean {
    return Number.isInteger(version) && inVersions(this.validVersions, version);
  }

  /** Writes the body of `value` in `version`. Throws SharqError (INVALID_ARGUMENT, UNSUPPORTED). */
  encode(version: number, w: Writer, value: InputOf<F>): void {
    this.codec(version).write(w, value);
  }

  /** Reads a body of `version`; malformed input throws SHARQ_ERR_PROTOCOL, nothing else. */
  decode(version: number, r: Reader): ValueOf<F> {
    return this.codec(version).read(r) as ValueOf<F>;
  }

  /** Every field at its default, as a decoder fills fields absent from a version. */
  defaults(): ValueOf<F> {
    return structDefaults(this.struct) as ValueOf<F>;
  }

  private codec(version: number): Codec {
    const hit = this.codecs[version];
    if (hit !== undefined) return hit;
    if (!this.hasVersion(version)) {
      throw new SharqError(
        'SHARQ_ERR_UNSUPPORTED',
        `${this.name} has no version ${version} (sharq defines ${formatVersions(this.validVersions)})`,
        { details: { message: this.name, version } },
      );
    }
    const codec = compileStruct(
      this.struct,
      { label: `${this.name} v${version}`, version, flexible: this.isFlexible(version) },
      '',
    );
    this.codecs[version] = codec;
    return codec;
  }
}

export function message<F extends Fields>(def: MessageDefinition<F>): MessageSchema<F> {
  return new MessageSchema(def);
}

/** The decoded value type of a message. */
export type MessageValue<M> = M extends MessageSchema<infer F> ? ValueOf<F> : never;
/** The type `encode` takes for a message. */
export type MessageInput<M> = M extends MessageSchema<infer F> ? InputOf<F> : never;
