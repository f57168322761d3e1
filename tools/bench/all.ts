import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nodeArgsFor } from '@plantbridge/testing';
import { machine, progress, table, writeResult } from './lib/report';
import { round } from './lib/stats';

const ROOT = join(__dirname, '../..');
const BENCHMARKS = ['edge', 'orders', 'orders-slow-erp', 'orders-overload', 'pipeline', 'inventory'] as const;
type Benchmark = (typeof BENCHMARKS)[number];

/** The script and options of each benchmark. */
const RUNS: Record<Benchmark, { script: string; args: string[] }> = {
  edge: { script: 'edge', args: [] },
  orders: { script: 'orders', args: [] },
  // Posting behind an ERP answering after 500 ms, with a bound (2 × 50 ÷ 0.5 s = 200/s) the
  // machine can reach: does posting get there, while the MES is still answered at once?
  'orders-slow-erp': {
    script: 'orders',
    args: ['--rates', '100,300', '--erp-latency', '500', '--max-in-flight', '2', '--orders', '400'],
  },
  // Past saturation at 2× and 3× the rate that saturated: does posting keep to its peak while the
  // MES is told to come back (503)?
  'orders-overload': {
    script: 'orders',
    args: ['--overload', '--rates', '500,1000,1500,2000', '--step-seconds', '8'],
  },
  pipeline: { script: 'pipeline', args: [] },
  // Goods movements into inventory-movement, taking turns with confirmations at the same rates:
  // their accepted/s and posted/s against the confirmations' of the same run.
  inventory: { script: 'inventory', args: [] },
};

const HELP = `npm run bench -- [options]

Runs the edge, orders, orders-slow-erp (orders with the ERP answering after 500 ms: posting against
its bound), orders-overload (orders past saturation, at 2× and 3× the rate that saturated: posting
against its peak in the same run), pipeline and inventory (goods movements against confirmations of
the same run, and past saturation) benchmarks one after another (each measures its own raw ceilings
in the same run on this machine), then prints one table: throughput, p50/p99 latency, CPU and peak
memory per service, each next to its ceiling as a ratio. Writes bench/results/summary-<time>.json; each
benchmark also writes its own file.

Options:
  --only <list>   benchmarks to run, comma separated (default all of them);
                  the others' latest results (bench/results/<name>-latest.json) go into the table
                  as they are
  -h, --help      this text

Each benchmark has its own options: npm run bench:edge -- --help (and bench:orders, bench:pipeline,
bench:inventory).
`;

interface Row {
  benchmark: string;
  throughput: string;
  p50Ms: number | null;
  p99Ms: number | null;
  cpuCores: string;
  peakRssMb: string;
  ceiling: string;
  ratio: number | null;
  measuredAt: string;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', default: BENCHMARKS.join(',') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(HELP);
  const selected = values.only.split(',').filter(Boolean) as Benchmark[];
  const unknown = selected.filter((b) => !BENCHMARKS.includes(b));
  if (unknown.length)
    throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.join(', ')}`);
  for (const name of selected) {
    progress(`bench:${name}`);
    const { script, args } = RUNS[name];
    const run = spawnSync(process.execPath, nodeArgsFor(`tools/bench/${script}.ts`, args), {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (run.status !== 0) throw new Error(`bench:${name} failed (exit ${run.status})`);
  }
  const rows = [
    ...edgeRows(latest('edge')),
    ...ordersRows(latest('orders')),
    ...slowErpRows(latest('orders-slow-erp')),
    ...overloadRows(latest('orders-overload')),
    ...pipelineRows(latest('pipeline')),
    ...inventoryRows(latest('inventory')),
  ];
  const file = writeResult('summary', {
    benchmark: 'summary',
    measuredAt: new Date().toISOString(),
    machine: machine(),
    rows,
  });
  process.stdout.write(
    `\nPlantbridge benchmarks on ${machine().cpus} cores (${machine().cpuModel})\n\n` +
      table(
        ['benchmark', 'throughput', 'p50', 'p99', 'CPU (cores)', 'peak MB', 'ceiling (same run)', 'ratio'],
        rows.map((r) => [
          r.benchmark,
          r.throughput,
          r.p50Ms === null ? '-' : `${r.p50Ms} ms`,
          r.p99Ms === null ? '-' : `${r.p99Ms} ms`,
          r.cpuCores,
          r.peakRssMb,
          r.ceiling,
          r.ratio === null ? '-' : r.ratio,
        ]),
      ) +
      `\n\nwritten to ${file}\n`,
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- result files of three shapes, read as JSON
type Json = any;

function latest(name: Benchmark): Json {
  return JSON.parse(readFileSync(join(ROOT, `bench/results/${name}-latest.json`), 'utf8'));
}

/** Per item count, the fastest step within the p99 target, against a bare node-opcua client. */
function edgeRows(result: Json): Row[] {
  return result.results.map((r: Json) => {
    const within = r.steps.filter((s: Json) => s.latencyP99Ms <= result.targets.p99Ms);
    const best = [...within].sort((a: Json, b: Json) => b.deliveredPerSecond - a.deliveredPerSecond)[0];
    return {
      benchmark: `edge, ${r.items} items`,
      throughput: best ? `${best.deliveredPerSecond} changes/s` : 'none within p99 target',
      p50Ms: best?.latencyP50Ms ?? null,
      p99Ms: best?.latencyP99Ms ?? null,
      cpuCores: best ? `gateway ${best.gatewayCpuCores}` : '-',
      peakRssMb: `gateway ${r.gatewayPeakRssMb}`,
      ceiling: `node-opcua client ${r.rawClientNotificationsPerSecond}/s`,
      ratio: best ? round(best.deliveredPerSecond / r.rawClientNotificationsPerSecond, 2) : null,
      measuredAt: result.at ?? result.measuredAt,
    };
  });
}

/** The fastest step that kept up with what was offered, against an empty NestJS endpoint. */
function ordersRows(result: Json): Row[] {
  const kept = result.steps.filter((s: Json) => s.acceptedPerSecond >= 0.9 * s.offeredPerSecond);
  const best = [...kept].sort((a: Json, b: Json) => b.acceptedPerSecond - a.acceptedPerSecond)[0];
  if (!best) return [];
  const common = {
    cpuCores: `service ${best.serviceCpuCores}`,
    peakRssMb: `service ${best.servicePeakRssMb}`,
    measuredAt: result.measuredAt,
  };
  return [
    {
      benchmark: `orders, MES POST (${result.settings.database})`,
      throughput: `${best.acceptedPerSecond} accepted/s`,
      p50Ms: best.postP50Ms,
      p99Ms: best.postP99Ms,
      ceiling: `empty NestJS ${result.ceilings.emptyNestEndpointPerSecond} req/s`,
      ratio: round(best.acceptedPerSecond / result.ceilings.emptyNestEndpointPerSecond, 2),
      ...common,
    },
    {
      benchmark: 'orders, POST to ERP posted',
      throughput: `${best.postedInErp}/${best.accepted} posted`,
      p50Ms: best.e2eP50Ms,
      p99Ms: best.e2eP99Ms,
      ceiling: `JetStream ${result.ceilings.jetStreamPublishPerSecond} msgs/s`,
      ratio: round(best.acceptedPerSecond / result.ceilings.jetStreamPublishPerSecond, 3),
      ...common,
    },
  ];
}

/** Postings per second behind a slow ERP at the highest rate offered, against their bound. */
function slowErpRows(result: Json): Row[] {
  const last = result.steps[result.steps.length - 1];
  if (!last) return [];
  return [
    {
      benchmark: `orders, ERP answering after ${result.settings.erpLatencyMs} ms`,
      throughput: `${last.postedPerSecond} posted/s at ${last.offeredPerSecond} offered`,
      p50Ms: last.e2eP50Ms,
      p99Ms: last.e2eP99Ms,
      cpuCores: `service ${last.serviceCpuCores}`,
      peakRssMb: `service ${last.servicePeakRssMb}`,
      ceiling: `bound ${result.settings.postingBoundPerSecond}/s`,
      ratio: round(last.postedPerSecond / result.settings.postingBoundPerSecond, 2),
      measuredAt: result.measuredAt,
    },
  ];
}

/** Postings per second at 3× the rate that saturated, against the same run's peak posted/s. */
function overloadRows(result: Json): Row[] {
  const overload = result.overload;
  const at3x = result.steps.find((s: Json) => s.offeredPerSecond === 3 * overload?.saturatedAtPerSecond);
  if (!overload || !at3x) return [];
  return [
    {
      benchmark: `orders, 3× the saturating ${overload.saturatedAtPerSecond}/s`,
      throughput: `${at3x.postedPerSecond} posted/s, ${at3x.refused} 503s`,
      p50Ms: at3x.e2eP50Ms,
      p99Ms: at3x.e2eP99Ms,
      cpuCores: `service ${at3x.serviceCpuCores}`,
      peakRssMb: `service ${at3x.servicePeakRssMb}`,
      ceiling: `peak ${overload.peakPostedPerSecond} posted/s`,
      ratio: overload.postedAt3xRatioToPeak,
      measuredAt: result.measuredAt,
    },
  ];
}

/** Machine counters to ERP postings, against JetStream publish. */
function pipelineRows(result: Json): Row[] {
  return [
    {
      benchmark: `pipeline, ${result.settings.machines} machines`,
      throughput: `${result.partsPerSecond} parts/s in ${result.confirmationsPerSecond} conf/s`,
      p50Ms: result.latencyP50Ms,
      p99Ms: result.latencyP99Ms,
      cpuCores: `gateway ${result.cpuCores.gateway}, order-sync ${result.cpuCores.orderSync}`,
      peakRssMb: `gateway ${result.peakRssMb.gateway}, order-sync ${result.peakRssMb.orderSync}`,
      ceiling: `JetStream ${result.ceilings.jetStreamPublishPerSecond} msgs/s`,
      ratio: round(result.confirmationsPerSecond / result.ceilings.jetStreamPublishPerSecond, 4),
      measuredAt: result.measuredAt,
    },
  ];
}

/**
 * Goods movements' peak accepted/s and posted/s against the confirmations' of the same run (issue
 * 18's ratios), and their posting at 3× the rate that saturated against its peak.
 */
function inventoryRows(result: Json): Row[] {
  const { movements, confirmations } = result;
  const at = (key: string, value: number) => movements.steps.find((s: Json) => s[key] === value);
  /** A step's row, with the POST's latency or POST to ERP-posted. */
  const row = (
    benchmark: string,
    throughput: string,
    step: Json,
    latency: 'post' | 'e2e',
    ceiling: string,
    ratio: number | null,
  ): Row => ({
    benchmark,
    throughput,
    p50Ms: step[`${latency}P50Ms`],
    p99Ms: step[`${latency}P99Ms`],
    cpuCores: `service ${step.serviceCpuCores}`,
    peakRssMb: `service ${step.servicePeakRssMb}`,
    ceiling,
    ratio,
    measuredAt: result.measuredAt,
  });
  const accepted = at('acceptedPerSecond', movements.peaks.acceptedPerSecond);
  const posted = at('postedPerSecond', movements.peaks.postedPerSecond);
  const rows = [
    row(
      `inventory, MES POST (${result.settings.database})`,
      `${accepted.acceptedPerSecond} accepted/s at ${accepted.offeredPerSecond} offered`,
      accepted,
      'post',
      confirmations ? `confirmations ${confirmations.peaks.acceptedPerSecond} accepted/s` : '-',
      result.ratios.acceptedPerSecond,
    ),
    row(
      'inventory, POST to ERP posted',
      `${posted.postedPerSecond} posted/s at ${posted.offeredPerSecond} offered`,
      posted,
      'e2e',
      confirmations ? `confirmations ${confirmations.peaks.postedPerSecond} posted/s` : '-',
      result.ratios.postedPerSecond,
    ),
  ];
  const overload = movements.overload;
  const at3x = overload && at('offeredPerSecond', 3 * overload.saturatedAtPerSecond);
  if (at3x)
    rows.push(
      row(
        `inventory, 3× the saturating ${overload.saturatedAtPerSecond}/s`,
        `${at3x.postedPerSecond} posted/s, ${at3x.refused} 503s`,
        at3x,
        'e2e',
        `peak ${overload.peakPostedPerSecond} posted/s`,
        overload.postedAt3xRatioToPeak,
      ),
    );
  return rows;
}

try {
  main();
} catch (error) {
  process.stderr.write(`bench failed: ${(error as Error).message}\n`);
  process.exit(1);
}
