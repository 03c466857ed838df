import { describe, expect, it } from 'vitest';
import { Reader } from '../../../../src/kafka/protocol/reader.js';
import {
  array,
  bool,
  bytes,
  float64,
  int8,
  int16,
  int32,
  int64,
  records,
  string,
  struct,
  structField,
  uint16,
  uint32,
  uuid,
} from '../../../../src/kafka/protocol/schema/dsl.js';
import { message } from '../../../../src/kafka/protocol/schema/message.js';
import {
  formatVersions,
  inVersions,
  parseVersions,
} from '../../../../src/kafka/protocol/schema/versions.js';
import { Writer } from '../../../../src/kafka/protocol/writer.js';
import { hexBytes } from '../../../helpers/kafka-codec.js';

// The serialization rules of the DSL, each shown on bytes written out by hand.

const Leader = struct('Leader', {
  leaderId: int32({ default: -1 }),
  leaderEpoch: int32({ default: -1 }),
});

/** A message with one field of each kind, non-flexible in v0-1 and flexible from v2. */
const Sample = message({
  name: 'SampleRequest',
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: {
    name: string(),
    rack: string({ versions: '1+', nullableVersions: '1+', default: null }),
    ids: array('int32'),
    small: uint16({ versions: '3+', ignorable: true }),
    // Tags in the definition out of order: the wire puts them in ascending order.
    note: string({ versions: '2+', taggedVersions: '2+', tag: 5, ignorable: true }),
    leader: structField(Leader, { versions: '2+', taggedVersions: '2+', tag: 1 }),
    strict: int8({ versions: '2+' }),
  },
});

const hex = (
  message: typeof Sample,
  version: number,
  value: Parameters<typeof Sample.encode>[2],
) => {
  const w = new Writer();
  message.encode(version, w, value);
  return w.toBuffer().toString('hex');
};

const decode = (version: number, bytes: Buffer) => {
  const r = new Reader(bytes, 0, 'test');
  const v = Sample.decode(version, r);
  expect(r.remaining).toBe(0);
  return v;
};

describe('version ranges', () => {
  it('reads the forms Kafka writes', () => {
    expect(parseVersions('0+')).toEqual({ min: 0, max: Infinity });
    expect(parseVersions('3-5')).toEqual({ min: 3, max: 5 });
    expect(parseVersions('2')).toEqual({ min: 2, max: 2 });
    expect(inVersions(parseVersions('none'), 0)).toBe(false);
    expect(formatVersions(parseVersions('4+'))).toBe('4+');
    expect(() => parseVersions('1..3')).toThrow(TypeError);
    expect(() => parseVersions('5-3')).toThrow(TypeError);
  });
});

describe('encoding by version', () => {
  const value = { name: 'ab', rack: null, ids: [7], small: 0xfffe, strict: 0 };

  it('v0: STRING and ARRAY with fixed-width lengths; fields of later versions left out', () => {
    expect(hex(Sample, 0, { name: 'ab', ids: [7] })).toBe(
      '0002' + '6162' + '00000001' + '00000007',
    );
  });

  it('v1: a null NULLABLE_STRING is length -1', () => {
    expect(hex(Sample, 1, value)).toBe('00026162' + 'ffff' + '0000000100000007');
  });

  it('v2: COMPACT lengths are N+1 (0 = null), then the tagged-field section', () => {
    expect(hex(Sample, 2, value)).toBe('03' + '6162' + '00' + '02' + '00000007' + '00' + '00');
  });

  it('v3: UINT16 above 32767 is written unsigned', () => {
    expect(hex(Sample, 3, value)).toBe('036162' + '00' + '0200000007' + 'fffe' + '00' + '00');
    expect(decode(3, hexBytes('036162 00 0200000007 fffe 00 00')).small).toBe(0xfffe);
  });

  it('writes tagged fields only when not default, in ascending tag order', () => {
    const tagged = hex(Sample, 2, {
      ...value,
      note: 'x',
      leader: { leaderId: 1, leaderEpoch: -1 },
    });
    expect(tagged).toBe(
      '036162' +
        '00' +
        '0200000007' +
        '00' + // strict
        '02' + // two tagged fields
        '01' +
        '09' +
        '00000001' +
        'ffffffff' +
        '00' + // tag 1: leader, 9 bytes, its own empty tag section
        '05' +
        '02' +
        '0278', // tag 5: note "x" as COMPACT_STRING
    );
    expect(decode(2, Buffer.from(tagged, 'hex'))).toEqual({
      ...value,
      small: 0,
      note: 'x',
      leader: { leaderId: 1, leaderEpoch: -1 },
    });
  });

  it('decodes an absent tagged struct to its defaults and skips tags it does not know', () => {
    const v = decode(2, hexBytes('036162 00 0200000007 00 02  07 03 aabbcc  05 02 0279'));
    expect(v.leader).toEqual({ leaderId: -1, leaderEpoch: -1 });
    expect(v.note).toBe('y');
  });

  it('rejects a known tagged field whose size does not match its data', () => {
    // Tag 5 claims 3 bytes but the COMPACT_STRING inside takes 2.
    expect(() => decode(2, hexBytes('036162 00 0200000007 00 01 05 03 027900'))).toThrowError(
      expect.objectContaining({ code: 'SHARQ_ERR_PROTOCOL' }),
    );
  });

  it('fills fields a version lacks with their defaults when decoding', () => {
    expect(decode(0, hexBytes('00026162 00000000'))).toEqual({
      name: 'ab',
      rack: null,
      ids: [],
      small: 0,
      note: '',
      leader: { leaderId: -1, leaderEpoch: -1 },
      strict: 0,
    });
  });
});

describe('nullability and ignorable fields', () => {
  it('refuses to encode null where the version does not allow it', () => {
    expect(() => hex(Sample, 0, { name: null as unknown as string, ids: [] })).toThrowError(
      expect.objectContaining({ code: 'SHARQ_ERR_INVALID_ARGUMENT' }),
    );
    expect(() => hex(Sample, 2, { name: 'a', ids: null as unknown as number[] })).toThrowError(
      expect.objectContaining({ code: 'SHARQ_ERR_INVALID_ARGUMENT' }),
    );
  });

  it('refuses to decode null where the version does not allow it', () => {
    expect(() => decode(2, hexBytes('00 00 01 00 00'))).toThrowError(
      expect.objectContaining({ code: 'SHARQ_ERR_PROTOCOL' }),
    );
    expect(() => decode(0, hexBytes('0000 ffffffff'))).toThrowError(
      expect.objectContaining({ code: 'SHARQ_ERR_PROTOCOL' }),
    );
  });

  it('throws for a non-default value in a version without the field unless it is ignorable', () => {
    // strict (2+) is not ignorable: v1 cannot carry strict = 1.
    expect(() => hex(Sample, 1, { name: 'a', ids: [], strict: 1 })).toThrowError(
      expect.objectContaining({ code: 'SHARQ_ERR_UNSUPPORTED' }),
    );
    // note (2+) is ignorable: dropped silently.
    expect(hex(Sample, 1, { name: 'a', ids: [], note: 'dropped' })).toBe('000161ffff00000000');
    // rack (1+) at its default is fine in v0.
    expect(hex(Sample, 0, { name: 'a', ids: [], rack: null })).toBe('00016100000000');
  });

  it('precedes a nullable struct with an INT8: -1 null, 1 present', () => {
    const Holder = message({
      name: 'HolderResponse',
      type: 'response',
      validVersions: '0',
      flexibleVersions: '0+',
      fields: { leader: structField(Leader, { nullableVersions: '0+', default: null }) },
    });
    const body = (leader: { leaderId: number; leaderEpoch: number } | null) => {
      const w = new Writer();
      Holder.encode(0, w, { leader });
      return w.toBuffer().toString('hex');
    };
    expect(body(null)).toBe('ff' + '00');
    expect(body({ leaderId: 2, leaderEpoch: 3 })).toBe(
      '01' + '00000002' + '00000003' + '00' + '00',
    );
    expect(Holder.decode(0, new Reader(hexBytes('ff 00')))).toEqual({ leader: null });
  });
});

describe('every primitive', () => {
  const All = message({
    name: 'AllResponse',
    type: 'response',
    validVersions: '0-1',
    flexibleVersions: '1+',
    fields: {
      b: bool(),
      i8: int8(),
      i16: int16(),
      u16: uint16(),
      i32: int32(),
      u32: uint32(),
      i64: int64(),
      f64: float64(),
      id: uuid(),
      s: string(),
      bin: bytes(),
      recs: records({ nullableVersions: '0+' }),
    },
  });
  const value = {
    b: true,
    i8: -2,
    i16: -3,
    u16: 65535,
    i32: -4,
    u32: 4294967295,
    i64: -5,
    f64: 1.5,
    id: '0123456789abcdef0123456789abcdef',
    s: 'é',
    bin: Buffer.from([1, 2]),
    recs: null,
  };

  it('lays them out as the protocol guide says', () => {
    const w = new Writer();
    All.encode(0, w, value);
    expect(w.toBuffer().toString('hex')).toBe(
      '01' +
        'fe' +
        'fffd' +
        'ffff' +
        'fffffffc' +
        'ffffffff' +
        'fffffffffffffffb' +
        '3ff8000000000000' +
        '0123456789abcdef0123456789abcdef' +
        '0002c3a9' +
        '000000020102' +
        'ffffffff',
    );
    expect(All.decode(0, new Reader(Buffer.from(w.toBuffer())))).toEqual(value);
  });

  it('accepts a UUID with dashes and bytes as any Uint8Array', () => {
    const w = new Writer();
    All.encode(1, w, {
      ...value,
      id: '01234567-89ab-cdef-0123-456789abcdef',
      bin: new Uint8Array([9]),
    });
    const back = All.decode(1, new Reader(Buffer.from(w.toBuffer())));
    expect(back.id).toBe(value.id);
    expect(back.bin).toEqual(Buffer.from([9]));
  });

  it('refuses a version it does not define', () => {
    expect(() => All.decode(2, new Reader(Buffer.alloc(0)))).toThrowError(
      expect.objectContaining({ code: 'SHARQ_ERR_UNSUPPORTED' }),
    );
    expect(() => All.encode(-1, new Writer(), value)).toThrowError(
      expect.objectContaining({ code: 'SHARQ_ERR_UNSUPPORTED' }),
    );
  });
});

describe('definition mistakes fail at definition time', () => {
  it('a tag without taggedVersions, a null default on a non-nullable field', () => {
    expect(() => int32({ tag: 0 })).toThrow(TypeError);
    expect(() => string({ default: null })).toThrow(TypeError);
  });
});
