import { parseArgs } from 'node:util';
import { freePort, ServiceProcess } from '@plantbridge/testing';
import { confirmationBody, startConfirmations } from './lib/confirmations';
import { HttpLoad } from './lib/http-load';
import { confirmationPublishCeiling } from './lib/jetstream-ceiling';
import { machine, progress, writeResult } from './lib/report';
import { round } from './lib/stats';
import { overloadVerdict, stepsTable } from './lib/stepped-load';

const HELP = `npm run bench:orders -- [options]

Drives MES confirmations over HTTP into production-order-sync at increasing rates, with the ERP
simulator answering at once (or after --erp-latency), and measures in one run: accepted
confirmations/s, POST latency, confirmations posted to ERP per second, POST-to-ERP-posted latency,
the service's CPU and peak memory, the whole machine's CPU (the service shares it with NATS, the ERP
simulator and the load generator), and this machine's raw ceilings (an empty NestJS endpoint,
JetStream publish with acks outstanding). Every request carries a bearer token that the service
verifies, as in production (AUTH_MODE=jwt; the rate limit is off: the load is one client); the
empty endpoint verifies none. Prints a table and writes bench/results/orders-<time>.json (and
orders-latest.json); with --erp-latency, orders-slow-erp-*.

Options:
  --rates <list>        offered confirmations/s, comma separated (default 250,500,750,1000,1250,1500,2000,3000)
  --step-seconds <n>    seconds per rate (default 10)
  --orders <n>          orders the confirmations spread over (default 50)
  --db <kind>           sqlite (the embedded default) or postgres (a schema of its own in TEST_DATABASE_URL, default the test database)
  --max-in-flight <n>   ERP_MAX_IN_FLIGHT of the service (default 32)
  --batch-size <n>      ERP_BATCH_SIZE of the service: confirmations per OData $batch (default 50; 1 = a POST each)
  --overload            go on past the rate that saturated, at 2× and 3× it: posted/s there against
                        the run's peak (with admission control the service answers 503 instead)
  --erp-latency <ms>    the ERP simulator answers every request this much later (default 0: at once); the
                        table's posted/s then meets the bound ERP_MAX_IN_FLIGHT × ERP_BATCH_SIZE ÷ latency,
                        or --orders ÷ latency (an operation's confirmations go one after another)
  --nats <url>          NATS with JetStream (default NATS_URL or nats://127.0.0.1:4222)
  -h, --help            this text

Environment: BENCH_PROFILE_DIR=<dir> writes a V8 CPU profile of the service there (open in Chrome DevTools).
`;

const TARGETS = { acceptedPerSecond: 2000, postP99Ms: 20, e2eRate: 1000, e2eP99Ms: 50 };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rates: { type: 'string', default: '250,500,750,1000,1250,1500,2000,3000' },
      'step-seconds': { type: 'string', default: '10' },
      orders: { type: 'string', default: '50' },
      db: { type: 'string', default: 'sqlite' },
      'max-in-flight': { type: 'string', default: '32' },
      'batch-size': { type: 'string', default: '50' },
      'erp-latency': { type: 'string', default: '0' },
      overload: { type: 'boolean', default: false },
      nats: { type: 'string', default: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(HELP);
  const stepMs = Number(values['step-seconds']) * 1000;
  const orderCount = Number(values.orders);
  const erpLatencyMs = Number(values['erp-latency']);
  // A slow-ERP run has results of its own, so it does not stand in for the main run's.
  const resultName = erpLatencyMs ? 'orders-slow-erp' : values.overload ? 'orders-overload' : 'orders';
  const run = await startConfirmations({
    rates: values.rates.split(',').map(Number),
    stepMs,
    orders: orderCount,
    db: values.db,
    maxInFlight: Number(values['max-in-flight']),
    batchSize: Number(values['batch-size']),
    erpLatencyMs,
    overload: values.overload,
    nats: values.nats,
    profile: true,
  });
  const { steps, saturatedAt } = await run.load.run().finally(() => run.close());
  const { postingBound } = run;
  const emptyCeiling = await emptyNestCeiling(confirmationBody());
  const jetstream = await confirmationPublishCeiling(values.nats, run.plant);

  const atE2eRate = steps.find((s) => s.offeredPerSecond === TARGETS.e2eRate);
  const best = steps
    .filter((s) => s.postP99Ms <= TARGETS.postP99Ms)
    .sort((a, b) => b.acceptedPerSecond - a.acceptedPerSecond)[0];
  const result = {
    benchmark: resultName,
    measuredAt: new Date().toISOString(),
    machine: machine(),
    settings: {
      database: values.db,
      erpMaxInFlight: Number(values['max-in-flight']),
      erpBatchSize: Number(values['batch-size']),
      erpLatencyMs,
      postingBoundPerSecond: postingBound === null ? null : round(postingBound, 0),
      orders: orderCount,
      stepSeconds: stepMs / 1000,
    },
    ceilings: {
      emptyNestEndpointPerSecond: round(emptyCeiling.perSecond, 0),
      emptyNestEndpointP99Ms: round(emptyCeiling.p99),
      jetStreamPublishPerSecond: round(jetstream, 0),
    },
    steps,
    overload: overloadVerdict(steps, values.overload ? saturatedAt : undefined),
    targets: TARGETS,
    verdict: {
      bestAcceptedPerSecondWithinPostP99Target: best?.acceptedPerSecond ?? 0,
      acceptedTargetMet: (best?.acceptedPerSecond ?? 0) >= TARGETS.acceptedPerSecond * 0.98,
      e2eP99AtTargetRateMs: atE2eRate?.e2eP99Ms ?? null,
      e2eTargetMet: atE2eRate ? atE2eRate.e2eP99Ms <= TARGETS.e2eP99Ms : false,
      ratioToEmptyNest: best ? round(best.acceptedPerSecond / emptyCeiling.perSecond, 2) : 0,
    },
  };
  const file = writeResult(resultName, result);
  if (result.overload)
    progress(
      `overload: saturated at ${result.overload.saturatedAtPerSecond}/s, peak ${result.overload.peakPostedPerSecond} posted/s; ` +
        `at 2× ${result.overload.postedAt2xRatioToPeak} of it (${result.overload.refusedAt2x} refused), ` +
        `at 3× ${result.overload.postedAt3xRatioToPeak} (${result.overload.refusedAt3x} refused)`,
    );
  process.stdout.write(
    `\nproduction-order-sync on ${values.db}, ERP_MAX_IN_FLIGHT ${values['max-in-flight']}, ERP_BATCH_SIZE ${values['batch-size']}, ${machine().cpus} cores\n` +
      (postingBound === null
        ? 'ERP simulator answering at once\n\n'
        : `ERP simulator answering after ${erpLatencyMs} ms: posting bound ${values['max-in-flight']} × ${values['batch-size']} ÷ ${erpLatencyMs} ms = ${round(run.slotsBound, 0)}/s, ` +
          `and one per operation at a time: ${orderCount} ÷ ${erpLatencyMs} ms = ${round(run.operationsBound, 0)}/s\n\n`) +
      stepsTable(steps) +
      `\n\nceilings (same run): empty NestJS endpoint ${result.ceilings.emptyNestEndpointPerSecond} req/s (p99 ${result.ceilings.emptyNestEndpointP99Ms} ms); ` +
      `JetStream publish ${result.ceilings.jetStreamPublishPerSecond} msgs/s\n` +
      `targets: ≥ ${TARGETS.acceptedPerSecond}/s with POST p99 ≤ ${TARGETS.postP99Ms} ms -> best ${result.verdict.bestAcceptedPerSecondWithinPostP99Target}/s ` +
      `(${result.verdict.ratioToEmptyNest} of the empty endpoint); POST→ERP p99 ≤ ${TARGETS.e2eP99Ms} ms at ${TARGETS.e2eRate}/s -> ${result.verdict.e2eP99AtTargetRateMs} ms\n` +
      `written to ${file}\n`,
  );
}

/** Requests/s of an empty NestJS endpoint taking `body`, 64 connections for 5 s: the HTTP ceiling. */
async function emptyNestCeiling(body: string): Promise<{ perSecond: number; p99: number }> {
  progress('ceiling: empty NestJS endpoint, 64 connections, 5 s');
  const port = await freePort();
  const empty = ServiceProcess.startEntry('tools/bench/empty-nest.ts', [], { PORT: String(port) });
  const http = new HttpLoad('127.0.0.1', port);
  try {
    await empty.waitFor('ready');
    return await http.closedLoop(64, 5000, () => ({ method: 'POST', path: '/empty', body }));
  } finally {
    http.close();
    await empty.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:orders failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
