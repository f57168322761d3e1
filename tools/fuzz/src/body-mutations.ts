import fc from 'fast-check';
import { type Expectation, type FieldSpecs, judge } from './field-rules';
import { deepValue, hostileKey, hostileValue, nestingDepth, otherType } from './hostile-values';
import type { RequestParts } from './http-request';
import { deeplyNested, isJsonObject, type JsonObject, toJsonBytes, withKey, withoutKey } from './json-text';

/** A mutation applied to a valid request: the request it makes, what it should get, and what was done. */
export interface Mutated {
  parts: RequestParts;
  expect: Expectation;
  label: string;
  /** The expectation stands alone instead of joining the others': the request went elsewhere. */
  decides?: boolean;
}

export type Mutation = (parts: RequestParts) => Mutated;

const bodyOf = ({ body }: RequestParts): JsonObject =>
  body !== undefined && !Buffer.isBuffer(body) && isJsonObject(body) ? body : {};
/** A field of the body, or of the route when the valid body left every optional field out. */
const fieldAt = (parts: RequestParts, fields: FieldSpecs, i: number) => {
  const keys = Object.keys(bodyOf(parts));
  const pool = keys.length > 0 ? keys : Object.keys(fields);
  return pool[i % pool.length];
};
const required = (fields: FieldSpecs) => Object.values(fields).some((f) => !f.optional);
const isJson = (bytes: Buffer) => {
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
};
const isPlainObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One field set to a hostile value: wrong type, odd number, impossible date, deep nesting, bad bytes. */
const replaceField = (fields: FieldSpecs) =>
  fc.tuple(fc.nat(), hostileValue).map(
    ([i, value]): Mutation =>
      (parts) => {
        const field = fieldAt(parts, fields, i);
        return {
          parts: { ...parts, body: withKey(bodyOf(parts), field, value.node) },
          expect: judge(fields[field], value.parsed),
          label: `body.${field} = ${value.label}`,
        };
      },
  );

const dropField = (fields: FieldSpecs) =>
  fc.nat().map(
    (i): Mutation =>
      (parts) => {
        const field = fieldAt(parts, fields, i);
        return {
          parts: { ...parts, body: withoutKey(bodyOf(parts), field) },
          expect: fields[field].optional ? 'either' : 'refuse',
          label: `body.${field} missing`,
        };
      },
  );

/** A field the request class does not have; the REST rules refuse unknown fields, `__proto__` included. */
const extraField = (fields: FieldSpecs) =>
  fc.tuple(hostileKey, hostileValue).map(
    ([key, value]): Mutation =>
      (parts) => ({
        parts: { ...parts, body: withKey(bodyOf(parts), key, value.node) },
        expect: Object.hasOwn(fields, key) ? judge(fields[key], value.parsed) : 'refuse',
        label: `extra body.${key.length > 40 ? `${key.slice(0, 20)}…(${key.length})` : key} = ${value.label}`,
      }),
  );

/** The body as a whole replaced: not an object, nested deep, or nothing. */
const wholeBody = (fields: FieldSpecs) =>
  fc.oneof(otherType, deepValue).map(
    (value): Mutation =>
      (parts) => ({
        parts: { ...parts, body: value.node },
        // `null` is taken for "no body" ({}), like an empty POST.
        expect:
          value.parsed === null || (isPlainObject(value.parsed) && !required(fields)) ? 'either' : 'refuse',
        label: `body = ${value.label}`,
      }),
  );

/** The valid body wrapped `depth` levels deep in one of its own fields. */
const nestedField = (fields: FieldSpecs) =>
  fc.tuple(fc.nat(), nestingDepth).map(
    ([i, depth]): Mutation =>
      (parts) => {
        const field = fieldAt(parts, fields, i);
        return {
          parts: { ...parts, body: withKey(bodyOf(parts), field, deeplyNested(depth, 'object')) },
          expect: 'refuse',
          label: `body.${field} = object nested ${depth} deep`,
        };
      },
  );

/** Text that is not JSON, or JSON with traps: cut short, trailing garbage, a newline in the error. */
const NOT_JSON = [
  '{',
  '{"a":',
  '{not json',
  "{'accepted':true}",
  '{"a":1,}',
  '[1,]',
  '{"a":\n\n foo}',
  '/*x*/{}',
  'NaN',
  '{"a":"\n"}',
  '\u0000',
];

const invalidJson = fc.oneof(
  fc.constantFrom(...NOT_JSON).map(
    (text): Mutation =>
      (parts) => ({
        parts: { ...parts, body: Buffer.from(text) },
        expect: 'refuse',
        label: `body not JSON: ${JSON.stringify(text)}`,
      }),
  ),
  fc.tuple(fc.nat(), fc.constantFrom('', 'x', '}', ',')).map(
    ([cut, tail]): Mutation =>
      (parts) => {
        const text = toJsonBytes(bodyOf(parts));
        const end = 1 + (cut % Math.max(1, text.length - 1));
        const body = Buffer.concat([text.subarray(0, end), Buffer.from(tail)]);
        // `{` and `}` make `{}`: cut short, but JSON still, and valid where every field is optional.
        return {
          parts: { ...parts, body },
          expect: isJson(body) ? 'either' : 'refuse',
          label: 'body cut short',
        };
      },
  ),
);

/** Valid JSON spelled unusually: a byte order mark, duplicate keys, whitespace; the product may go either way. */
const oddJson = fc.constantFrom('bom', 'duplicate', 'whitespace').map(
  (kind): Mutation =>
    (parts) => {
      const text = toJsonBytes(bodyOf(parts)).toString('utf8');
      const first = Object.keys(bodyOf(parts))[0];
      const variants = {
        bom: `\ufeff${text}`,
        duplicate: first ? `{${JSON.stringify(first)}:"dup",${text.slice(1)}` : text,
        whitespace: ` \n\t${text.split(',').join(' ,\r\n ')}\n`,
      };
      return {
        parts: { ...parts, body: Buffer.from(variants[kind]) },
        expect: 'either',
        label: `body JSON with ${kind}`,
      };
    },
);

/** Around the 1 MiB body limit: just under is a (large) JSON body, just over is 413. */
const oversizedBody = fc.constantFrom(-64, 1, 4096).map(
  (over): Mutation =>
    (parts) => {
      const text = toJsonBytes(bodyOf(parts));
      const padding = Math.max(0, 1024 * 1024 + over - text.length);
      return {
        parts: { ...parts, body: Buffer.concat([Buffer.from(' '.repeat(padding)), text]) },
        expect: over > 0 ? 'refuse' : 'either',
        label: `body of 1 MiB ${over > 0 ? '+' : ''}${over} bytes`,
      };
    },
);

/** Every way a body goes wrong, for a route whose body has `fields`. */
export function bodyMutations(fields: FieldSpecs): fc.Arbitrary<Mutation> {
  return fc.oneof(
    { weight: 10, arbitrary: replaceField(fields) },
    { weight: 3, arbitrary: dropField(fields) },
    { weight: 4, arbitrary: extraField(fields) },
    { weight: 2, arbitrary: wholeBody(fields) },
    { weight: 2, arbitrary: nestedField(fields) },
    { weight: 3, arbitrary: invalidJson },
    { weight: 1, arbitrary: oddJson },
    { weight: 1, arbitrary: oversizedBody },
  );
}
