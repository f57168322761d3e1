import type { EventOrigin } from '@plantbridge/canonical-model';

/** CloudEvents `source` of everything this service publishes. */
export const sourceFor = (plant: string) => `/plantbridge/${plant}/production-order-sync`;

/** The origin of an event started by an HTTP request: the caller's correlation id carries on to ERP. */
export function originFromRequest(plant: string, subject: string, correlationId?: string): EventOrigin {
  return { plant, source: sourceFor(plant), subject, correlationId };
}
