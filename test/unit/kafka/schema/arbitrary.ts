/**
 * fast-check arbitraries derived from a schema table: a value for one version of a message with
 * every field that version carries drawn at random and every other field at its default (what
 * the decoder fills in), so `decode(encode(x))` must give back `x` exactly.
 */
import fc from 'fast-check';
import {
  defaultOf,
  isNullableIn,
  presenceOf,
} from '../../../../src/kafka/protocol/schema/codec.js';
import type {
  Field,
  PrimitiveName,
  StructType,
} from '../../../../src/kafka/protocol/schema/dsl.js';
import type { MessageSchema } from '../../../../src/kafka/protocol/schema/message.js';
import { Writer } from '../../../../src/kafka/protocol/writer.js';

const ARRAY_MAX = 3;

function primitive(name: PrimitiveName): fc.Arbitrary<unknown> {
  switch (name) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 0xffff });
    case 'int32':
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    case 'uint32':
      return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    case 'int64':
      return fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
    case 'float64':
      return fc.double();
    case 'uuid':
      return fc
        .uint8Array({ minLength: 16, maxLength: 16 })
        .map((b) => Buffer.from(b).toString('hex'));
    case 'string':
      return fc.string({ unit: 'grapheme', maxLength: 8 });
    case 'bytes':
    case 'records':
      return fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b));
  }
}

function structArbitrary(
  struct: StructType,
  version: number,
  flexible: boolean,
): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, field] of Object.entries(struct.fields)) {
    model[name] = fieldArbitrary(field, version, flexible);
  }
  return fc.record(model);
}

function fieldArbitrary(field: Field, version: number, flexible: boolean): fc.Arbitrary<unknown> {
  const presence = presenceOf(field, version, flexible);
  const fresh = fc.constant(null).map(() => defaultOf(field));
  if (presence === 'absent') return fresh;
  const t = field.type;
  let arb: fc.Arbitrary<unknown>;
  if (t.kind === 'primitive') arb = primitive(t.name);
  else if (t.kind === 'struct') arb = structArbitrary(t.struct, version, flexible);
  else {
    const element =
      typeof t.element === 'string'
        ? primitive(t.element)
        : structArbitrary(t.element, version, flexible);
    arb = fc.array(element, { maxLength: ARRAY_MAX });
  }
  if (isNullableIn(field, version)) arb = fc.option(arb, { nil: null, freq: 4 });
  // Tagged fields at their default are left out of the section: draw that case often.
  if (presence === 'tagged') arb = fc.oneof(fresh, arb);
  return arb;
}

/** A value of `message` as `version` carries it; fields absent from it are at their defaults. */
export function arbitraryValue(
  message: MessageSchema,
  version: number,
): fc.Arbitrary<Record<string, unknown>> {
  return structArbitrary(message.struct, version, message.isFlexible(version));
}

/** Every (message, version) pair of an API list, for `describe.each`. */
export function messageVersions(
  apis: Iterable<{
    name: string;
    minVersion: number;
    maxVersion: number;
    request: MessageSchema;
    response: MessageSchema;
  }>,
): [string, MessageSchema, number][] {
  const out: [string, MessageSchema, number][] = [];
  for (const api of apis) {
    for (let v = api.minVersion; v <= api.maxVersion; v++) {
      out.push([`${api.request.name} v${v}`, api.request, v]);
      out.push([`${api.response.name} v${v}`, api.response, v]);
    }
  }
  return out;
}

/** The body `message` encodes for `value` at `version`, as a standalone Buffer. */
export function encodeBody(message: MessageSchema, version: number, value: unknown): Buffer {
  const w = new Writer();
  message.encode(version, w, value as never);
  return Buffer.from(w.toBuffer());
}
