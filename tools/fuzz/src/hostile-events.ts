import {
  type AnyEventDefinition,
  type CanonicalEvent,
  createEvent,
  EVENT_DEFINITIONS,
} from '@plantbridge/canonical-model';
import { samplePayload } from '@plantbridge/canonical-model/testing';
import { headersForEvent } from '@plantbridge/messaging';
import fc from 'fast-check';
import { ENVELOPE_FIELDS, type EventExpectation, type EventInput } from './event-input';
import { type FieldSpecs, judge } from './field-rules';
import { deepValue, hostileKey, hostileValue, nestingDepth, otherType } from './hostile-values';
import { deeplyNested, type JsonObject, toJsonBytes, withKey, withoutKey } from './json-text';

/** Where hostile events for one consumer go, and what a valid one looks like. */
export interface EventContext {
  plant: string;
  /** A valid plant code that is not ours: for mismatched plants. */
  otherPlant: string;
  subject: string;
  definition: AnyEventDefinition;
  fields: FieldSpecs;
  /** Valid payloads whose effect can be checked. */
  good: fc.Arbitrary<object>;
  maxPayload: number;
}

/** A canonical event of our plant; the id comes from the generator, so a seed gives the same events. */
function eventOf(ctx: EventContext, data: object, id: string, definition = ctx.definition): CanonicalEvent {
  const origin = { plant: ctx.plant, source: `/plantbridge/${ctx.plant}/fuzz`, id };
  return createEvent(definition as never, data as never, origin) as CanonicalEvent;
}

const asJson = (event: CanonicalEvent) => event as unknown as JsonObject;
const input = (
  ctx: EventContext,
  data: Buffer,
  expect: EventExpectation,
  label: string,
  event?: CanonicalEvent,
): EventInput => ({
  subject: ctx.subject,
  data,
  headers: event ? headersForEvent(event) : { 'Content-Type': 'application/cloudevents+json' },
  expect,
  label,
  event,
});

/** A valid event to start from. */
const base = (ctx: EventContext) =>
  fc.tuple(ctx.good, fc.uuid({ version: 7 })).map(([data, id]) => eventOf(ctx, data, id));

/** An event of the wrong plant is refused whatever else it says (issue 25, defect 3). */
const plantVerdict = (field: string, parsed: unknown, ctx: EventContext, verdict: 'refuse' | 'either') =>
  (field === 'plant' || field === 'plantid') && parsed !== ctx.plant ? 'refuse' : verdict;
const toEventExpectation = (verdict: 'refuse' | 'either'): EventExpectation =>
  verdict === 'refuse' ? 'dead-letter' : 'either';

/** One field of `data` (or of the envelope) set to a hostile value, dropped, or one added. */
function fieldMutation(ctx: EventContext, where: 'data' | 'envelope') {
  const fields = where === 'data' ? ctx.fields : ENVELOPE_FIELDS;
  const names = Object.keys(fields);
  const target = (event: CanonicalEvent) =>
    where === 'data' ? (asJson(event).data as JsonObject) : asJson(event);
  const put = (event: CanonicalEvent, node: JsonObject) =>
    where === 'data' ? { ...asJson(event), data: node } : node;
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(base(ctx), fc.nat(), hostileValue).map(([event, i, value]) => {
        const field = names[i % names.length];
        const verdict = plantVerdict(field, value.parsed, ctx, judge(fields[field], value.parsed));
        const doc = put(event, withKey(target(event), field, value.node));
        return input(
          ctx,
          toJsonBytes(doc),
          toEventExpectation(verdict),
          `${where}.${field} = ${value.label}`,
        );
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(base(ctx), fc.nat()).map(([event, i]) => {
        const field = names[i % names.length];
        const doc = put(event, withoutKey(target(event), field));
        return input(
          ctx,
          toJsonBytes(doc),
          fields[field].optional ? 'either' : 'dead-letter',
          `${where}.${field} missing`,
        );
      }),
    },
    // Events keep unknown fields (a newer minor revision may add some): valid, but must not break anything.
    {
      weight: 1,
      arbitrary: fc
        .tuple(base(ctx), hostileKey, fc.oneof(hostileValue, deepValue))
        .map(([event, key, value]) => {
          const doc = put(event, withKey(target(event), key, value.node));
          const expect = Object.hasOwn(fields, key)
            ? toEventExpectation(plantVerdict(key, value.parsed, ctx, judge(fields[key], value.parsed)))
            : 'either';
          return input(ctx, toJsonBytes(doc), expect, `extra ${where}.${key.slice(0, 30)} = ${value.label}`);
        }),
    },
  );
}

/** Subject, envelope and payload disagree on the plant. */
const mismatchedPlant = (ctx: EventContext) =>
  fc.tuple(base(ctx), fc.constantFrom('envelope', 'payload', 'both')).map(([event, which]) => {
    const doc = asJson(event);
    const data = doc.data as JsonObject;
    const other = ctx.otherPlant;
    const mutated = {
      ...doc,
      plantid: which === 'payload' ? ctx.plant : other,
      data: which === 'envelope' ? data : { ...data, plant: other },
    };
    return input(
      ctx,
      toJsonBytes(mutated),
      'dead-letter',
      `plant of ${which} is ${other}, subject's is ${ctx.plant}`,
    );
  });

/** Types and versions the consumer does not handle, and known types on the wrong subject. */
const wrongType = (ctx: EventContext) => {
  const others = EVENT_DEFINITIONS.filter((d) => d.type !== ctx.definition.type);
  return fc.oneof(
    fc.tuple(base(ctx), fc.constantFrom('v2', 'v0', 'v99', 'v1.1', 'V1')).map(([event, version]) => {
      const type = ctx.definition.type.replace(/v1$/, version);
      return input(ctx, toJsonBytes({ ...asJson(event), type }), 'dead-letter', `type ${type}`);
    }),
    fc
      .tuple(
        base(ctx),
        fc.constantFrom('plantbridge.foo.bar.v1', 'plantbridge.production.unknown-thing.v1', ''),
      )
      .map(([event, type]) =>
        input(ctx, toJsonBytes({ ...asJson(event), type }), 'dead-letter', `type ${JSON.stringify(type)}`),
      ),
    fc.tuple(fc.constantFrom(...others), fc.uuid({ version: 7 })).map(([definition, id]) => {
      const sample = { ...samplePayload(definition.type), plant: ctx.plant } as object;
      const event = eventOf(ctx, sample, id, definition);
      return input(
        ctx,
        toJsonBytes(asJson(event)),
        'dead-letter',
        `a valid ${definition.type} on this subject`,
      );
    }),
  );
};

/** `data` that is not an object, or nested thousands of levels deep. */
const badData = (ctx: EventContext) =>
  fc
    .tuple(base(ctx), fc.oneof(otherType, deepValue))
    .map(([event, value]) =>
      input(ctx, toJsonBytes({ ...asJson(event), data: value.node }), 'dead-letter', `data = ${value.label}`),
    );

const NOT_JSON = [
  '{',
  '{"a":\n\n foo}',
  '{"specversion":"1.0",',
  'not json',
  '\r\n',
  '{"a":"\u0000"',
  '[',
  '}{',
];

/** Bodies that are no event at all: not JSON, binary, empty, JSON that is not an object. */
const undecodable = (ctx: EventContext) =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(...NOT_JSON)
        .map((t) => input(ctx, Buffer.from(t), 'dead-letter', `not JSON: ${JSON.stringify(t)}`)),
    },
    {
      weight: 2,
      arbitrary: base(ctx).map((e) =>
        input(ctx, toJsonBytes(asJson(e)).subarray(0, 40), 'dead-letter', 'event cut short'),
      ),
    },
    {
      weight: 3,
      arbitrary: fc
        .uint8Array({ minLength: 1, maxLength: 512 })
        .map((b) => input(ctx, Buffer.from(b), 'dead-letter', `binary (${b.length} bytes)`)),
    },
    { weight: 1, arbitrary: fc.constant(input(ctx, Buffer.alloc(0), 'dead-letter', 'empty body')) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('[]', '1', '"x"', 'null', 'true', '[{"specversion":"1.0"}]')
        .map((t) => input(ctx, Buffer.from(t), 'dead-letter', `JSON ${t}`)),
    },
    {
      weight: 1,
      arbitrary: nestingDepth.map((d) =>
        input(ctx, deeplyNested(d, 'array').bytes, 'dead-letter', `array nested ${d} deep`),
      ),
    },
  );

/** Headers a producer may get wrong; consumers go by the body, so the event stays valid. */
const oddHeaders = (ctx: EventContext) =>
  fc
    .tuple(base(ctx), fc.constantFrom('plant', 'content-type', 'long', 'traceparent'))
    .map(([event, which]) => {
      const headers = headersForEvent(event);
      const changes = {
        plant: { 'Plantbridge-Plant': ctx.otherPlant },
        'content-type': { 'Content-Type': 'text/plain' },
        long: { 'Plantbridge-Correlation-Id': 'c'.repeat(4000) },
        traceparent: { traceparent: 'not-a-trace' },
      };
      return {
        ...input(ctx, toJsonBytes(asJson(event)), 'either', `header ${which} odd`),
        headers: { ...headers, ...changes[which] },
      };
    });

/**
 * Messages near and above the broker's max_payload, sent once per run rather than drawn (a run of
 * 10,000 would otherwise store gigabytes): near it, a dead-letter copy cannot fit (it gains headers)
 * unless the original is kept by reference; above it the broker refuses the publish.
 */
export function landmarks(ctx: EventContext, valid: object): EventInput[] {
  const room = ctx.maxPayload - 2048; // the message's headers, and its dead-letter copy's, fit in 2 KiB
  const padded = (event: CanonicalEvent) =>
    toJsonBytes(withKey(asJson(event), 'padding', 'p'.repeat(room - 1000)));
  const bad = eventOf(ctx, { broken: true }, '01900000-0000-7000-8000-000000000001');
  const good = eventOf(ctx, valid, '01900000-0000-7000-8000-000000000002');
  const notJson = Buffer.concat([Buffer.from('{"padding":"'), Buffer.alloc(room - 20, 'p')]);
  return [
    input(ctx, notJson, 'dead-letter', 'not JSON, near max_payload'),
    input(ctx, padded(bad), 'dead-letter', 'invalid payload, near max_payload'),
    input(ctx, padded(good), 'either', 'valid event padded near max_payload'),
    input(ctx, Buffer.alloc(ctx.maxPayload + 1, 'x'), 'too-large', 'above max_payload'),
    input(ctx, Buffer.from('{"a":\n\n foo}'), 'dead-letter', 'not JSON, newline in the parse error'),
  ];
}

/** Valid events, about one in five, interleaved with every kind of hostile one. */
export function hostileEvents(ctx: EventContext): fc.Arbitrary<EventInput> {
  return fc.oneof(
    { weight: 10, arbitrary: base(ctx).map((e) => input(ctx, toJsonBytes(asJson(e)), 'good', 'valid', e)) },
    { weight: 12, arbitrary: fieldMutation(ctx, 'data') },
    { weight: 6, arbitrary: fieldMutation(ctx, 'envelope') },
    { weight: 4, arbitrary: mismatchedPlant(ctx) },
    { weight: 4, arbitrary: wrongType(ctx) },
    { weight: 3, arbitrary: badData(ctx) },
    { weight: 8, arbitrary: undecodable(ctx) },
    { weight: 2, arbitrary: oddHeaders(ctx) },
  );
}
