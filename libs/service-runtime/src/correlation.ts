import { CORRELATION_ID_PATTERN } from '@plantbridge/canonical-model';

/** The header carrying a request's correlation id: taken from the caller, or made up, and echoed back. */
export const CORRELATION_HEADER = 'x-correlation-id';

/** A correlation id the events a request causes can carry (the envelope's own rule). */
export function isCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && CORRELATION_ID_PATTERN.test(value);
}
