import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TagLoad } from '@plantbridge/opcua-simulator';
import { startLineSimulatorProcess } from '@plantbridge/opcua-simulator/testing';
import { expectEventually, freePort, ServiceProcess, uniqueToken } from '@plantbridge/testing';
import type { JetStreamConnection } from '@plantbridge/messaging';
import { connectForTest, deleteDurables } from '@plantbridge/messaging/testing';
import {
  AttributeIds,
  OPCUACertificateManager,
  OPCUAClient,
  TimestampsToReturn,
  type ClientMonitoredItemGroup,
} from 'node-opcua';
import { benchAuth } from './lib/auth';
import { jetStreamPublishCeiling, jetStreamPublishLatency } from './lib/jetstream-ceiling';
import { CpuMeter, peakRssMb, rssMb } from './lib/process-stats';
import { machine, progress, table, writeResult } from './lib/report';
import { percentile, round } from './lib/stats';

const HELP = `npm run bench:edge -- [options]

Measures, in one run on this machine, OPC UA tag changes from the line simulator through
edge-gateway to events stored in JetStream: delivered changes/s and change-to-JetStream latency
(p50/p99) at increasing offered rates, for each monitored item count; the gateway's CPU and peak
memory; the time to create the subscription; and next to them the raw ceilings measured in the
same run: a bare node-opcua client's notifications/s for the same items, and JetStream publish/s
for messages of the gateway's report size. Tags are telemetry tags (every change forwarded,
batched into samples-reported reports). Prints a table and writes bench/results/edge-<time>.json
(and edge-latest.json).

Options:
  --items <list>          monitored items, comma separated (default 1000,10000,100000)
  --rates <list>          offered tag changes/s, comma separated (default 10000,25000,50000,100000)
  --step-seconds <n>      seconds measured per rate, after 2 s of warm-up (default 8)
  --publishing-ms <n>     OPC UA publishing interval of the gateway (default 100)
  --gateway-node-options  NODE_OPTIONS for the gateway process (e.g. "--max-semi-space-size=8")
  --nats <url>            NATS with JetStream (default NATS_URL or nats://127.0.0.1:4222)
  -h, --help              this text
`;

/**
 * Issue 17's targets, as ratios to the raw node-opcua client measured in the same run (at the
 * highest offered rate): delivered changes/s at 10,000 and 100,000 items, the time to subscribe
 * 100,000 items, and the gateway's peak memory at 100,000 items.
 */
const TARGETS = {
  deliveredOfRawClient: { 10_000: 0.9, 100_000: 0.8 } as Record<number, number>,
  subscribeOfRawClientAtMost: 2,
  peakRssMbAt100000: 500,
};
const WARM_UP_MS = 2000;

interface Step {
  items: number;
  offeredPerSecond: number;
  simulatorAchievedPerSecond: number;
  deliveredPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  gatewayCpuCores: number;
  simulatorCpuCores: number;
  /** Peak resident memory of the gateway so far, at the end of the step. */
  gatewayPeakRssMb: number;
}

interface ItemsResult {
  items: number;
  gatewaySubscribeMs: number;
  rawClientSubscribeMs: number;
  rawClientNotificationsPerSecond: number;
  rawClientOfferedPerSecond: number;
  /** Resident memory once subscribed, before any load. */
  gatewayIdleRssMb: number;
  gatewayPeakRssMb: number;
  averageReportBytes: number;
  averageSamplesPerReport: number;
  steps: Step[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      items: { type: 'string', default: '1000,10000,100000' },
      rates: { type: 'string', default: '10000,25000,50000,100000' },
      'step-seconds': { type: 'string', default: '8' },
      'publishing-ms': { type: 'string', default: '100' },
      'gateway-node-options': { type: 'string', default: '' },
      nats: { type: 'string', default: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(HELP);
  const itemCounts = values.items.split(',').map(Number);
  const rates = values.rates.split(',').map(Number);
  const stepMs = Number(values['step-seconds']) * 1000;
  const dir = mkdtempSync(join(tmpdir(), 'bench-edge-'));
  const results: ItemsResult[] = [];
  try {
    for (const items of itemCounts) {
      results.push(
        await measureItems(items, {
          rates,
          stepMs,
          publishingMs: Number(values['publishing-ms']),
          natsUrl: values.nats,
          gatewayNodeOptions: values['gateway-node-options'],
          dir,
        }),
      );
    }
    const report = results.find((r) => r.averageReportBytes > 0) ?? results[0];
    progress(`ceiling: JetStream publish of ${report.averageReportBytes}-byte messages, 5 s`);
    const jetStreamPerSecond = await jetStreamPublishCeiling(
      values.nats,
      `mfg.telemetry.v1.${uniqueToken('C')}.bench-ceiling`,
      report.averageReportBytes,
      5000,
    );
    progress(
      `ceiling: JetStream publish-to-ack latency of ${report.averageReportBytes}-byte messages, 500 one at a time`,
    );
    const latencies = await jetStreamPublishLatency(
      values.nats,
      `mfg.telemetry.v1.${uniqueToken('C')}.bench-latency`,
      report.averageReportBytes,
      500,
    );
    const result = {
      benchmark: 'edge',
      at: new Date().toISOString(),
      machine: machine(),
      settings: {
        items: itemCounts,
        rates,
        stepSeconds: stepMs / 1000,
        publishingMs: Number(values['publishing-ms']),
        gatewayNodeOptions: values['gateway-node-options'],
      },
      targets: TARGETS,
      ceilings: {
        jetStreamPublishPerSecond: round(jetStreamPerSecond, 0),
        jetStreamPayloadBytes: report.averageReportBytes,
        jetStreamSamplesPerSecond: round(jetStreamPerSecond * report.averageSamplesPerReport, 0),
        jetStreamPublishP99Ms: round(percentile(latencies, 99), 1),
      },
      ratios: results.map(ratiosOf),
      results,
    };
    const file = writeResult('edge', result);
    process.stdout.write(`${render(result)}\nwritten to ${file}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface RunSettings {
  rates: number[];
  stepMs: number;
  publishingMs: number;
  natsUrl: string;
  gatewayNodeOptions: string;
  /** Scratch folder for the simulator's and the gateway's data. */
  dir: string;
}

async function measureItems(items: number, settings: RunSettings): Promise<ItemsResult> {
  const { rates, stepMs, publishingMs, natsUrl, dir } = settings;
  const line = await startLineSimulatorProcess({
    machines: 1,
    loadTags: items,
    dataDir: join(dir, `sim-${items}`),
  });
  const simulator = line.process;
  progress(`${items} items: OPC UA line simulator on :${line.port}`);
  const load = new LoadControl(`${line.controlUrl}/__sim/load`);
  const url = line.endpointUrl;
  const nodeIds = Array.from({ length: items }, (_, i) => TagLoad.nodeId('Line1', i));
  let gateway: ServiceProcess | undefined;
  let nats: JetStreamConnection | undefined;
  const plant = uniqueToken('G');
  try {
    const raw = await rawClientCeiling(url, nodeIds, Math.max(...rates), stepMs, load, publishingMs, dir);

    const mappingFile = join(dir, `mapping-${items}.json`);
    writeFileSync(
      mappingFile,
      JSON.stringify({
        endpoints: [
          {
            id: 'load',
            url,
            tags: nodeIds.map((nodeId, i) => ({
              nodeId,
              equipmentId: `M${String(Math.floor(i / 100) + 1).padStart(3, '0')}`,
              signal: 'telemetry',
              name: `t${i % 100}`,
              intervalMs: 0,
            })),
          },
        ],
      }),
    );
    const port = await freePort();
    const auth = await benchAuth(dir, [plant]);
    progress(`${items} items: edge-gateway on :${port}`);
    gateway = ServiceProcess.startEntry('apps/edge-gateway/src/main.ts', [], {
      HTTP_PORT: String(port),
      PLANT_ID: plant,
      NATS_URL: natsUrl,
      DATA_DIR: join(dir, `gateway-${items}`),
      TAG_MAPPING_FILE: mappingFile,
      OPCUA_PUBLISHING_INTERVAL_MS: String(publishingMs),
      LOG_LEVEL: 'warn',
      ...auth.env,
      ...(settings.gatewayNodeOptions ? { NODE_OPTIONS: settings.gatewayNodeOptions } : {}),
    });
    const endpoint = await expectEventually(
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/v1/opcua/endpoints`, {
          headers: auth.headers,
        });
        const [first] = (await response.json()) as Array<{ state: string; subscribeMs: number }>;
        if (first?.state !== 'connected') throw new Error(`gateway endpoint is ${first?.state}`);
        return first;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );

    nats = await connectForTest(natsUrl, 'bench-edge-consumer');
    const reader = new JetStreamReader(nats, `mfg.telemetry.v1.${plant}.samples-reported`);
    await reader.start();

    const gatewayIdleRssMb = round(rssMb(gateway.pid), 0);
    const steps: Step[] = [];
    const gatewayCpu = new CpuMeter(gateway.pid);
    const simulatorCpu = new CpuMeter(simulator.pid);
    for (const rate of rates) {
      progress(`${items} items: ${rate} changes/s offered`);
      await load.drive(rate);
      await sleep(WARM_UP_MS);
      reader.reset();
      gatewayCpu.start();
      simulatorCpu.start();
      const changesBefore = (await load.stats()).changes;
      const started = performance.now();
      await sleep(stepMs);
      const seconds = (performance.now() - started) / 1000;
      const changes = (await load.stats()).changes - changesBefore;
      steps.push({
        items,
        offeredPerSecond: rate,
        simulatorAchievedPerSecond: round(changes / seconds, 0),
        deliveredPerSecond: round(reader.samples / seconds, 0),
        latencyP50Ms: round(percentile(reader.latencies, 50), 0),
        latencyP99Ms: round(percentile(reader.latencies, 99), 0),
        gatewayCpuCores: round(gatewayCpu.cores(), 2),
        simulatorCpuCores: round(simulatorCpu.cores(), 2),
        gatewayPeakRssMb: round(peakRssMb(gateway.pid), 0),
      });
    }
    await load.drive(0);
    const gatewayPeakRssMb = round(peakRssMb(gateway.pid), 0);
    return {
      items,
      gatewaySubscribeMs: endpoint.subscribeMs,
      ...raw,
      gatewayIdleRssMb,
      gatewayPeakRssMb,
      averageReportBytes: reader.averageBytes(),
      averageSamplesPerReport: reader.averageSamples(),
      steps,
    };
  } finally {
    await gateway?.stop();
    // Each run has a plant of its own; its durables would stay on the server for good.
    if (nats) await deleteDurables(nats, plant);
    await nats?.close();
    await simulator.stop();
  }
}

/** Notifications/s a bare node-opcua client takes for the same items, and how long it takes to subscribe. */
async function rawClientCeiling(
  url: string,
  nodeIds: string[],
  rate: number,
  stepMs: number,
  load: LoadControl,
  publishingMs: number,
  dir: string,
) {
  progress(`${nodeIds.length} items: raw node-opcua client at ${rate} changes/s offered`);
  const certificates = new OPCUACertificateManager({
    rootFolder: join(dir, 'raw-client-pki'),
    automaticallyAcceptUnknownCertificate: true,
  });
  const client = OPCUAClient.create({ endpointMustExist: false, clientCertificateManager: certificates });
  await client.connect(url);
  const session = await client.createSession();
  const subscribing = performance.now();
  const subscription = await session.createSubscription2({
    requestedPublishingInterval: publishingMs,
    requestedMaxKeepAliveCount: 10,
    maxNotificationsPerPublish: 10_000,
    publishingEnabled: true,
  });
  // In batches of the server's MaxMonitoredItemsPerCall, as any client must (100,000 in one call
  // is refused with BadTooManyOperations).
  const limit = await session.read({ nodeId: 'ns=0;i=11714', attributeId: AttributeIds.Value });
  const batchSize = Number(limit.value.value) > 0 ? Number(limit.value.value) : 1000;
  const groups: ClientMonitoredItemGroup[] = [];
  for (let start = 0; start < nodeIds.length; start += batchSize) {
    groups.push(
      await subscription.monitorItems(
        nodeIds
          .slice(start, start + batchSize)
          .map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value })),
        { samplingInterval: 0, queueSize: 100, discardOldest: false },
        TimestampsToReturn.Both,
      ),
    );
  }
  const rawClientSubscribeMs = Math.round(performance.now() - subscribing);
  let notifications = 0;
  for (const group of groups) group.on('changed', () => (notifications += 1));
  await load.drive(rate);
  await sleep(WARM_UP_MS);
  notifications = 0;
  const changesBefore = (await load.stats()).changes;
  const started = performance.now();
  await sleep(stepMs);
  const seconds = (performance.now() - started) / 1000;
  const perSecond = notifications / seconds;
  const changes = (await load.stats()).changes - changesBefore;
  await load.drive(0);
  await subscription.terminate();
  await session.close();
  await client.disconnect();
  await certificates.dispose();
  return {
    rawClientSubscribeMs,
    rawClientNotificationsPerSecond: round(perSecond, 0),
    rawClientOfferedPerSecond: round(changes / seconds, 0),
  };
}

/** The simulator's bulk-load control API. */
class LoadControl {
  constructor(private readonly url: string) {}

  async drive(changesPerSecond: number): Promise<void> {
    const response = await fetch(this.url, { method: 'POST', body: JSON.stringify({ changesPerSecond }) });
    if (response.status !== 200) throw new Error(`simulator load: HTTP ${response.status}`);
  }

  /** `changes`: tag changes made since the last `drive`. */
  async stats(): Promise<{ changes: number }> {
    return (await (await fetch(this.url)).json()) as { changes: number };
  }
}

/** Reads the gateway's telemetry reports from JetStream (stored messages only) and times each sample. */
class JetStreamReader {
  samples = 0;
  latencies: number[] = [];
  private bytes = 0;
  private reports = 0;
  private totalSamples = 0;

  constructor(
    private readonly nats: JetStreamConnection,
    private readonly subject: string,
  ) {}

  async start(): Promise<void> {
    const info = await this.nats.manager().consumers.add('TELEMETRY', {
      filter_subject: this.subject,
      ack_policy: 'none' as never, // AckPolicy.None: the reader only counts
      deliver_policy: 'new' as never, // DeliverPolicy.New
      inactive_threshold: 60_000 * 1_000_000, // nanoseconds
    });
    const consumer = await this.nats.jetstream().consumers.get('TELEMETRY', info.name);
    const messages = await consumer.consume({ max_messages: 1000 });
    void (async () => {
      for await (const m of messages) this.take(m);
    })();
  }

  reset(): void {
    this.samples = 0;
    this.latencies = [];
  }

  averageBytes(): number {
    return this.reports ? Math.round(this.bytes / this.reports) : 0;
  }

  averageSamples(): number {
    return this.reports ? round(this.totalSamples / this.reports, 1) : 0;
  }

  private take(message: { data: Uint8Array; json<T>(): T }): void {
    const now = Date.now();
    const report = message.json<{ data: { samples: Array<{ sourceTimestamp: string }> } }>();
    const samples = report.data.samples;
    this.bytes += message.data.length;
    this.reports += 1;
    this.totalSamples += samples.length;
    this.samples += samples.length;
    for (const sample of samples) this.latencies.push(now - Date.parse(sample.sourceTimestamp));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The figures issue 17 sets targets for, each against the same run's raw client. */
function ratiosOf(r: ItemsResult) {
  // The raw client was driven at the highest offered rate: compare with that step.
  const top = r.steps.reduce((a, b) => (b.offeredPerSecond > a.offeredPerSecond ? b : a));
  return {
    items: r.items,
    deliveredOfRawClient: round(top.deliveredPerSecond / r.rawClientNotificationsPerSecond, 2),
    deliveredTarget: TARGETS.deliveredOfRawClient[r.items] ?? null,
    subscribeOfRawClient: round(r.gatewaySubscribeMs / Math.max(1, r.rawClientSubscribeMs), 2),
    gatewayPeakRssMb: r.gatewayPeakRssMb,
    latencyP99Ms: top.latencyP99Ms,
  };
}

function render(result: {
  ceilings: {
    jetStreamPublishPerSecond: number;
    jetStreamPayloadBytes: number;
    jetStreamSamplesPerSecond: number;
    jetStreamPublishP99Ms: number;
  };
  ratios: Array<ReturnType<typeof ratiosOf>>;
  results: ItemsResult[];
}): string {
  const rows = result.results.flatMap((r) =>
    r.steps.map((s) => [
      String(s.items),
      s.offeredPerSecond,
      s.simulatorAchievedPerSecond,
      s.deliveredPerSecond,
      `${round((s.deliveredPerSecond / r.rawClientNotificationsPerSecond) * 100, 0)}%`,
      s.latencyP50Ms,
      s.latencyP99Ms,
      s.gatewayCpuCores,
      s.simulatorCpuCores,
      s.gatewayPeakRssMb,
    ]),
  );
  const perItems = result.results.map((r) => [
    String(r.items),
    r.gatewaySubscribeMs,
    r.rawClientSubscribeMs,
    r.rawClientNotificationsPerSecond,
    r.gatewayIdleRssMb,
    r.gatewayPeakRssMb,
    r.averageSamplesPerReport,
  ]);
  return (
    `${table(
      [
        'items',
        'offered/s',
        'simulator/s',
        'delivered/s',
        'of raw client',
        'p50 ms',
        'p99 ms',
        'gateway cores',
        'simulator cores',
        'gateway peak MB',
      ],
      rows,
    )}\n\n${table(
      [
        'items',
        'gateway subscribe ms',
        'raw subscribe ms',
        'raw client notif/s',
        'gateway idle MB',
        'gateway peak MB',
        'samples/report',
      ],
      perItems,
    )}\n\n${table(
      [
        'items',
        'delivered / raw client',
        'target',
        'subscribe / raw client',
        'peak MB',
        'p99 ms sample to ack',
      ],
      result.ratios.map((r) => [
        String(r.items),
        r.deliveredOfRawClient,
        r.deliveredTarget === null ? '' : `>= ${r.deliveredTarget}`,
        r.subscribeOfRawClient,
        r.gatewayPeakRssMb,
        r.latencyP99Ms,
      ]),
    )}\n\n` +
    `Raw ceilings: JetStream publish ${result.ceilings.jetStreamPublishPerSecond} msgs/s of ${result.ceilings.jetStreamPayloadBytes} bytes ` +
    `(${result.ceilings.jetStreamSamplesPerSecond} samples/s at the gateway's report size); ` +
    `JetStream publish-to-ack p99 ${result.ceilings.jetStreamPublishP99Ms} ms, one at a time\n` +
    `Targets (issue 17): delivered >= 0.9x the raw client at 10,000 items and >= 0.8x at 100,000; ` +
    `subscribe <= ${TARGETS.subscribeOfRawClientAtMost}x the raw client; peak <= ${TARGETS.peakRssMbAt100000} MB at 100,000 items\n`
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:edge failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
