import type { PlantUnderFuzz } from './plant-under-fuzz';
import { until } from './until';
import type { LivenessReport } from './probes';
import type { ServiceName } from './routes';
import { deadLetters } from './run-subject';
import { consumerOf, SUBJECTS } from './subjects';

export interface PlantCheck {
  check: string;
  ok: boolean;
  detail: string;
}

const OPEN_STATES = ['pending', 'in-flight', 'in-doubt'];

/** Every confirmation the service accepted reached ERP or the exception queue: none is stuck in between. */
async function postingsSettled(plant: PlantUnderFuzz): Promise<PlantCheck> {
  const open = (postings: Record<string, number>) => OPEN_STATES.reduce((n, s) => n + (postings[s] ?? 0), 0);
  let postings = await plant.postings(); // a service that does not answer fails the check here, at once
  await until(
    'postings to settle',
    async () => open((postings = await plant.postings())) === 0,
    60_000,
  ).catch(() => undefined);
  const stuck = (await plant.get('orders', `/v1/plants/${plant.plant}/erp-postings?state=pending`)) as Array<{
    postingKey: string;
    reference: string;
    lastError?: string;
  }>;
  const sample = stuck
    .slice(0, 3)
    .map((p) => `${p.reference} ${p.postingKey}${p.lastError ? `: ${p.lastError}` : ''}`);
  return {
    check: 'every accepted confirmation reached ERP or the exception queue',
    ok: open(postings) === 0,
    detail: `${JSON.stringify(postings)}${sample.length ? `; stuck e.g. ${sample.join('; ')}` : ''}`,
  };
}

/** ERP holds no confirmation twice. */
async function exactlyOnce(plant: PlantUnderFuzz): Promise<PlantCheck> {
  const counts = await plant.erp.holdings();
  const twice = [...counts].filter(([, n]) => n > 1);
  return {
    check: 'ERP holds each confirmation once',
    ok: twice.length === 0,
    detail: `${counts.size} in ERP, ${twice.length} more than once`,
  };
}

/**
 * Dead letters of events the fuzzer did not publish: the service published something its own
 * consumer refuses (issue 25, defect 1: a request accepted whose event is then dead-lettered).
 */
async function ownEventsDeadLettered(
  plant: PlantUnderFuzz,
  fuzzed: Map<string, Set<number>>,
): Promise<PlantCheck> {
  const own: string[] = [];
  for (const spec of SUBJECTS) {
    const { stream, durable } = consumerOf(spec, plant.plant);
    for (const [seq, letter] of await deadLetters(plant.connection, stream, durable)) {
      if (!fuzzed.get(stream)?.has(seq)) own.push(`${letter.subject}#${seq}: ${letter.reason.slice(0, 200)}`);
    }
  }
  return {
    check: 'no event the services published is dead-lettered',
    ok: own.length === 0,
    detail: own.length ? `${own.length}, e.g. ${own.slice(0, 2).join(' | ')}` : 'none',
  };
}

export function livenessCheck(
  service: ServiceName,
  report: LivenessReport,
  pid: number,
  alive: boolean,
): PlantCheck {
  return {
    check: `${service}: /health/live answered throughout`,
    ok: report.failures === 0 && alive,
    detail: `${report.probes} probes, ${report.failures} failed, slowest ${report.slowestMs} ms${alive ? '' : `; process ${pid} exited`}${report.firstFailure ? `; first: ${report.firstFailure}` : ''}`,
  };
}

/** A check that could not even run (the service stopped answering) fails with the reason. */
async function guarded(check: string, run: () => Promise<PlantCheck>): Promise<PlantCheck> {
  return run().catch((error: unknown) => ({
    check,
    ok: false,
    detail: `could not check: ${(error as Error).message}`,
  }));
}

export async function plantChecks(
  plant: PlantUnderFuzz,
  fuzzed: Map<string, Set<number>>,
): Promise<PlantCheck[]> {
  return [
    await guarded('every accepted confirmation reached ERP or the exception queue', () =>
      postingsSettled(plant),
    ),
    await guarded('ERP holds each confirmation once', () => exactlyOnce(plant)),
    await guarded('no event the services published is dead-lettered', () =>
      ownEventsDeadLettered(plant, fuzzed),
    ),
  ];
}
