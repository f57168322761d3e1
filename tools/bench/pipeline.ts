import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type CanonicalEvent, Production } from '@plantbridge/canonical-model';
import { startErpSimulatorProcess } from '@plantbridge/erp-simulator/testing';
import { MesClient } from '@plantbridge/mes-client';
import { countingMapping, LineControlClient, type MachineView } from '@plantbridge/opcua-simulator';
import { startLineSimulatorProcess } from '@plantbridge/opcua-simulator/testing';
import { connectForTest, consumersSettled, deleteDurables, readStream } from '@plantbridge/messaging/testing';
import { expectEventually, freePort, ServiceProcess, uniqueToken } from '@plantbridge/testing';
import { benchAuth } from './lib/auth';
import { confirmationPublishCeiling } from './lib/jetstream-ceiling';
import { CpuMeter, peakRssMb } from './lib/process-stats';
import { machine, progress, table, writeResult } from './lib/report';
import { percentile, round } from './lib/stats';

const HELP = `npm run bench:pipeline -- [options]

The whole path of a part, measured in one run: OPC UA line simulator counters -> edge-gateway ->
JetStream -> production-order-sync (production counts become confirmations) -> ERP simulator posted.
A scripted MES starts one order per machine; the machines produce for --seconds; then it checks that
ERP holds exactly the parts made per order and reports parts/s, confirmations/s, latency from the
end of a count period to its ERP posting (p50/p99), CPU and peak memory per process, and this
machine's JetStream publish ceiling from the same run. Writes bench/results/pipeline-<time>.json.

Options:
  --machines <n>      machines on the line, one order each (default 6)
  --tick-ms <n>       the simulator's machine step (default 20; a step makes a part or not)
  --interval-ms <n>   the gateway's count period per order operation (default 500)
  --seconds <n>       production time (default 20)
  --nats <url>        NATS with JetStream (default NATS_URL or nats://127.0.0.1:4222)
  -h, --help          this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      machines: { type: 'string', default: '6' },
      'tick-ms': { type: 'string', default: '20' },
      'interval-ms': { type: 'string', default: '500' },
      seconds: { type: 'string', default: '20' },
      nats: { type: 'string', default: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(HELP);
  const machineCount = Number(values.machines);
  const machineIds = Array.from({ length: machineCount }, (_, i) => `M${String(i + 1).padStart(2, '0')}`);
  const plant = uniqueToken('PL');
  const dir = mkdtempSync(join(tmpdir(), 'bench-pipeline-'));
  const children: ServiceProcess[] = [];
  const nats = await connectForTest(values.nats, 'bench-pipeline');
  try {
    const [erp, line] = await Promise.all([
      startErpSimulatorProcess(plant),
      startLineSimulatorProcess({
        machines: machineCount,
        tickMs: Number(values['tick-ms']),
        dataDir: join(dir, 'plc'),
      }),
    ]);
    children.push(erp.process, line.process);
    const plc = new LineControlClient(line.controlUrl);
    for (const id of machineIds) await plc.setState(id, 'NotExecuting');

    progress(`production-order-sync and edge-gateway for ${machineCount} machines`);
    const auth = await benchAuth(dir, [plant]);
    const orderSyncPort = await freePort();
    const orderSync = ServiceProcess.start('production-order-sync', {
      HTTP_PORT: String(orderSyncPort),
      PLANT_ID: plant,
      NATS_URL: values.nats,
      DATA_DIR: join(dir, 'order-sync'),
      ERP_BASE_URL: erp.url,
      ERP_REQUEST_LIMIT_MS: '2000', // the simulator commits before it answers
      ORDER_POLL_MS: '300',
      AUTO_CONFIRM_COUNTS: 'true',
      LOG_LEVEL: 'warn',
      ...auth.env,
    });
    children.push(orderSync);
    const mappingFile = join(dir, 'mapping.json');
    writeFileSync(
      mappingFile,
      JSON.stringify(
        countingMapping({
          opcuaPort: line.port,
          plant,
          machines: machineIds,
          countAggregation: { intervalMs: Number(values['interval-ms']), unitStep: 1_000_000 },
        }),
      ),
    );
    const gatewayPort = await freePort();
    const gateway = ServiceProcess.start('edge-gateway', {
      HTTP_PORT: String(gatewayPort),
      PLANT_ID: plant,
      NATS_URL: values.nats,
      DATA_DIR: join(dir, 'gateway'),
      TAG_MAPPING_FILE: mappingFile,
      LOG_LEVEL: 'warn',
      ...auth.env,
    });
    children.push(gateway);
    await expectEventually(
      async () => {
        for (const port of [orderSyncPort, gatewayPort]) {
          if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).status !== 200)
            throw new Error(`service on :${port} not ready`);
        }
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );

    // One order per machine, acknowledged and started by the MES script's client.
    const mes = new MesClient(`http://127.0.0.1:${orderSyncPort}`, plant, 'bench-mes', auth.token);
    const orders: string[] = [];
    for (const _ of machineIds) {
      const order = (await post(`${erp.url}/__sim/orders`, {
        plant,
        quantity: 10_000_000,
        operations: 1,
      })) as {
        ManufacturingOrder: string;
      };
      orders.push(order.ManufacturingOrder);
    }
    await expectEventually(async () => {
      if ((await mes.orders('released')).length !== orders.length) throw new Error('orders not released yet');
    });
    for (const [i, order] of orders.entries()) {
      await mes.acknowledge(order);
      await mes.startOperation(order, '0010', `${plant}-${machineIds[i]}`);
    }
    await expectEventually(async () => {
      if (!(await consumersSettled(nats, 'PRODUCTION', plant))) throw new Error('context not delivered yet');
    });

    progress(`producing for ${values.seconds} s`);
    const meters = { gateway, orderSync, line: line.process, erp: erp.process };
    const cpu = Object.fromEntries(Object.entries(meters).map(([k, p]) => [k, new CpuMeter(p.pid)]));
    Object.values(cpu).forEach((m) => m.start());
    const before = await counters(plc);
    const started = performance.now();
    for (const id of machineIds) await plc.setState(id, 'Executing');
    await new Promise((resolve) => setTimeout(resolve, Number(values.seconds) * 1000));
    for (const id of machineIds) await plc.setState(id, 'NotExecuting');
    const productionS = (performance.now() - started) / 1000;
    const after = await counters(plc);
    const produced = machineIds.map((m) => ({
      good: (after[m].goodCount - before[m].goodCount + 65_536) % 65_536,
      scrap: (after[m].scrapCount - before[m].scrapCount + 65_536) % 65_536,
    }));
    // The last open periods close when the operations complete.
    await new Promise((resolve) => setTimeout(resolve, 2 * Number(values['interval-ms'])));
    for (const order of orders) await mes.completeOperation(order, '0010');

    progress('waiting until ERP holds every part');
    const ledger = await expectEventually(
      async () => {
        const page = (await (await fetch(`${erp.url}/__sim/ledger?from=0`)).json()) as {
          confirmations: Array<{
            OrderID: string;
            ConfirmationYieldQuantity: string;
            ConfirmationScrapQuantity: string;
            ExternalSystemConfirmation: string;
          }>;
          committedAt: number[];
        };
        orders.forEach((order, i) => {
          const mine = page.confirmations.filter((c) => c.OrderID === order);
          const good = mine.reduce((sum, c) => sum + Number(c.ConfirmationYieldQuantity), 0);
          const scrap = mine.reduce((sum, c) => sum + Number(c.ConfirmationScrapQuantity), 0);
          if (good !== produced[i].good || scrap !== produced[i].scrap)
            throw new Error(
              `order ${order}: ERP has ${good}+${scrap}, the machine made ${produced[i].good}+${produced[i].scrap}`,
            );
        });
        return page;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const elapsedS = (performance.now() - started) / 1000;
    const cores = Object.fromEntries(Object.entries(cpu).map(([k, m]) => [k, round(m.cores(), 2)]));

    // Latency: the end of a count period (the gateway's clock) to ERP's commit of its confirmation.
    const committedAt = new Map(
      ledger.confirmations.map((c, i) => [c.ExternalSystemConfirmation, ledger.committedAt[i]]),
    );
    const counted = await readStream(nats, 'EQUIPMENT', `mfg.equipment.v1.${plant}.production-counted`);
    const latencies = counted.flatMap((m) => {
      const event = JSON.parse(m.body) as CanonicalEvent<'plantbridge.equipment.production-counted.v1'>;
      const at = committedAt.get(Production.confirmationKeyForCount(event.id));
      return at === undefined ? [] : [at - Date.parse(event.data.periodEnd)];
    });
    const parts = produced.reduce((sum, p) => sum + p.good + p.scrap, 0);

    const jetstream = await confirmationPublishCeiling(values.nats, plant);

    const result = {
      benchmark: 'pipeline',
      measuredAt: new Date().toISOString(),
      machine: machine(),
      settings: {
        machines: machineCount,
        tickMs: Number(values['tick-ms']),
        countIntervalMs: Number(values['interval-ms']),
        productionSeconds: round(productionS, 1),
      },
      ceilings: { jetStreamPublishPerSecond: round(jetstream, 0) },
      parts,
      partsPerSecond: round(parts / productionS, 0),
      confirmationsPosted: ledger.confirmations.length,
      confirmationsPerSecond: round(ledger.confirmations.length / productionS, 1),
      exactPerOrder: true,
      latencyP50Ms: round(percentile(latencies, 50)),
      latencyP99Ms: round(percentile(latencies, 99)),
      cpuCores: cores,
      peakRssMb: { gateway: round(peakRssMb(gateway.pid), 0), orderSync: round(peakRssMb(orderSync.pid), 0) },
      wallSeconds: round(elapsedS, 1),
    };
    const file = writeResult('pipeline', result);
    process.stdout.write(
      `\nmachine counters -> edge-gateway -> JetStream -> production-order-sync -> ERP, ${machineCount} machines, ${machine().cpus} cores\n\n` +
        table(
          [
            'parts',
            'parts/s',
            'confirmations',
            'conf/s',
            'period end->ERP p50',
            'p99',
            'gateway CPU',
            'order-sync CPU',
            'gateway MB',
            'order-sync MB',
          ],
          [
            [
              parts,
              result.partsPerSecond,
              result.confirmationsPosted,
              result.confirmationsPerSecond,
              `${result.latencyP50Ms} ms`,
              `${result.latencyP99Ms} ms`,
              cores.gateway,
              cores.orderSync,
              result.peakRssMb.gateway,
              result.peakRssMb.orderSync,
            ],
          ],
        ) +
        `\n\nERP holds exactly the parts each machine made, per order. JetStream publish ceiling (same run): ${result.ceilings.jetStreamPublishPerSecond} msgs/s\n` +
        `written to ${file}\n`,
    );
  } finally {
    for (const child of children.reverse()) await child.stop();
    await deleteDurables(nats, plant);
    await nats.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function post(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

async function counters(plc: LineControlClient): Promise<Record<string, MachineView>> {
  return Object.fromEntries((await plc.machines()).map((m) => [m.id, m]));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:pipeline failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
