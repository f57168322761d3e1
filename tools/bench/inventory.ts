import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { BenchRun, waitUntil } from './lib/bench-run';
import { type ConfirmationService, startConfirmations } from './lib/confirmations';
import { HttpLoad } from './lib/http-load';
import { machine, progress, table, writeResult } from './lib/report';
import { round } from './lib/stats';
import { overloadVerdict, type Step, SteppedLoad, type StepPlan, stepsTable } from './lib/stepped-load';

const HELP = `npm run bench:inventory -- [options]

Drives MES goods movements (261, an issue of one piece to a production order) over HTTP into
inventory-movement at increasing rates, each posted to the ERP simulator (its own process) as a SAP
material document of its own, in order per plant and material (one lane per material: the load
spreads over --materials materials, each the component of an order of its own). In the same run,
bench:orders' confirmation path (production-order-sync, confirmations in OData $batches) at the same
rates: the two take turns, a confirmation step and then a movement step at each rate, so that the
machine's drift falls on both alike. Measures for both: accepted/s, POST p50/p99, posted to ERP per second,
POST-to-ERP-committed p50/p99, postings ERP holds twice, the service's CPU and peak memory; and past
the rate that saturated, at 2× and 3× it, posted/s against the run's peak and the 503s (with
Retry-After) of admission control. Reports issue 18's ratios: movements accepted/s ÷ confirmations
accepted/s and movements posted/s ÷ confirmations posted/s (peaks of the run; targets ≥ 0.8), and
posting at 2× and 3× ≥ 0.9 of its peak. Every request carries a bearer token the service verifies
(AUTH_MODE=jwt; the rate limit is off: the load is one client). Prints tables and writes
bench/results/inventory-<time>.json (and inventory-latest.json).

Options:
  --rates <list>          offered requests/s, comma separated (default 200,400,600,800,1000,1500,2000)
  --step-seconds <n>      seconds per rate (default 8)
  --materials <n>         materials the movements spread over, one order each (default 50); the
                          confirmations spread over as many orders
  --db <kind>             sqlite (the embedded default) or postgres (a schema of its own per service
                          in TEST_DATABASE_URL, default the test database)
  --max-in-flight <n>     ERP_MAX_IN_FLIGHT of both services (default 32)
  --until-saturation      stop at the rate that saturated (no 2× and 3× steps)
  --without-confirmations measure the movements only (no ratios; for a profile)
  --nats <url>            NATS with JetStream (default NATS_URL or nats://127.0.0.1:4222)
  -h, --help              this text

Environment: BENCH_PROFILE_DIR=<dir> writes a V8 CPU profile of inventory-movement there (open in
Chrome DevTools).
`;

const TARGETS = { acceptedRatio: 0.8, postedRatio: 0.8, overloadPostedRatioToPeak: 0.9 };

interface Options extends StepPlan {
  materials: number;
  db: string;
  maxInFlight: number;
  nats: string;
}

/** SAP's plants have 4 characters, and material documents carry the plant. */
const plantCode = () =>
  `V${randomBytes(3).toString('base64url').replace(/[-_]/g, 'X').slice(0, 3).toUpperCase()}`;

interface MovementService {
  load: SteppedLoad;
  /** Whether MES reads the last movement accepted as `posted` (once ERP holds every posting). */
  lastReadsPosted(): Promise<boolean | null>;
  close(): Promise<void>;
}

/**
 * Goods movements into inventory-movement at rising rates (see SteppedLoad): the simulator gets
 * the materials, their opening stock and one order per material through its control API first.
 * Resolves after the warm-up, ready for the load's steps.
 */
async function startMovements(o: Options): Promise<MovementService> {
  const run = new BenchRun(plantCode(), o.nats, 'inventory');
  const { plant } = run;
  try {
    const erp = await run.startErp();
    const materials = Array.from({ length: o.materials }, (_, i) => `BM-${String(i + 1).padStart(4, '0')}`);
    const orders: string[] = [];
    for (const material of materials) {
      const definition = { material, plant, baseUnit: 'PC', batchManaged: false, storageLocations: ['0001'] };
      await control(erp.control, 'POST', '/__sim/materials', definition);
      const order = await control(erp.control, 'POST', '/__sim/orders', {
        plant,
        quantity: 100_000_000,
        operations: 1,
        components: [{ material, quantityPerUnit: 1, unit: 'PC', operation: '0010' }],
      });
      orders.push((order as { ManufacturingOrder: string }).ManufacturingOrder);
    }
    const positions = materials.map((material) => ({
      material,
      plant,
      storageLocation: '0001',
      quantity: 1e9,
    }));
    await control(erp.control, 'PUT', '/__sim/stock', { positions });

    const {
      process: service,
      port,
      mes,
    } = await run.startService({
      entry: 'apps/inventory-movement/src/main.ts',
      db: o.db,
      erpUrl: erp.url,
      env: {
        ERP_MAX_IN_FLIGHT: String(o.maxInFlight),
        // The simulator commits before it answers.
        ERP_REQUEST_LIMIT_MS: '2000',
        // Not during the measurement (its default is every 15 minutes).
        STOCK_RECONCILE_EVERY_MS: '0',
      },
      profile: true,
    });
    progress(`inventory-movement on :${port} (${o.db}, ERP_MAX_IN_FLIGHT ${o.maxInFlight}, plant ${plant})`);
    await waitUntil(
      async () => (await mes.call({ method: 'GET', path: '/health/ready' })).status === 200,
      60_000,
    );
    const path = `/v1/plants/${plant}/material-movements`;
    const occurredAt = new Date().toISOString();
    const body = (i: number) =>
      JSON.stringify({
        movementType: '261',
        material: materials[i % materials.length],
        quantity: 1,
        unit: 'PC',
        storageLocation: '0001',
        manufacturingOrder: orders[i % orders.length],
        occurredAt,
      });
    const load = await SteppedLoad.start({
      noun: 'movements',
      plan: o,
      mes,
      post: (i) => ({ path, body: body(i) }),
      keyOf: (answer) => (JSON.parse(answer) as { movementId: string }).movementId,
      readPostings: async (from) => {
        const page = (await control(erp.control, 'GET', `/__sim/material-documents?from=${from}`)) as {
          documents: Array<{
            to_MaterialDocumentItem: { results: Array<{ MaterialDocumentItemText: string }> };
          }>;
          committedAt: number[];
        };
        // The posting key is in the item text: PB:<movement id>.
        return page.documents.map((d, i) => ({
          key: d.to_MaterialDocumentItem.results[0].MaterialDocumentItemText.replace(/^PB:/, ''),
          committedAt: page.committedAt[i],
        }));
      },
      servicePid: service.pid,
      erpPid: erp.pid,
    });
    const close = async () => {
      mes.close();
      erp.control.close();
      await run.close();
    };
    return { load, close, lastReadsPosted: () => lastReadsPosted(mes, path, load.steps) };
  } catch (error) {
    await run.close();
    throw error;
  }
}

/** A control call to the simulator; its JSON answer, or a throw unless 2xx. */
async function control(http: HttpLoad, method: 'GET' | 'POST' | 'PUT', path: string, body?: object) {
  const answer = await http.call({ method, path, body: body && JSON.stringify(body) });
  if (answer.status < 200 || answer.status >= 300)
    throw new Error(`${method} ${path}: ${answer.status} ${answer.body.slice(0, 300)}`);
  return JSON.parse(answer.body) as unknown;
}

/** What MES reads back of the last movement accepted, once ERP holds every posting (else null). */
async function lastReadsPosted(mes: HttpLoad, path: string, steps: Step[]): Promise<boolean | null> {
  if (steps.some((s) => s.postedInErp !== s.accepted)) return null;
  const list = await mes.call({ method: 'GET', path: `${path}?limit=1` });
  const [last] = JSON.parse(list.body) as Array<{ movementId: string }>;
  const view = await mes.call({ method: 'GET', path: `${path}/${last.movementId}` });
  const { status } = JSON.parse(view.body) as { status: string };
  if (status !== 'posted') progress(`  the last movement accepted reads ${status}, not posted`);
  return status === 'posted';
}

/** The highest accepted/s and posted/s of a run's steps. */
const peaks = (steps: Step[]) => ({
  acceptedPerSecond: Math.max(...steps.map((s) => s.acceptedPerSecond)),
  postedPerSecond: Math.max(...steps.map((s) => s.postedPerSecond)),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rates: { type: 'string', default: '200,400,600,800,1000,1500,2000' },
      'step-seconds': { type: 'string', default: '8' },
      materials: { type: 'string', default: '50' },
      db: { type: 'string', default: 'sqlite' },
      'max-in-flight': { type: 'string', default: '32' },
      'until-saturation': { type: 'boolean', default: false },
      'without-confirmations': { type: 'boolean', default: false },
      nats: { type: 'string', default: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(HELP);
  const options: Options = {
    rates: values.rates.split(',').map(Number),
    stepMs: Number(values['step-seconds']) * 1000,
    materials: Number(values.materials),
    db: values.db,
    maxInFlight: Number(values['max-in-flight']),
    overload: !values['until-saturation'],
    nats: values.nats,
  };
  // The two services take turns, step by step at the same offered rate, so that the machine's
  // drift (and whatever else runs on it) falls on both alike.
  let confirmations: ConfirmationService | undefined;
  let movements: MovementService | undefined;
  let lastPosted: boolean | null = null;
  try {
    if (!values['without-confirmations']) {
      progress('confirmations: production-order-sync (bench:orders)');
      confirmations = await startConfirmations({
        ...options,
        orders: options.materials,
        batchSize: 50,
        erpLatencyMs: 0,
        profile: false,
      });
    }
    progress('goods movements: inventory-movement');
    movements = await startMovements(options);
    while (!(confirmations?.load.done ?? true) || !movements.load.done) {
      if (confirmations && !confirmations.load.done) await confirmations.load.next();
      if (!movements.load.done) await movements.load.next();
    }
    lastPosted = await movements.lastReadsPosted();
  } finally {
    await movements?.close();
    await confirmations?.close();
  }
  report(options, movements.load, confirmations?.load, lastPosted);
}

/** The result file and the printed tables, with issue 18's ratios and the overload verdict. */
function report(
  options: Options,
  movements: SteppedLoad,
  confirmations: SteppedLoad | undefined,
  lastReadsPosted: boolean | null,
): void {
  const confirmationPeaks = confirmations && peaks(confirmations.steps);
  const movementPeaks = peaks(movements.steps);
  const ratio = (a: number, b?: number) => (b ? round(a / b, 2) : null);
  // A load that never saturated took all it was offered: its peaks are the top rate, not a capacity.
  const capacities = movements.saturatedAt !== undefined && confirmations?.saturatedAt !== undefined;
  const ratios = {
    acceptedPerSecond: ratio(movementPeaks.acceptedPerSecond, confirmationPeaks?.acceptedPerSecond),
    postedPerSecond: ratio(movementPeaks.postedPerSecond, confirmationPeaks?.postedPerSecond),
  };
  const verdictOf = (load: SteppedLoad) =>
    overloadVerdict(load.steps, options.overload ? load.saturatedAt : undefined);
  const overload = verdictOf(movements);
  const keptPeak = (at: number | null | undefined) => at != null && at >= TARGETS.overloadPostedRatioToPeak;
  const result = {
    benchmark: 'inventory',
    measuredAt: new Date().toISOString(),
    machine: machine(),
    settings: {
      database: options.db,
      erpMaxInFlight: options.maxInFlight,
      materials: options.materials,
      confirmationOrders: options.materials,
      confirmationBatchSize: 50,
      stepSeconds: options.stepMs / 1000,
      movementType: '261',
      takingTurns: 'a confirmation step, then a movement step at the same offered rate',
    },
    movements: { steps: movements.steps, peaks: movementPeaks, overload, lastReadsPosted },
    confirmations: confirmations && {
      steps: confirmations.steps,
      peaks: confirmationPeaks,
      overload: verdictOf(confirmations),
    },
    ratios: { ...ratios, bothSaturated: capacities },
    targets: TARGETS,
    verdict: {
      acceptedRatioMet:
        capacities && ratios.acceptedPerSecond !== null && ratios.acceptedPerSecond >= TARGETS.acceptedRatio,
      postedRatioMet:
        capacities && ratios.postedPerSecond !== null && ratios.postedPerSecond >= TARGETS.postedRatio,
      overloadMet:
        !!overload &&
        keptPeak(overload.postedAt2xRatioToPeak) &&
        keptPeak(overload.postedAt3xRatioToPeak) &&
        (overload.refusedAt2x ?? 0) > 0 &&
        (overload.refusedAt3x ?? 0) > 0,
      duplicatesInErp: movements.steps.reduce((sum, s) => sum + s.duplicatesInErp, 0),
    },
  };
  const file = writeResult('inventory', result);
  const overloadLine = (load: SteppedLoad) => {
    const o = verdictOf(load);
    if (o)
      return (
        `saturated at ${o.saturatedAtPerSecond}/s, peak ${o.peakPostedPerSecond} posted/s; at 2× ${o.postedAt2xRatioToPeak} of it ` +
        `(${o.refusedAt2x} answered 503), at 3× ${o.postedAt3xRatioToPeak} (${o.refusedAt3x} answered 503)`
      );
    return load.saturatedAt ? `saturated at ${load.saturatedAt}/s (no 2× and 3× steps)` : 'did not saturate';
  };
  const met = (yes: boolean) => (yes ? 'met' : 'NOT met');
  process.stdout.write(
    `\n${machine().cpus} cores, ${options.db}, ERP_MAX_IN_FLIGHT ${options.maxInFlight}, ERP simulator answering at once\n` +
      (confirmations
        ? `\nconfirmations: production-order-sync, ${options.materials} orders, ERP_BATCH_SIZE 50\n\n${stepsTable(confirmations.steps)}\n` +
          `overload: ${overloadLine(confirmations)}\n`
        : '') +
      `\nmovements: inventory-movement, ${options.materials} materials (lanes), one material document each\n\n${stepsTable(movements.steps)}\n` +
      `overload: ${overloadLine(movements)}\n` +
      (confirmationPeaks
        ? `\n${table(
            ['peak of the run', 'confirmations', 'movements', 'ratio', 'target'],
            [
              [
                'accepted/s',
                confirmationPeaks.acceptedPerSecond,
                movementPeaks.acceptedPerSecond,
                ratios.acceptedPerSecond ?? '-',
                `≥ ${TARGETS.acceptedRatio}`,
              ],
              [
                'posted/s',
                confirmationPeaks.postedPerSecond,
                movementPeaks.postedPerSecond,
                ratios.postedPerSecond ?? '-',
                `≥ ${TARGETS.postedRatio}`,
              ],
            ],
          )}\n` +
          (capacities
            ? ''
            : 'a load did not saturate: its peaks are what it was offered, not what it can take\n') +
          `\ntargets: accepted ratio ${met(result.verdict.acceptedRatioMet)}, posted ratio ${met(result.verdict.postedRatioMet)}; `
        : '\ntargets: ') +
      `posting at 2× and 3× ≥ ${TARGETS.overloadPostedRatioToPeak} of its peak, with 503s: ${met(result.verdict.overloadMet)}; ` +
      `${result.verdict.duplicatesInErp} movements in ERP twice; the last one reads ${lastReadsPosted === null ? 'unknown (not all posted)' : lastReadsPosted ? 'posted' : 'NOT posted'}\n` +
      `written to ${file}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:inventory failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
