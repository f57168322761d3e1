// class-transformer keeps nested-type metadata (@Type) here; the JSON Schema needs it for $ref targets.
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import type { PayloadClass } from '../catalog/event-definition';
import { EVENT_DEFINITIONS } from '../catalog/event-catalog';
import { EnvelopeAttributes } from '../envelope/envelope-attributes';

/** A JSON Schema (draft-07) document. */
export type JsonSchema = Record<string, unknown>;

const REF_PREFIX = '#/definitions/';
let cache: Record<string, JsonSchema> | undefined;

/** Schemas of every class known to class-validator, generated from the same decorators that validate. */
function classSchemas(): Record<string, JsonSchema> {
  cache ??= validationMetadatasToSchemas({
    classTransformerMetadataStorage: defaultMetadataStorage,
    refPointerPrefix: REF_PREFIX,
  }) as Record<string, JsonSchema>;
  return cache;
}

/** A self-contained JSON Schema for one payload (or envelope) class, with the nested classes it refers to. */
export function jsonSchemaFor(type: PayloadClass, id?: string): JsonSchema {
  const all = classSchemas();
  const root = ownOrInheritedSchema(type, all);
  const definitions: Record<string, JsonSchema> = {};
  const visit = (schema: unknown): void => {
    if (Array.isArray(schema)) return schema.forEach(visit);
    if (typeof schema !== 'object' || schema === null) return;
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(REF_PREFIX)) {
        const name = value.slice(REF_PREFIX.length);
        if (!definitions[name] && all[name]) {
          definitions[name] = all[name];
          visit(all[name]);
        }
      } else visit(value);
    }
  };
  visit(root);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    ...(id ? { $id: id } : {}),
    title: type.name,
    ...root,
    ...(Object.keys(definitions).length ? { definitions } : {}),
  };
}

/** A subclass that adds no field (e.g. `MaterialMovementRequestedV1`) has its parent's schema. */
function ownOrInheritedSchema(type: PayloadClass, all: Record<string, JsonSchema>): JsonSchema {
  for (
    let c: unknown = type;
    typeof c === 'function' && c !== Function.prototype;
    c = Object.getPrototypeOf(c)
  ) {
    const schema = all[(c as PayloadClass).name];
    if (schema) return schema;
  }
  throw new Error(`no validation metadata for ${type.name}`);
}

/** One schema per event type, keyed by CloudEvents `type`, plus the envelope's. */
export function eventJsonSchemas(): Record<string, JsonSchema> {
  return {
    envelope: jsonSchemaFor(EnvelopeAttributes, 'https://plantbridge.dev/schemas/envelope.json'),
    ...Object.fromEntries(
      EVENT_DEFINITIONS.map((d) => [
        d.type,
        jsonSchemaFor(d.payload, `https://plantbridge.dev/schemas/${d.type}.json`),
      ]),
    ),
  };
}
