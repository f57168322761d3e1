import fc from 'fast-check';
import { bodyMutations, type Mutation } from './body-mutations';
import { combine, type Expectation } from './field-rules';
import { requestMutations } from './http-mutations';
import { type HttpInput, type RequestParts, toHttpInput } from './http-request';
import type { FuzzTargets, RouteSpec } from './routes';

/** The valid request a mutation starts from: JSON body, a fresh Idempotency-Key where one is needed. */
function baseRequest(
  route: RouteSpec,
  valid: Omit<RequestParts, 'method' | 'template' | 'headers'>,
  key: string,
): RequestParts {
  const headers: Array<[string, string]> = [];
  if (route.body) headers.push(['Content-Type', 'application/json']);
  if (route.idempotent) headers.push(['Idempotency-Key', `fz-${key}`]);
  return { method: route.method, template: route.template, headers, ...valid };
}

/**
 * At most one mutation of the body and one of the rest (headers, path, query, method), never two of
 * one kind: a second could undo the first (drop the field the first broke, set the header the first
 * removed), and the expectation would be wrong.
 */
function mutated(route: RouteSpec, parts: RequestParts, body?: Mutation, request?: Mutation): HttpInput {
  let expect: Expectation = 'good';
  const labels: string[] = [];
  for (const mutation of [body, request]) {
    if (!mutation) continue;
    const result = mutation(parts);
    parts = result.parts;
    expect = result.decides ? result.expect : combine(expect, result.expect);
    labels.push(result.label);
  }
  return toHttpInput(route.name, parts, expect, labels.join(' + ') || 'valid');
}

/**
 * Requests to `route`, most of them hostile, about one in eight valid: the valid ones interleaved
 * with the rest are what shows that bad input does not stop good input.
 */
export function hostileRequests(route: RouteSpec, targets: FuzzTargets): fc.Arbitrary<HttpInput> {
  const base = fc
    .tuple(route.valid(targets), fc.uuid())
    .map(([valid, key]) => baseRequest(route, valid, key));
  const request = requestMutations(route);
  const none = fc.constant(undefined);
  const plan = route.body
    ? fc.oneof(
        { weight: 2, arbitrary: fc.tuple(none, none) },
        { weight: 7, arbitrary: fc.tuple(bodyMutations(route.body), none) },
        { weight: 5, arbitrary: fc.tuple(none, request) },
        { weight: 2, arbitrary: fc.tuple(bodyMutations(route.body), request) },
      )
    : fc.oneof(
        { weight: 1, arbitrary: fc.tuple(none, none) },
        { weight: 6, arbitrary: fc.tuple(none, request) },
      );
  return fc.tuple(base, plan).map(([parts, [body, req]]) => mutated(route, parts, body, req));
}
