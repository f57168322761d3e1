import fc from 'fast-check';
import { UNPARSABLE } from './field-rules';
import { deeplyNested, type JsonNode, Raw, rawString } from './json-text';

/**
 * A value to put where a valid one was: the node as written, what the server's JSON.parse makes of
 * it (to judge it against the field's rule), and a short label for the report.
 */
export interface HostileValue {
  node: JsonNode;
  parsed: unknown;
  label: string;
}

const value = (node: JsonNode, label: string): HostileValue => ({ node, parsed: node, label });

/** A number spelled as given; `parsed` is what JSON.parse reads, or UNPARSABLE if JSON has no such literal. */
function literal(text: string): HostileValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = UNPARSABLE;
  }
  return { node: Raw.text(text), parsed, label: `number ${text}` };
}

/** The numbers that broke checks before: exponent forms, subnormals, the largest doubles, -0, unsafe ints. */
const NUMBER_LITERALS = [
  ...[
    '1e-7',
    '5e-324',
    '4.9406564584124654e-324',
    '2.2250738585072014e-308',
    '1e308',
    '1.7976931348623157e308',
  ],
  ...['-0', '-0.0', '0e0', '1E+2', '1e3', '0.1e1', '1e309', '-1e309', '1e21', '1e-3', '1.0005', '0.0005'],
  ...['0.30000000000000004', '123456789012345678901234567890', '9007199254740993', '-1', '9999999999.999'],
  // Not JSON at all, so the whole body is not: `parsed` is UNPARSABLE.
  ...['NaN', 'Infinity', '-Infinity', '+1', '.5', '1.', '00', '0x10', '1_000'],
];

export const hostileNumber: fc.Arbitrary<HostileValue> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NUMBER_LITERALS).map(literal) },
  {
    weight: 2,
    arbitrary: fc.double().map((n) => (Number.isFinite(n) ? value(n, `number ${n}`) : literal('1e999'))),
  },
  { weight: 1, arbitrary: fc.integer({ min: -1000, max: 1_000_000 }).map((n) => value(n, `number ${n}`)) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map((n) => literal(String(n))) },
);

/** Days that do not exist, hours past midnight, zones past ±23:59, and shapes that are not RFC 3339. */
const IMPOSSIBLE_DATES = [
  ...['2026-02-30T06:00:00Z', '2026-02-29T06:00:00Z', '2026-13-01T06:00:00Z', '2026-00-10T06:00:00Z'],
  ...['2026-11-31T06:00:00Z', '2026-11-00T06:00:00Z', '2026-11-26T25:00:00Z', '2026-11-26T23:60:00Z'],
  ...[
    '2026-11-26T23:59:61Z',
    '2026-11-26T08:00:00+25:00',
    '2026-11-26T08:00:00+05:99',
    '2026-11-26T08:00:00',
  ],
  ...['2026-11-26', '26.11.2026', '2026-11-26 08:00:00Z', ' 2026-11-26T08:00:00Z', '+012026-11-26T08:00:00Z'],
  ...['2026-11-26T08:00:00.1234567891Z', '2026-W48-4T08:00:00Z', '2026-11-26T08:00Z', '2026-11-26t08:00:00z'],
];

const two = (n: number) => String(n).padStart(2, '0');

/** Timestamps in the right shape with each part anywhere in or just outside its range. */
const part = (max: number) => fc.integer({ min: 0, max });
const shapedDate = fc
  .record({
    y: part(9999),
    mo: part(13),
    d: part(32),
    h: part(25),
    mi: part(61),
    s: part(61),
    zone: fc.constantFrom('Z', '+00:00', '-12:30', '+14:00', '+24:00'),
  })
  .map(({ y, mo, d, h, mi, s, zone }) => {
    const text = `${String(y).padStart(4, '0')}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}${zone}`;
    return value(text, `date ${text}`);
  });

export const hostileDate: fc.Arbitrary<HostileValue> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...IMPOSSIBLE_DATES).map((d) => value(d, `date ${d}`)) },
  { weight: 2, arbitrary: shapedDate },
);

/** Byte sequences no UTF-8 decoder accepts: stray continuation, overlong, surrogate, truncated, 5-byte. */
const INVALID_UTF8 = [
  [0xff],
  [0xc3, 0x28],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

export const invalidUtf8String: fc.Arbitrary<HostileValue> = fc
  .tuple(fc.constantFrom(...INVALID_UTF8), fc.constantFrom('', 'PC', 'mes-'))
  .map(([bytes, prefix]) => {
    const raw = rawString(prefix, Buffer.from(bytes));
    // What the server sees after decoding the body as UTF-8: replacement characters.
    const parsed: unknown = JSON.parse(raw.bytes.toString('utf8'));
    return { node: raw, parsed, label: `invalid UTF-8 ${Buffer.from(bytes).toString('hex')}` };
  });

const SPECIAL_STRINGS = [
  ...['', ' ', '\u0000', 'a\u0000b', '\r\n', '\t', '\u202e', '\ud800', '\ufeff', 'e\u0301', '💩'.repeat(40)],
  ...["'; DROP TABLE production_order;--", '${jndi:ldap://x/a}', '<script>', '../../etc/passwd', '%00'],
  ...['*', '>', 'a.b.c', 'true', '1', 'null', '0010', 'PC', '__proto__', 'constructor'],
];

export const hostileString: fc.Arbitrary<HostileValue> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(...SPECIAL_STRINGS)
      .map((s) => value(s, `string ${JSON.stringify(s).slice(0, 40)}`)),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(3, 4, 12, 40, 64, 65, 100, 200, 201, 255, 256, 1000, 10_000, 100_000)
      .map((n) => value('x'.repeat(n), `string of ${n}`)),
  },
  {
    weight: 2,
    arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }).map((s) => value(s, 'unicode string')),
  },
  {
    weight: 1,
    arbitrary: fc.string({ unit: 'binary', maxLength: 80 }).map((s) => value(s, 'binary string')),
  },
  { weight: 1, arbitrary: invalidUtf8String },
);

/** Depths around where recursive code overflows (about 2,000 in class-transformer) and beyond. */
export const nestingDepth = fc.oneof(
  fc.constantFrom(33, 100, 1000, 1999, 2000, 2500, 5000),
  fc.integer({ min: 2, max: 5000 }),
);

export const deepValue: fc.Arbitrary<HostileValue> = fc
  .tuple(nestingDepth, fc.constantFrom('array' as const, 'object' as const))
  // Only the JSON type matters for judging; parsing 5,000 levels for it would be waste.
  .map(([depth, shape]) => ({
    node: deeplyNested(depth, shape),
    parsed: shape === 'array' ? [] : {},
    label: `${shape} nested ${depth} deep`,
  }));

export const otherType: fc.Arbitrary<HostileValue> = fc
  .constantFrom<
    [JsonNode, string]
  >([null, 'null'], [true, 'true'], [false, 'false'], [[], '[]'], [{}, '{}'], [[1, 'a'], '[1,"a"]'], [{ a: 1 }, '{"a":1}'])
  .map(([node, label]) => value(node, label));

/** Any hostile value, for a field of any type. */
export const hostileValue: fc.Arbitrary<HostileValue> = fc.oneof(
  { weight: 4, arbitrary: hostileNumber },
  { weight: 4, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileDate },
  { weight: 2, arbitrary: otherType },
  { weight: 1, arbitrary: deepValue },
);

/** Keys that reach prototypes, built-ins, or look like a field but are not. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', '__defineGetter__', 'toString', 'hasOwnProperty'),
  fc.constantFrom('', ' ', 'yieldQuantity ', 'YieldQuantity', 'data', 'errors', 'a.b', '$where', '\u0000'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  fc.constantFrom(300, 5000).map((n) => 'k'.repeat(n)),
);
