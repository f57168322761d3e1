import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { VALID_PAYLOADS } from '../../testing';
import { EVENT_DEFINITIONS } from '../catalog/event-catalog';
import { validateAs } from '../validation/validate';
import { eventJsonSchemas } from './json-schema';

const schemas = eventJsonSchemas();
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
const validators = new Map(EVENT_DEFINITIONS.map((d) => [d.type, ajv.compile(schemas[d.type]!)]));

/** Both validators' verdict on one sample: they must always agree. */
function verdicts(type: (typeof EVENT_DEFINITIONS)[number], sample: unknown) {
  return {
    classValidator: validateAs<object>(type.payload, sample).ok,
    jsonSchema: validators.get(type.type)!(sample),
  };
}

/** Values of the wrong kind for any field. */
const wrongValue = fc.constantFrom<unknown>(
  null,
  42.4242,
  -1,
  'x'.repeat(1001),
  '',
  true,
  [],
  {},
  '2026-11-26',
  'P 1',
);

describe('JSON Schema generated from the payload classes', () => {
  it('exists for every event type and the envelope', () => {
    expect(Object.keys(schemas).sort()).toEqual(['envelope', ...EVENT_DEFINITIONS.map((d) => d.type)].sort());
    expect(schemas['plantbridge.production.order-released.v1']).toMatchObject({
      required: expect.arrayContaining(['manufacturingOrder', 'operations']),
      definitions: { ReleasedOperationV1: expect.any(Object) },
    });
  });

  it.each(EVENT_DEFINITIONS.map((d) => [d.type, d] as const))(
    'agrees with the class on the valid sample of %s',
    (_, d) => {
      expect(verdicts(d, VALID_PAYLOADS[d.type])).toEqual({ classValidator: true, jsonSchema: true });
    },
  );

  it('agrees with the classes when a required field is missing', () => {
    for (const d of EVENT_DEFINITIONS) {
      const required = (schemas[d.type]!.required as string[]) ?? [];
      for (const field of required) {
        const sample = structuredClone(VALID_PAYLOADS[d.type]) as unknown as Record<string, unknown>;
        delete sample[field];
        expect({ type: d.type, field, ...verdicts(d, sample) }).toEqual({
          type: d.type,
          field,
          classValidator: false,
          jsonSchema: false,
        });
      }
    }
  });

  it('agrees with the classes on any field set to any value of the wrong kind', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EVENT_DEFINITIONS), fc.nat(), wrongValue, (d, pick, value) => {
        const sample = structuredClone(VALID_PAYLOADS[d.type]) as unknown as Record<string, unknown>;
        const fields = Object.keys(sample);
        sample[fields[pick % fields.length]!] = value;
        const v = verdicts(d, sample);
        expect(v.jsonSchema).toBe(v.classValidator);
      }),
      { numRuns: 2000 },
    );
  });
});
