import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startErpSimulatorProcess } from '@plantbridge/erp-simulator/testing';
import { connectForTest, deleteDurables } from '@plantbridge/messaging/testing';
import { createTestSchema, freePort, ServiceProcess, uniqueToken } from '@plantbridge/testing';
import { benchAuth } from './lib/auth';
import { HttpLoad } from './lib/http-load';
import { confirmationPublishCeiling } from './lib/jetstream-ceiling';
import { CpuMeter, peakRssMb } from './lib/process-stats';
import { machine, progress, table, writeResult } from './lib/report';
import { percentile, round } from './lib/stats';

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

interface Step {
  offeredPerSecond: number;
  sent: number;
  accepted: number;
  failed: number;
  /** Answered 503 with Retry-After: the service said it was overloaded (admission control). */
  refused: number;
  acceptedPerSecond: number;
  postP50Ms: number;
  postP99Ms: number;
  postedInErp: number;
  /** Confirmations ERP committed while the step ran, per second. */
  postedPerSecond: number;
  e2eP50Ms: number;
  e2eP99Ms: number;
  serviceCpuCores: number;
  simulatorCpuCores: number;
  /** The whole machine: service, NATS, ERP simulator and this load generator together. */
  machineCpuCores: number;
  servicePeakRssMb: number;
}

/**
 * Past saturation (issue 15, section 4): posted/s at 2× and 3× the rate that saturated, against the
 * run's peak posted/s; the target is ≥ 0.9 of the peak.
 */
function overloadVerdict(steps: Step[], saturatedAt: number | undefined) {
  if (saturatedAt === undefined) return null;
  const peak = Math.max(...steps.map((s) => s.postedPerSecond));
  const at = (factor: number) => steps.find((s) => s.offeredPerSecond === factor * saturatedAt);
  const ratio = (step?: Step) => (step && peak ? round(step.postedPerSecond / peak, 2) : null);
  return {
    saturatedAtPerSecond: saturatedAt,
    peakPostedPerSecond: peak,
    postedAt2xRatioToPeak: ratio(at(2)),
    postedAt3xRatioToPeak: ratio(at(3)),
    refusedAt2x: at(2)?.refused ?? null,
    refusedAt3x: at(3)?.refused ?? null,
  };
}

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
  const rates = values.rates.split(',').map(Number);
  const stepMs = Number(values['step-seconds']) * 1000;
  const orderCount = Number(values.orders);
  const erpLatencyMs = Number(values['erp-latency']);
  // Each request in flight carries up to a batch of confirmations and takes the simulator's latency;
  // and ERP gets an operation's confirmations one after another (each order here has one operation).
  const slotsBound = (Number(values['max-in-flight']) * Number(values['batch-size']) * 1000) / erpLatencyMs;
  const operationsBound = (orderCount * 1000) / erpLatencyMs;
  const postingBound = erpLatencyMs ? Math.min(slotsBound, operationsBound) : null;
  // A slow-ERP run has results of its own, so it does not stand in for the main run's.
  const resultName = erpLatencyMs ? 'orders-slow-erp' : values.overload ? 'orders-overload' : 'orders';
  const plant = uniqueToken('B');
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-orders-'));
  const children: ServiceProcess[] = [];
  let schema: Awaited<ReturnType<typeof createTestSchema>> | undefined;
  try {
    const erp = await startErpSimulatorProcess(plant);
    children.push(erp.process);
    progress(`ERP simulator on :${erp.port}`);
    const erpHttp = new HttpLoad('127.0.0.1', erp.port, 8);
    for (let i = 0; i < orderCount; i++) {
      const body = JSON.stringify({ plant, quantity: 100_000_000, operations: 1 });
      await erpHttp.call({ method: 'POST', path: '/__sim/orders', body });
    }

    const port = await freePort();
    const auth = await benchAuth(dataDir, [plant]);
    schema = values.db === 'postgres' ? await createTestSchema('bench') : undefined;
    const db: Record<string, string> = schema
      ? { DATABASE_URL: schema.url, DATABASE_SCHEMA: schema.schema }
      : {};
    progress(
      `production-order-sync on :${port} (${values.db}, ERP_MAX_IN_FLIGHT ${values['max-in-flight']}, ERP_BATCH_SIZE ${values['batch-size']})`,
    );
    const service = ServiceProcess.startEntry(
      'apps/production-order-sync/src/main.ts',
      [],
      {
        HTTP_PORT: String(port),
        PLANT_ID: plant,
        NATS_URL: values.nats,
        DATA_DIR: dataDir,
        ERP_BASE_URL: erp.url,
        ERP_MAX_IN_FLIGHT: values['max-in-flight'],
        ERP_BATCH_SIZE: values['batch-size'],
        // The simulator commits after its latency and before it answers.
        ERP_REQUEST_LIMIT_MS: String(Math.max(2000, 2 * erpLatencyMs)),
        ORDER_POLL_MS: '500',
        LOG_LEVEL: 'warn',
        ...auth.env,
        ...db,
      },
      process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [],
    );
    children.push(service);
    // Every request carries a token, verified by the service as in production.
    const mes = new HttpLoad('127.0.0.1', port, 256, auth.headers);
    await waitUntil(async () => {
      const list = await mes.call({ method: 'GET', path: `/v1/plants/${plant}/production-orders` });
      return list.status === 200 && (JSON.parse(list.body) as unknown[]).length === orderCount;
    }, 60_000);
    const orders = (
      JSON.parse(
        (await mes.call({ method: 'GET', path: `/v1/plants/${plant}/production-orders` })).body,
      ) as Array<{ manufacturingOrder: string }>
    ).map((o) => o.manufacturingOrder);

    const confirm = (i: number) => ({
      method: 'POST' as const,
      path: `/v1/plants/${plant}/production-orders/${orders[i % orders.length]}/confirmations`,
      headers: { 'idempotency-key': `${plant}-${i}-${Math.random().toString(36).slice(2)}` },
      body: JSON.stringify({
        operation: '0010',
        yieldQuantity: 1,
        scrapQuantity: 0,
        unit: 'PC',
        executionStart: '2026-11-26T06:00:00Z',
        executionEnd: '2026-11-26T06:01:00Z',
      }),
    });

    progress('warm-up: 3 s at 200/s');
    const warmUp = (await mes.openLoop(200, 3000, confirm)).filter((r) => r.status === 202).length;
    // Its postings must be in ERP before measuring, or they would be taken for the first step's.
    let ledgerPosition = await waitForLedger(erpHttp, 0, warmUp, 120_000).then((l) => l.total);
    if (erpLatencyMs) {
      await erpHttp.call({
        method: 'PUT',
        path: '/__sim/faults',
        body: JSON.stringify({ latencyMs: erpLatencyMs }),
      });
      progress(`ERP answers after ${erpLatencyMs} ms: postings bounded to ${round(postingBound ?? 0, 0)}/s`);
    }

    const steps: Step[] = [];
    // With --overload, the run goes on past saturation at 2× and 3× the rate that saturated.
    const plan = [...rates];
    let overloadFrom: number | undefined;
    for (let i = 0; i < plan.length; i++) {
      const rate = plan[i];
      progress(`offering ${rate} confirmations/s for ${stepMs / 1000} s`);
      const serviceCpu = new CpuMeter(service.pid);
      const erpCpu = new CpuMeter(erp.process.pid);
      const machineCpu = new CpuMeter();
      for (const meter of [serviceCpu, erpCpu, machineCpu]) meter.start();
      const started = performance.now();
      const startedAt = Date.now();
      const results = await mes.openLoop(rate, stepMs, confirm);
      const elapsedS = (performance.now() - started) / 1000;
      const serviceCores = serviceCpu.cores();
      const simulatorCores = erpCpu.cores();
      const machineCores = machineCpu.cores();
      const accepted = results.filter((r) => r.status === 202);
      const sentAt = new Map(
        accepted.map((r) => [(JSON.parse(r.body) as { confirmationId: string }).confirmationId, r.sentAt]),
      );
      progress(`  ${accepted.length}/${results.length} accepted; waiting for ERP postings`);
      // A backlog behind a slow ERP drains at the posting bound.
      const drainMs = postingBound ? (accepted.length / postingBound) * 2000 : 0;
      const ledger = await waitForLedger(erpHttp, ledgerPosition, accepted.length, 120_000 + drainMs);
      ledgerPosition = ledger.total;
      const e2e = ledger.entries.flatMap((e) => {
        const sent = sentAt.get(e.key);
        return sent === undefined ? [] : [e.committedAt - sent];
      });
      const postMs = accepted.map((r) => r.ms);
      steps.push({
        offeredPerSecond: rate,
        sent: results.length,
        accepted: accepted.length,
        failed: results.length - accepted.length,
        refused: results.filter((r) => r.status === 503).length,
        acceptedPerSecond: round(accepted.length / elapsedS, 0),
        postP50Ms: round(percentile(postMs, 50)),
        postP99Ms: round(percentile(postMs, 99)),
        postedInErp: e2e.length,
        postedPerSecond: round(
          ledger.entries.filter((e) => e.committedAt - startedAt <= elapsedS * 1000).length / elapsedS,
          0,
        ),
        e2eP50Ms: round(percentile(e2e, 50)),
        e2eP99Ms: round(percentile(e2e, 99)),
        serviceCpuCores: round(serviceCores, 2),
        simulatorCpuCores: round(simulatorCores, 2),
        machineCpuCores: round(machineCores, 2),
        servicePeakRssMb: round(peakRssMb(service.pid), 0),
      });
      const last = steps[steps.length - 1];
      progress(`  posted ${last.postedPerSecond}/s while offered; ${last.refused} answered 503`);
      if (overloadFrom === undefined && (last.acceptedPerSecond < 0.9 * rate || last.postP99Ms > 1000)) {
        if (!values.overload) {
          progress(`  saturated at ${rate}/s; not offering more`);
          break;
        }
        overloadFrom = rate;
        plan.splice(i + 1, plan.length, 2 * rate, 3 * rate);
        progress(`  saturated at ${rate}/s; now 2× and 3× that`);
      }
    }
    mes.close();
    erpHttp.close();
    await service.stop();

    progress('ceiling: empty NestJS endpoint, 64 connections, 5 s');
    const emptyPort = await freePort();
    const empty = ServiceProcess.startEntry('tools/bench/empty-nest.ts', [], { PORT: String(emptyPort) });
    children.push(empty);
    await empty.waitFor('ready');
    const emptyHttp = new HttpLoad('127.0.0.1', emptyPort);
    const sample = confirm(0);
    const emptyCeiling = await emptyHttp.closedLoop(64, 5000, () => ({
      method: 'POST',
      path: '/empty',
      body: sample.body,
    }));
    emptyHttp.close();
    await empty.stop();

    const jetstream = await confirmationPublishCeiling(values.nats, plant);

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
      overload: overloadVerdict(steps, overloadFrom),
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
          : `ERP simulator answering after ${erpLatencyMs} ms: posting bound ${values['max-in-flight']} × ${values['batch-size']} ÷ ${erpLatencyMs} ms = ${round(slotsBound, 0)}/s, ` +
            `and one per operation at a time: ${orderCount} ÷ ${erpLatencyMs} ms = ${round(operationsBound, 0)}/s\n\n`) +
        table(
          [
            'offered/s',
            'accepted/s',
            'POST p50',
            'POST p99',
            'posted',
            'posted/s',
            '503s',
            'e2e p50',
            'e2e p99',
            'svc CPU',
            'ERP sim CPU',
            'machine CPU',
            'svc peak MB',
          ],
          steps.map((s) => [
            s.offeredPerSecond,
            s.acceptedPerSecond,
            `${s.postP50Ms} ms`,
            `${s.postP99Ms} ms`,
            `${s.postedInErp}/${s.accepted}`,
            s.postedPerSecond,
            s.refused,
            `${s.e2eP50Ms} ms`,
            `${s.e2eP99Ms} ms`,
            s.serviceCpuCores,
            s.simulatorCpuCores,
            `${s.machineCpuCores}/${machine().cpus}`,
            s.servicePeakRssMb,
          ]),
        ) +
        `\n\nceilings (same run): empty NestJS endpoint ${result.ceilings.emptyNestEndpointPerSecond} req/s (p99 ${result.ceilings.emptyNestEndpointP99Ms} ms); ` +
        `JetStream publish ${result.ceilings.jetStreamPublishPerSecond} msgs/s\n` +
        `targets: ≥ ${TARGETS.acceptedPerSecond}/s with POST p99 ≤ ${TARGETS.postP99Ms} ms -> best ${result.verdict.bestAcceptedPerSecondWithinPostP99Target}/s ` +
        `(${result.verdict.ratioToEmptyNest} of the empty endpoint); POST→ERP p99 ≤ ${TARGETS.e2eP99Ms} ms at ${TARGETS.e2eRate}/s -> ${result.verdict.e2eP99AtTargetRateMs} ms\n` +
        `written to ${file}\n`,
    );
  } finally {
    for (const child of children.reverse()) await child.stop();
    await removeDurables(values.nats, plant).catch((error: Error) =>
      progress(`could not remove the durables of plant ${plant}: ${error.message}`),
    );
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The service's durable consumers of this run's plant: each run has a plant of its own. */
async function removeDurables(natsUrl: string, plant: string): Promise<void> {
  const nats = await connectForTest(natsUrl);
  try {
    await deleteDurables(nats, plant);
  } finally {
    await nats.close();
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`not ready within ${timeoutMs} ms`);
}

interface LedgerEntry {
  key: string;
  committedAt: number;
}

/** Reads the simulator's ledger from `from` until it holds `expected` more entries (or time runs out). */
async function waitForLedger(erp: HttpLoad, from: number, expected: number, timeoutMs: number) {
  const entries: LedgerEntry[] = [];
  const until = Date.now() + timeoutMs;
  for (;;) {
    const response = await erp.call({ method: 'GET', path: `/__sim/ledger?from=${from + entries.length}` });
    const page = JSON.parse(response.body) as {
      confirmations: Array<{ ExternalSystemConfirmation: string }>;
      committedAt: number[];
    };
    page.confirmations.forEach((c, i) =>
      entries.push({ key: c.ExternalSystemConfirmation, committedAt: page.committedAt[i] }),
    );
    if (entries.length >= expected || Date.now() > until) return { entries, total: from + entries.length };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:orders failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
