/**
 * A typed description of a Kafka message, field for field as Kafka's message JSON has it
 * (`common/message/*.json` in kafka-clients; the rules are in that folder's README.md):
 *
 *   Kafka JSON                                          sharq
 *   { "name": "Acks", "type": "int16", "versions": "0+" }  acks: int16()
 *   { "name": "Rack", "type": "string", "versions": "1+",  rack: string({ versions: '1+',
 *     "nullableVersions": "1+", "default": "null" }          nullableVersions: '1+', default: null })
 *   { "name": "Topics", "type": "[]Topic", ... }        topics: array(Topic)      (Topic = struct(...))
 *   { "name": "ReplicaNodes", "type": "[]int32" }       replicaNodes: array('int32')
 *   { "name": "CurrentLeader", "type": "LeaderIdAndEpoch", "tag": 0, "taggedVersions": "10+" }
 *                                                       currentLeader: structField(LeaderIdAndEpoch, {...})
 *
 * Field names are Kafka's with a lower-case first letter; the order of the object's keys is the
 * order on the wire. `codec.ts` turns a description into an encoder and a decoder per version.
 *
 * Types: one decoded value type per message covers every version (as Kafka's MessageData does):
 * a field absent in a version decodes to its default. The input type of `encode` makes a field
 * optional when it is tagged or not present from version 0 on ("3+", "0-12"); a missing field is
 * written as its default.
 */

export type PrimitiveName =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'uuid'
  | 'string'
  | 'bytes'
  | 'records';

/** What each primitive decodes to. INT64 is a number: offsets, ids and times fit in 53 bits. */
export interface PrimitiveValues {
  bool: boolean;
  int8: number;
  int16: number;
  uint16: number;
  int32: number;
  uint32: number;
  int64: number;
  float64: number;
  /** 32 lowercase hex digits; the zero UUID means "none". */
  uuid: string;
  string: string;
  bytes: Buffer;
  /** Record batches, undecoded (a view into the frame); see `record-batch.ts`. */
  records: Buffer;
}

/** What each primitive accepts when encoding. */
export interface PrimitiveInputs extends Omit<PrimitiveValues, 'bytes' | 'records'> {
  bytes: Uint8Array;
  records: Uint8Array;
}

declare const phantom: unique symbol;

/** The wire shape of a field: a primitive, a struct, or an array of either. */
export type FieldType =
  | { readonly kind: 'primitive'; readonly name: PrimitiveName }
  | { readonly kind: 'struct'; readonly struct: StructType }
  | { readonly kind: 'array'; readonly element: PrimitiveName | StructType };

export interface Field<V = unknown, I = unknown, Optional extends boolean = boolean> {
  readonly type: FieldType;
  /** Versions the field is on the wire in ("0+" unless given). */
  readonly versions: string;
  readonly nullableVersions?: string;
  /** Versions in which the field goes in the tagged-field section instead of in line. */
  readonly taggedVersions?: string;
  readonly tag?: number;
  /** The custom default (Kafka's "default"); otherwise 0, false, "", empty, zero UUID, null records. */
  readonly default?: number | boolean | string | null;
  /** Whether a non-default value may be dropped silently when encoding a version without the field. */
  readonly ignorable: boolean;
  /** Overrides the message's flexible versions for this field's own encoding ("none": never compact). */
  readonly flexibleVersions?: string;
  readonly [phantom]?: { value: V; input: I; optional: Optional };
}

export type Fields = Readonly<Record<string, Field>>;

export interface StructType<F extends Fields = Fields> {
  readonly kind: 'struct';
  /** Kafka's struct name (the `[]Name` of the array or the field's type). */
  readonly name: string;
  readonly fields: F;
}

export interface FieldOptions<D = number | boolean | string | null> {
  readonly versions?: string;
  readonly nullableVersions?: string;
  readonly taggedVersions?: string;
  readonly tag?: number;
  readonly default?: D;
  readonly ignorable?: boolean;
  readonly flexibleVersions?: string;
}

/** The options type when none are given. */
type NoOptions = Record<never, never>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type WithNull<T, O> = O extends { readonly nullableVersions: string } ? T | null : T;

type IsOptional<O> = O extends { readonly tag: number }
  ? true
  : O extends { readonly versions: infer V }
    ? V extends '0+'
      ? false
      : true
    : false;

type FieldValue<X> = X extends { readonly [phantom]?: { value: infer V } } ? V : never;
type FieldInput<X> = X extends { readonly [phantom]?: { input: infer I } } ? I : never;
type OptionalKeys<F extends Fields> = {
  [K in keyof F]: F[K] extends { readonly [phantom]?: { optional: true } } ? K : never;
}[keyof F];

/** The decoded value of a struct or message: every field, whatever the version. */
export type ValueOf<F extends Fields> = { -readonly [K in keyof F]: FieldValue<F[K]> };

/** What `encode` takes: fields not on the wire in every version may be left out. */
export type InputOf<F extends Fields> = Simplify<
  { readonly [K in Exclude<keyof F, OptionalKeys<F>>]: FieldInput<F[K]> } & {
    readonly [K in OptionalKeys<F>]?: FieldInput<F[K]>;
  }
>;

type ElementValue<E> = E extends PrimitiveName
  ? PrimitiveValues[E]
  : E extends StructType<infer F>
    ? ValueOf<F>
    : never;
type ElementInput<E> = E extends PrimitiveName
  ? PrimitiveInputs[E]
  : E extends StructType<infer F>
    ? InputOf<F>
    : never;

/** The phantom types are the caller's; at run time every field is this plain object. */
function makeField<T extends Field>(type: FieldType, options: FieldOptions = {}): T {
  if ((options.tag === undefined) !== (options.taggedVersions === undefined)) {
    throw new TypeError('A tagged field needs both tag and taggedVersions');
  }
  if (options.default === null && options.nullableVersions === undefined) {
    throw new TypeError('Only a nullable field can default to null');
  }
  const field: { -readonly [K in keyof Field]: Field[K] } = {
    type,
    versions: options.versions ?? '0+',
    ignorable: options.ignorable ?? false,
  };
  if (options.nullableVersions !== undefined) field.nullableVersions = options.nullableVersions;
  if (options.taggedVersions !== undefined) field.taggedVersions = options.taggedVersions;
  if (options.tag !== undefined) field.tag = options.tag;
  if (options.default !== undefined) field.default = options.default;
  if (options.flexibleVersions !== undefined) field.flexibleVersions = options.flexibleVersions;
  return Object.freeze(field) as T;
}

/** Kafka allows custom defaults for numbers, booleans and strings only (and null). */
type DefaultOf<P extends PrimitiveName> = Extract<
  PrimitiveValues[P],
  number | boolean | string
> | null;

function primitive<P extends PrimitiveName>(name: P) {
  return <const O extends FieldOptions<DefaultOf<P>> = NoOptions>(
    options?: O,
  ): Field<WithNull<PrimitiveValues[P], O>, WithNull<PrimitiveInputs[P], O>, IsOptional<O>> =>
    makeField({ kind: 'primitive', name }, options);
}

export const bool = primitive('bool');
export const int8 = primitive('int8');
export const int16 = primitive('int16');
export const uint16 = primitive('uint16');
export const int32 = primitive('int32');
export const uint32 = primitive('uint32');
export const int64 = primitive('int64');
export const float64 = primitive('float64');
export const uuid = primitive('uuid');
export const string = primitive('string');
export const bytes = primitive('bytes');
export const records = primitive('records');

/** A struct type: the element of a `[]Name` array, or the type of a struct field. */
export function struct<F extends Fields>(name: string, fields: F): StructType<F> {
  return Object.freeze({ kind: 'struct', name, fields });
}

/** An array of primitives (`array('int32')`, Kafka's "[]int32") or of structs. */
export function array<
  E extends PrimitiveName | StructType,
  const O extends FieldOptions<null> = NoOptions,
>(
  element: E,
  options?: O,
): Field<WithNull<ElementValue<E>[], O>, WithNull<readonly ElementInput<E>[], O>, IsOptional<O>> {
  return makeField({ kind: 'array', element }, options);
}

/** A field whose type is a struct (not an array of it), e.g. CurrentLeader. */
export function structField<F extends Fields, const O extends FieldOptions<null> = NoOptions>(
  type: StructType<F>,
  options?: O,
): Field<WithNull<ValueOf<F>, O>, WithNull<InputOf<F>, O>, IsOptional<O>> {
  return makeField({ kind: 'struct', struct: type }, options);
}
