import fc from 'fast-check';
import { hostileRequests } from './hostile-request';
import { FuzzHttpClient } from './http-client';
import { checkAnswer, outcomeKey } from './http-invariants';
import { curlFor, type HttpInput } from './http-request';
import type { PlantUnderFuzz } from './plant-under-fuzz';
import type { RouteSpec, ServiceName } from './routes';

/** A breach with what reproduces it. */
export interface Example {
  rule: string;
  detail: string;
  input: string;
  reproduce: string;
}

export interface RouteRow {
  route: string;
  service: ServiceName;
  inputs: number;
  /** Answers by status code, plus `timeout` and `conn-error`. */
  statuses: Record<string, number>;
  /** Inputs by what they should get: valid, to refuse, either. */
  expected: Record<string, number>;
  breaches: Record<string, number>;
  examples: Example[];
  seconds: number;
}

const EXAMPLES_PER_RULE = 3;
/** A service that stopped answering would otherwise take 10 s per remaining input to say so. */
const GIVE_UP_AFTER_TIMEOUTS = 32;
/** Inputs are generated this many at a time, so a run never holds thousands of 1 MiB bodies at once. */
const CHUNK = 256;

/** A seed of its own per route or subject, so running only some of them gives the same inputs. */
export function seedFor(seed: number, name: string): number {
  let h = seed | 0;
  for (const c of name) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}

/** Samples `runs` values of `arbitrary` for `seed`, chunk by chunk. */
export function* sampled<T>(arbitrary: fc.Arbitrary<T>, seed: number, runs: number): Generator<T> {
  for (let done = 0, chunk = 0; done < runs; done += CHUNK, chunk++) {
    yield* fc.sample(arbitrary, { seed: seed + chunk, numRuns: Math.min(CHUNK, runs - done) });
  }
}

export class Tally<T extends { rule: string }> {
  readonly counts: Record<string, number> = {};
  readonly examples: T[] = [];

  add(breach: T): void {
    this.counts[breach.rule] = (this.counts[breach.rule] ?? 0) + 1;
    if (this.examples.filter((e) => e.rule === breach.rule).length < EXAMPLES_PER_RULE)
      this.examples.push(breach);
  }
}

const bump = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

/** Sends `runs` hostile requests to `route`, `concurrency` at a time, and checks every answer. */
export async function runRoute(
  plant: PlantUnderFuzz,
  route: RouteSpec,
  runs: number,
  seed: number,
  concurrency = 16,
): Promise<RouteRow> {
  const started = performance.now();
  const client = new FuzzHttpClient(plant.urls[route.service], concurrency, plant.authorization);
  const row: RouteRow = {
    route: route.name,
    service: route.service,
    inputs: 0,
    statuses: {},
    expected: {},
    breaches: {},
    examples: [],
    seconds: 0,
  };
  const tally = new Tally<Example>();
  const inputs = sampled(hostileRequests(route, plant.targets), seedFor(seed, route.name), runs);
  let timeoutsInARow = 0;
  const send = async (input: HttpInput) => {
    const outcome = await client.send(input);
    timeoutsInARow = outcome.kind === 'timeout' ? timeoutsInARow + 1 : 0;
    row.inputs++;
    bump(row.statuses, outcomeKey(outcome));
    bump(row.expected, input.expect);
    const breach = checkAnswer(input, outcome);
    if (breach) tally.add({ ...breach, input: input.label, reproduce: curlFor(input, client.baseUrl, true) });
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (
        let next = inputs.next();
        !next.done && timeoutsInARow < GIVE_UP_AFTER_TIMEOUTS;
        next = inputs.next()
      )
        await send(next.value);
    }),
  );
  client.close();
  if (timeoutsInARow >= GIVE_UP_AFTER_TIMEOUTS) {
    const detail = `${GIVE_UP_AFTER_TIMEOUTS} requests in a row got no answer; the route's run was cut short`;
    tally.add({ rule: 'service stopped answering', detail, input: '', reproduce: '' });
  }
  return {
    ...row,
    breaches: tally.counts,
    examples: tally.examples,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}
