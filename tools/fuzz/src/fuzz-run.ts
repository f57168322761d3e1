import { heapUsedMb, memoryAfterRun, memoryCheck, type MemoryReading } from './memory';
import { livenessCheck, type PlantCheck, plantChecks } from './plant-checks';
import { PlantUnderFuzz } from './plant-under-fuzz';
import { until } from './until';
import { LivenessProbe, type LivenessReport, memoryMb } from './probes';
import { ROUTES, type RouteSpec, type ServiceName } from './routes';
import { type RouteRow, runRoute } from './run-route';
import { runSubject, type SettleOptions, type SubjectRow } from './run-subject';
import { consumerOf, SUBJECTS, type SubjectSpec } from './subjects';

export interface FuzzOptions {
  seed: number;
  /** Inputs per route, and per subject unless `eventRuns` says otherwise. */
  runs: number;
  eventRuns?: number;
  routes?: RouteSpec[];
  subjects?: SubjectSpec[];
  settle: SettleOptions;
  /** Quiet time before memory is read, after the warm-up and after the run. */
  quietMs: number;
  log?: (message: string) => void;
}

export interface FuzzResult {
  seed: number;
  runs: number;
  eventRuns: number;
  plant: string;
  routes: RouteRow[];
  subjects: Array<Omit<SubjectRow, 'sequences'>>;
  checks: PlantCheck[];
  memory: Record<string, MemoryReading>;
  liveness: Record<string, LivenessReport>;
  ok: boolean;
  seconds: number;
  /** Where the services' logs are kept when something failed. */
  logs?: string;
}

const SERVICES: ServiceName[] = ['orders', 'edge'];
/**
 * Inputs per route before the memory baseline is read: enough for V8's young generation to grow to
 * its size under load (production-order-sync runs with 64 MB semi-spaces), which a baseline taken
 * on a fresh process would count as growth.
 */
const WARM_UP_RUNS = 150;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until every posting is settled, then `quietMs` more, so the process can collect its garbage. */
async function quiet(plant: PlantUnderFuzz, quietMs: number): Promise<void> {
  // A service that does not answer has nothing to settle that waiting would help.
  const settled = async () => {
    const p = await plant.postings().catch(() => ({}) as Record<string, number>);
    return !p.pending && !p['in-flight'] && !p['in-doubt'];
  };
  await until('postings to settle', settled, 60_000).catch(() => undefined);
  await sleep(quietMs);
}

/**
 * One fuzz run against a fresh plant: a warm-up (so the memory baseline includes what a service
 * allocates once: JIT code, pools, caches), every route, every subject, then the plant-wide
 * checks. Never throws for a broken invariant: the result says what broke.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const routes = options.routes ?? ROUTES;
  const subjects = options.subjects ?? SUBJECTS;
  const plant = new PlantUnderFuzz(log);
  // Stopped from outside, the run still stops its services and simulators rather than orphan them.
  const interrupted = () => void plant.stop().finally(() => process.exit(143));
  process.once('SIGTERM', interrupted).once('SIGINT', interrupted);
  let result: FuzzResult | undefined;
  try {
    await plant.start();
    log('warm-up');
    for (const route of routes) await runRoute(plant, route, WARM_UP_RUNS, options.seed + 1);
    await quiet(plant, options.quietMs);
    const baseline: Record<string, { rss: number; heap?: number }> = {};
    for (const s of SERVICES)
      baseline[s] = {
        rss: memoryMb(plant.services[s].pid).rss,
        heap: await heapUsedMb(plant.urls[s], plant.authorization),
      };
    const probes = Object.fromEntries(SERVICES.map((s) => [s, new LivenessProbe(plant.urls[s])])) as Record<
      ServiceName,
      LivenessProbe
    >;
    Object.values(probes).forEach((p) => p.start());

    const routeRows: RouteRow[] = [];
    // Once a service stopped answering, its other routes would only time out one by one.
    const silent = new Set<ServiceName>();
    for (const route of routes) {
      const runs = silent.has(route.service) ? 0 : options.runs;
      const row = await runRoute(plant, route, runs, options.seed);
      if (runs === 0) row.breaches['not run: the service had stopped answering'] = 1;
      if (row.breaches['service stopped answering']) silent.add(route.service);
      routeRows.push(row);
      log(`${route.name}: ${row.inputs} inputs in ${row.seconds} s`);
    }
    const subjectRows: SubjectRow[] = [];
    const fuzzed = new Map<string, Set<number>>();
    for (const spec of subjects) {
      const row = await runSubject(
        plant,
        spec,
        options.eventRuns ?? options.runs,
        options.seed,
        options.settle,
      );
      subjectRows.push(row);
      const { stream } = consumerOf(spec, plant.plant);
      fuzzed.set(stream, new Set([...(fuzzed.get(stream) ?? []), ...row.sequences]));
      log(`${spec.name}: ${row.inputs} events in ${row.seconds} s`);
    }

    const checks = await plantChecks(plant, fuzzed);
    await quiet(plant, options.quietMs);
    const liveness: Record<string, LivenessReport> = {};
    const memory: Record<string, MemoryReading> = {};
    for (const service of SERVICES) {
      liveness[service] = await probes[service].stop();
      memory[service] = await memoryAfterRun(
        plant.services[service].pid,
        plant.urls[service],
        baseline[service],
        plant.authorization,
      );
      const alive = plant.services[service].child.exitCode === null;
      checks.push(
        livenessCheck(service, liveness[service], plant.services[service].pid, alive),
        memoryCheck(service, memory[service]),
      );
    }
    const breaches = [...routeRows, ...subjectRows].reduce(
      (n, r) => n + Object.values(r.breaches).reduce((a, b) => a + b, 0),
      0,
    );
    result = {
      seed: options.seed,
      runs: options.runs,
      eventRuns: options.eventRuns ?? options.runs,
      plant: plant.plant,
      routes: routeRows,
      subjects: subjectRows.map(({ sequences: _, ...row }) => row),
      checks,
      memory,
      liveness,
      ok: breaches === 0 && checks.every((c) => c.ok),
      seconds: 0,
    };
    return result;
  } finally {
    process.off('SIGTERM', interrupted).off('SIGINT', interrupted);
    const logs = await plant.stop(!result?.ok).catch(() => undefined);
    if (result) Object.assign(result, { logs, seconds: Math.round((performance.now() - started) / 1000) });
  }
}
