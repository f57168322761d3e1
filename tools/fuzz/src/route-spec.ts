import fc from 'fast-check';
import type { FieldSpecs } from './field-rules';
import type { Method, RequestParts } from './http-request';
import type { JsonObject } from './json-text';

/** What exists in the plant under fuzz, so valid requests refer to real orders, operations and postings. */
export interface FuzzTargets {
  plant: string;
  /** Released, not yet acknowledged: each takes one acknowledgement. */
  releasedOrders: string[];
  /** Acknowledged with quantity to spare, each with operations 0010 and 0020. */
  confirmOrders: string[];
  /** Acknowledged, with many operations to start and complete. */
  operationOrders: Array<{ order: string; operations: string[] }>;
  /** Postings in the exception queue (failed), for retry and discard. */
  failedPostings: string[];
  /** Confirmations known to the service, for the GET routes. */
  confirmations: Array<{ order: string; id: string }>;
  /** The edge gateway's OPC UA endpoint and nodes that exist on it. */
  endpointId: string;
  nodeIds: string[];
}

export type ServiceName = 'orders' | 'edge';

/** One REST route: where it is, and a valid request to it that mutations start from. */
export interface RouteSpec {
  name: string;
  service: ServiceName;
  method: Method;
  template: string;
  /** State-changing POST: takes an Idempotency-Key. */
  idempotent?: boolean;
  /** Body fields; a route with none takes no body. */
  body?: FieldSpecs;
  /** Query fields of a route that validates its query (unknown keys are refused). */
  query?: Record<string, { values?: readonly string[] }>;
  valid(targets: FuzzTargets): fc.Arbitrary<Omit<RequestParts, 'method' | 'template' | 'headers'>>;
}

// Valid values for the routes' requests.

export const enc = encodeURIComponent;

/** Timestamps of real days in 2026, in both zone spellings; `span` is a start and an end up to a shift later. */
export const instant = fc.date({
  min: new Date('2026-01-01T00:00:00Z'),
  max: new Date('2026-12-31T00:00:00Z'),
  noInvalidDate: true,
});
export const stamp = (d: Date, zulu: boolean) =>
  zulu ? d.toISOString() : d.toISOString().replace('Z', '+00:00');
export const timestamp = fc.tuple(instant, fc.boolean()).map(([d, z]) => stamp(d, z));
export const span = fc
  .tuple(instant, fc.integer({ min: 0, max: 8 * 3_600_000 }), fc.boolean())
  .map(([start, ms, z]) => [stamp(start, z), stamp(new Date(start.getTime() + ms), z)] as const);

/** Quantities a line reports: small, at most 3 decimals, so the order never runs out. */
export const quantity = fc.integer({ min: 0, max: 5000 }).map((n) => n / 1000);
export const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
export const text = fc
  .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 60 })
  .filter((s) => s.trim() !== '');
export const pick = <T>(items: T[]) => fc.constantFrom(...items);
export const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** The object without its undefined fields (absent optional fields). */
export const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as JsonObject;

export const noBody = { params: {}, query: [] };
export const plantParam = (t: FuzzTargets) => ({ plant: enc(t.plant) });
