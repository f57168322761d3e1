import fc from 'fast-check';
import type { Mutation } from './body-mutations';
import type { Expectation } from './field-rules';
import { hostileString } from './hostile-values';
import { type RequestParts, withHeader } from './http-request';
import type { RouteSpec } from './routes';

/** A UTF-8 string as the latin1 "byte string" Node writes onto the wire unchanged. */
const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

/** A wire value for a label: UTF-8 bytes shown as the characters they spell, long ones cut. */
const readable = (wire: string) => {
  const text = Buffer.from(wire, 'latin1').toString('utf8');
  return text.length > 40 ? `${text.slice(0, 20)}…(${text.length})` : text;
};

/** Percent-encodes every byte but the unreserved ones; unlike encodeURIComponent, never throws (lone surrogates). */
const percentEncode = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

const change =
  (label: string, expect: Expectation, apply: (parts: RequestParts) => RequestParts): Mutation =>
  (parts) => ({ parts: apply(parts), expect, label });

/** Idempotency-Key: 1 to 200 visible ASCII characters, on every state-changing POST. */
const idempotencyKeys: Array<[string | undefined, Expectation, string]> = [
  [undefined, 'refuse', 'no Idempotency-Key'],
  ['', 'refuse', 'empty Idempotency-Key'],
  ['k'.repeat(200), 'either', 'Idempotency-Key of 200'],
  ['k'.repeat(201), 'refuse', 'Idempotency-Key of 201'],
  ['k'.repeat(8000), 'refuse', 'Idempotency-Key of 8,000'],
  [bytes('schlüssel-ä'), 'refuse', 'non-ASCII Idempotency-Key'],
  ['key with spaces', 'refuse', 'Idempotency-Key with spaces'],
  ['key\twith-tab', 'refuse', 'Idempotency-Key with a tab'],
  [bytes('🔑'.repeat(60)), 'refuse', 'emoji Idempotency-Key'],
];

const idempotencyKey = fc.oneof(
  fc
    .constantFrom(...idempotencyKeys)
    .map(([value, expect, label]) => change(label, expect, (p) => withHeader(p, 'Idempotency-Key', value))),
  // A small pool of keys shared by many requests: replays (same body) and reuse with another body (409).
  fc
    .integer({ min: 1, max: 5 })
    .map((n) =>
      change('Idempotency-Key reused', 'either', (p) => withHeader(p, 'Idempotency-Key', `fz-shared-${n}`)),
    ),
);

/**
 * X-Correlation-Id goes into every event a request causes (the envelope takes up to 64 visible ASCII
 * characters). Whether the API refuses a longer one or replaces it is the product's choice: either
 * way the request must not be accepted and then stuck, which the posting checks catch.
 */
const correlationId = fc
  .oneof(
    fc.constantFrom(64, 65, 100, 1000, 8000).map((n) => ['c'.repeat(n), `X-Correlation-Id of ${n}`] as const),
    fc
      .constantFrom('', ' ', 'id with spaces', 'tab\there', bytes('korrelation-ü'), bytes('🧵'.repeat(30)))
      .map((v) => [v, `X-Correlation-Id ${JSON.stringify(readable(v))}`] as const),
  )
  .map(([value, label]) => change(label, 'either', (p) => withHeader(p, 'X-Correlation-Id', value)));

/** Headers past Node's 16 KiB limit are refused before any application code runs (431). */
const overlongHeader = fc
  .constantFrom('X-Correlation-Id', 'Idempotency-Key', 'X-Padding')
  .map((name) => change(`${name} of 20,000`, 'refuse', (p) => withHeader(p, name, 'h'.repeat(20_000))));

/** Content types that are not JSON are refused (415); JSON spelled another way may be taken. */
const contentTypes: Array<[string | undefined, Expectation]> = [
  [undefined, 'refuse'],
  ['text/plain', 'refuse'],
  ['application/x-www-form-urlencoded', 'refuse'],
  ['multipart/form-data; boundary=x', 'refuse'],
  ['application/xml', 'refuse'],
  ['application/octet-stream', 'refuse'],
  ['', 'refuse'],
  ['a/b/c', 'refuse'],
  ['application/json; charset=utf-16', 'either'],
  ['application/json; charset=latin1', 'either'],
  ['APPLICATION/JSON', 'either'],
  ['application/json, text/plain', 'either'],
  ['application/cloudevents+json', 'either'],
  ['application/jsonx', 'either'],
];

const contentType = fc
  .constantFrom(...contentTypes)
  .map(([value, expect]) =>
    change(`Content-Type ${value === undefined ? 'missing' : JSON.stringify(value)}`, expect, (p) =>
      withHeader(p, 'Content-Type', value),
    ),
  );

/**
 * Ids that try to leave their path segment or the database's character set. Each is refused: no
 * order, operation, posting or endpoint has such an id. `%31…` only spells a valid id differently.
 */
const PATH_TRICKS: Array<[string, Expectation]> = [
  ['..%2F..%2Fhealth%2Flive', 'refuse'],
  ['%2e%2e%2f%2e%2e%2f', 'refuse'],
  ['..', 'refuse'],
  // `/docs/.` is the Swagger UI page itself.
  ['.', 'either'],
  ['%00', 'refuse'],
  ['a%00b', 'refuse'],
  ['%2500', 'refuse'],
  ['%ZZ', 'refuse'],
  ['%', 'refuse'],
  ['a%2Fb', 'refuse'],
  ['a%5Cb', 'refuse'],
  ['%C3%28', 'refuse'],
  ['%FF', 'refuse'],
  ['%E2%9C%93', 'refuse'],
  ['%F0%9F%92%A9', 'refuse'],
  [bytes('bestellung-ä'), 'refuse'],
  ['*', 'refuse'],
  ['%3E', 'refuse'],
  ['a.b', 'refuse'],
  ['1%27%20OR%20%271%27%3D%271', 'refuse'],
  ['%20', 'refuse'],
  ['+', 'refuse'],
  [';x=1', 'refuse'],
  ['__proto__', 'refuse'],
  ['constructor', 'refuse'],
  ['-1', 'refuse'],
  ['1e3', 'refuse'],
  ['9'.repeat(40), 'refuse'],
  ['9'.repeat(3000), 'refuse'],
  ['9'.repeat(20_000), 'refuse'],
  ['', 'either'],
];

/** Replaces one path parameter (`fc.nat()` picks which) with a trick, or with hostile text encoded. */
const pathTrick = (names: string[]) =>
  fc
    .tuple(
      fc.nat(),
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(...PATH_TRICKS).map(([v, e]) => [v, e, readable(v)] as const),
        },
        {
          weight: 1,
          arbitrary: hostileString.map((s) => {
            const text = String(s.parsed);
            // Short plain words ('0010', 'PC') may be real ids; `.` or nothing may be another page.
            const expect: Expectation = /^[A-Za-z0-9._~-]{0,12}$/.test(text) ? 'either' : 'refuse';
            return [percentEncode(text), expect, s.label] as const;
          }),
        },
        {
          weight: 1,
          arbitrary: fc.constant(['%31000000', 'either' as Expectation, 'percent-encoded digit'] as const),
        },
      ),
    )
    .map(([i, [value, expect, label]]) => {
      const name = names[i % names.length];
      return change(`path :${name} = ${label}`, expect, (p) => ({
        ...p,
        params: { ...p.params, [name]: value },
      }));
    });

/** Query values replaced or repeated, and keys the query class does not have. */
const queryMutation = (fields: NonNullable<RouteSpec['query']>) => {
  const names = Object.keys(fields);
  return fc.oneof(
    fc.tuple(fc.nat(), hostileString).map(([i, s]) => {
      const name = names[i % names.length];
      const text = String(s.parsed);
      const values = fields[name].values;
      const expect: Expectation = values && !values.includes(text) ? 'refuse' : 'either';
      return change(`query ${name} = ${s.label}`, expect, (p) => ({
        ...p,
        query: [...p.query.filter(([k]) => k !== name), [name, percentEncode(text)]],
      }));
    }),
    fc.tuple(fc.nat(), fc.constantFrom('__proto__', 'constructor', 'foo', 'status[]', '')).map(([i, key]) =>
      change(
        `extra query ${key || '(empty key)'}`,
        Object.hasOwn(fields, key) ? 'either' : 'refuse',
        (p) => ({
          ...p,
          query: [...p.query, [key, String(i % 10)]],
        }),
      ),
    ),
    fc.nat().map((i) => {
      const name = names[i % names.length];
      const expect: Expectation = fields[name].values ? 'refuse' : 'either';
      return change(`query ${name} repeated`, expect, (p) => ({
        ...p,
        query: [...p.query, [name, 'a'], [name, 'b']],
      }));
    }),
    // maxReferences and friends are numbers in text: the spellings Number() reads differently.
    fc
      .constantFrom('0', '-0', '1e3', '0x10', ' 5', '5.5', 'NaN', 'Infinity', '1001', '99999999999999999999')
      .map((v) =>
        change(`query ${names[0]} = ${v}`, 'either', (p) => ({
          ...p,
          query: [[names[0], encodeURIComponent(v)]],
        })),
      ),
  );
};

/**
 * Another method on the route's path: PUT, DELETE and PATCH exist nowhere (404). GET and POST may
 * (a list beside a create), so they may be answered either way.
 */
const wrongMethod = (route: RouteSpec) =>
  fc
    .constantFrom<RequestParts['method']>('GET', 'POST', 'PUT', 'DELETE', 'PATCH')
    .filter((m) => m !== route.method)
    .map(
      (method): Mutation =>
        (parts) => {
          const elsewhere = method === 'GET' || method === 'POST';
          // A GET beside the POST ignores the body its mutation broke: what it gets is up to that route.
          return {
            parts: { ...parts, method },
            expect: elsewhere ? 'either' : 'refuse',
            label: `method ${method}`,
            decides: elsewhere,
          };
        },
    );

/** Every header, path, query and method mutation that applies to `route`. */
export function requestMutations(route: RouteSpec): fc.Arbitrary<Mutation> {
  const params = [...route.template.matchAll(/:([a-zA-Z]+)/g)].map((m) => m[1]);
  const choices: Array<fc.WeightedArbitrary<Mutation>> = [
    { weight: 3, arbitrary: correlationId },
    { weight: 1, arbitrary: overlongHeader },
    { weight: 1, arbitrary: wrongMethod(route) },
  ];
  // On routes without a body or key, these headers mean nothing: still sent, nothing may break.
  choices.push({ weight: 2, arbitrary: route.idempotent ? idempotencyKey : idempotencyKey.map(asEither) });
  choices.push({ weight: 2, arbitrary: route.body ? contentType : contentType.map(asEither) });
  if (params.length > 0) choices.push({ weight: 5, arbitrary: pathTrick(params) });
  if (route.query) choices.push({ weight: 4, arbitrary: queryMutation(route.query) });
  return fc.oneof(...choices);
}

const asEither =
  (mutation: Mutation): Mutation =>
  (parts) => ({ ...mutation(parts), expect: 'either' });
