import { type AnyEventDefinition, findEventDefinition } from '../catalog/event-catalog';
import type { CanonicalEvent } from '../envelope/canonical-event';
import { EnvelopeAttributes } from '../envelope/envelope-attributes';
import { describeFieldErrors, type FieldError, validateAs } from './validate';

export type DecodedEvent =
  | { ok: true; event: CanonicalEvent; definition: AnyEventDefinition }
  | { ok: false; reason: string; errors: FieldError[] };

/**
 * Parses and validates a structured-mode CloudEvent: JSON, then the envelope attributes, then the
 * payload against the class its `type` names. Every failure says why, so it can be dead-lettered.
 */
export function decodeEvent(body: string | Uint8Array): DecodedEvent {
  let plain: unknown;
  try {
    plain = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `body is not JSON: ${(error as Error).message}`, errors: [] };
  }
  return validateEvent(plain);
}

/**
 * Validates an event that is already an object: the envelope attributes, then the payload against the
 * class its `type` names. Consumers get here through `decodeEvent`; the outbox calls it on every event
 * before storing it, so a service cannot accept work whose event its consumers would refuse.
 */
export function validateEvent(plain: unknown): DecodedEvent {
  const envelope = validateAs(EnvelopeAttributes, plain);
  if (!envelope.ok) {
    return {
      ok: false,
      reason: `invalid envelope: ${describeFieldErrors(envelope.errors)}`,
      errors: envelope.errors,
    };
  }
  const definition = findEventDefinition(envelope.value.type);
  if (!definition) {
    return {
      ok: false,
      reason: `unknown event type "${envelope.value.type}"`,
      errors: [{ field: 'type', messages: ['unknown event type'] }],
    };
  }
  const data = validateAs<object>(definition.payload, (plain as { data?: unknown }).data);
  if (!data.ok) {
    const errors = data.errors.map((e) => ({ ...e, field: e.field ? `data.${e.field}` : 'data' }));
    return {
      ok: false,
      reason: `invalid ${definition.type} payload: ${describeFieldErrors(errors)}`,
      errors,
    };
  }
  const event = { ...(plain as CanonicalEvent), data: data.value } as CanonicalEvent;
  return { ok: true, event, definition };
}

// Checked by consumers once an event decodes: where it arrived must be the plant it names.
export { plantMismatch } from './plant-agreement';
