import { plainToInstance } from 'class-transformer';
import { coerceInt64, DataType, Variant, VariantArrayType } from 'node-opcua';
import { CounterTag, StateTag, TelemetryTag } from '../mapping/tag-mapping';
import { readVariant, unusableFor } from './tag-values';

const scalar = (dataType: DataType, value: unknown) =>
  new Variant({ dataType, arrayType: VariantArrayType.Scalar, value });

describe('OPC UA values of every built-in type', () => {
  it.each([
    [DataType.SByte, -8, -8],
    [DataType.Byte, 200, 200],
    [DataType.Int16, -300, -300],
    [DataType.UInt16, 65_535, 65_535],
    [DataType.Int32, -70_000, -70_000],
    [DataType.UInt32, 4_294_967_295, 4_294_967_295],
    [DataType.Float, 1.5, 1.5],
    [DataType.Double, 21.25, 21.25],
    [DataType.Boolean, true, true],
    [DataType.String, 'RUN', 'RUN'],
    [DataType.DateTime, new Date('2026-12-03T08:00:00Z'), '2026-12-03T08:00:00.000Z'],
    [DataType.LocalizedText, { text: 'Running', locale: 'en' }, 'Running'],
  ])('%s becomes a plain value', (dataType, value, expected) => {
    expect(readVariant(scalar(dataType, value))).toEqual({ ok: true, value: expected });
  });

  it('64-bit values vanish: no more, Int64 and UInt64 arrive as [high, low] and become exact numbers', () => {
    expect(readVariant(scalar(DataType.UInt64, [256, 7]))).toEqual({ ok: true, value: 256 * 2 ** 32 + 7 });
    expect(readVariant(scalar(DataType.Int64, coerceInt64(-5)))).toEqual({ ok: true, value: -5 });
    expect(readVariant(scalar(DataType.UInt64, [0xffffffff, 0xffffffff]))).toEqual({
      ok: false,
      reason: 'UInt64 value 18446744073709551615 is beyond 2^53 and cannot be carried exactly',
    });
  });

  it('takes one element of an array with "index", and refuses an array without it', () => {
    const array = new Variant({
      dataType: DataType.Double,
      arrayType: VariantArrayType.Array,
      value: [1, 2, 3],
    });
    expect(readVariant(array, 2)).toEqual({ ok: true, value: 3 });
    expect(readVariant(array)).toEqual({
      ok: false,
      reason: 'the node holds an array of Double; map one element with "index"',
    });
    expect(readVariant(array, 3)).toMatchObject({ ok: false, reason: expect.stringMatching(/beyond/) });
    expect(readVariant(scalar(DataType.Double, 1), 0)).toMatchObject({ ok: false });
  });

  it('refuses types that mean nothing for a tag, naming them, and waits on a node without a value', () => {
    expect(readVariant(scalar(DataType.ByteString, Buffer.from('x')))).toEqual({
      ok: false,
      reason: 'OPC UA type ByteString cannot be mapped to a tag',
    });
    expect(readVariant(new Variant({ dataType: DataType.Null }))).toEqual({ ok: false, empty: true });
    // An array sent as null (length -1): no value yet, not a crash.
    const nullArray = new Variant({ dataType: DataType.Int32, arrayType: VariantArrayType.Array });
    (nullArray as { value: unknown }).value = null;
    expect(readVariant(nullArray, 0)).toEqual({ ok: false, empty: true });
  });

  it('says which values a signal cannot use', () => {
    const counter = plainToInstance(CounterTag, { signal: 'counter', counter: 'good' });
    expect(unusableFor(counter, 'RUN')).toBe('a string value cannot be a counter (it takes number)');
    expect(unusableFor(counter, 5)).toBeUndefined();
    expect(unusableFor(plainToInstance(StateTag, { signal: 'state' }), true)).toBeUndefined();
    expect(unusableFor(plainToInstance(TelemetryTag, { signal: 'telemetry' }), 'x')).toBeUndefined();
  });
});
