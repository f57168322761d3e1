import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CanonicalEvent } from '@plantbridge/canonical-model';
import type { SapConfirmation } from '@plantbridge/erp';
import { startErpSimulatorProcess } from '@plantbridge/erp-simulator/testing';
import { MesClient } from '@plantbridge/mes-client';
import type { JetStreamConnection } from '@plantbridge/messaging';
import { connectForTest, consumersSettled, deleteDurables, readStream } from '@plantbridge/messaging/testing';
import { countingMapping, LineControlClient } from '@plantbridge/opcua-simulator';
import { startLineSimulatorProcess } from '@plantbridge/opcua-simulator/testing';
import { expectEventually, freePort, ServiceProcess, TEST_NATS_URL, uniqueToken } from '@plantbridge/testing';
import { LocalIssuer } from '@plantbridge/token-issuer';

jest.setTimeout(240_000);

const ROLLOVER = 65_536;
const MACHINES = ['M01', 'M02'];
/** What each piece consumes, backflushed when the operation is confirmed; ERP's opening stock of each. */
const BILL_OF_MATERIAL = [
  { material: 'RM-100', quantityPerUnit: 2, operation: '0010', backflush: true },
  { material: 'RM-200', quantityPerUnit: 0.5, operation: '0010', backflush: true, batch: 'B1', unit: 'KG' },
];
const OPENING_STOCK = 10_000_000;

/**
 * The seed's scenario end to end, every service and simulator as its own process: ERP releases orders, MES
 * acknowledges them and starts their operations on machines, the machines produce, the edge
 * gateway counts, production-order-sync turns counts into confirmations, and ERP receives each
 * exactly once, through an ERP outage and an OPC UA server restart in the middle of production;
 * inventory-movement receives each posted confirmation's yield and backflushes its components, so
 * ERP's stock of the output and of each component moves by exactly what was made and consumed.
 * The assertions come from the ERP simulator's ledger and stock and the services' APIs.
 */
describe('plant scenario: ERP orders to machine counts to ERP confirmations and stock, as processes', () => {
  // SAP's plant codes have 4 characters, and material documents carry the plant.
  const plant = uniqueToken('S').slice(0, 4).toUpperCase();
  let dir: string;
  let nats: JetStreamConnection;
  let plc: ServiceProcess;
  let line: LineControlClient;
  let opcuaPort: number;
  let erp: ServiceProcess;
  let orderSync: ServiceProcess;
  let inventory: ServiceProcess;
  let inventoryPort: number;
  let gateway: ServiceProcess;
  let erpUrl: string;
  let mes: MesClient;
  let inventoryToken: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plant-scenario-'));
    nats = await connectForTest(TEST_NATS_URL);
    // The PLC: the OPC UA line simulator as its own process, driven through its control API.
    const lineSim = await startLineSimulatorProcess({
      machines: MACHINES.length,
      seed: 5,
      tickMs: 25,
      dataDir: join(dir, 'plc'),
    });
    plc = lineSim.process;
    opcuaPort = lineSim.port;
    line = new LineControlClient(lineSim.controlUrl);
    // Nothing is made before MES starts an operation: every part belongs to an order.
    for (const machine of MACHINES) await line.setState(machine, 'NotExecuting');

    const erpSim = await startErpSimulatorProcess(plant);
    erp = erpSim.process;
    erpUrl = erpSim.url;

    // The services take the tokens of a local issuer, as a plant's take its OIDC provider's; the MES
    // may do everything in the plant. No rate limit: the scenario is one client, polling.
    const issuer = await LocalIssuer.inFolder(join(dir, 'auth'));
    const auth = { ...issuer.env(), RATE_LIMIT_PER_S: '0' };
    const token = await issuer.tokenForEverything([plant], 'scenario-mes');

    const orderSyncPort = await freePort();
    orderSync = ServiceProcess.start('production-order-sync', {
      ...auth,
      HTTP_PORT: String(orderSyncPort),
      PLANT_ID: plant,
      NATS_URL: TEST_NATS_URL,
      DATA_DIR: join(dir, 'order-sync'),
      ERP_BASE_URL: erpUrl,
      ORDER_POLL_MS: '300',
      AUTO_CONFIRM_COUNTS: 'true',
      ERP_TIMEOUT_MS: '2000',
      ERP_REQUEST_LIMIT_MS: '3000', // the simulator commits before it answers
      ADMISSION_MAX_EVENT_LOOP_DELAY_MS: '10000',
      ERP_BREAKER_HALF_OPEN_MS: '1000',
      POSTING_RETRY_MAX_DELAY_MS: '1000',
      LOG_LEVEL: 'warn',
    });
    mes = new MesClient(`http://127.0.0.1:${orderSyncPort}`, plant, 'scenario-mes', token);

    inventoryPort = await freePort();
    inventory = ServiceProcess.start('inventory-movement', {
      ...auth,
      HTTP_PORT: String(inventoryPort),
      PLANT_ID: plant,
      NATS_URL: TEST_NATS_URL,
      DATA_DIR: join(dir, 'inventory'),
      ERP_BASE_URL: erpUrl,
      AUTO_GOODS_RECEIPT: 'true',
      AUTO_BACKFLUSH: 'true',
      ERP_TIMEOUT_MS: '2000',
      ERP_REQUEST_LIMIT_MS: '3000',
      ADMISSION_MAX_EVENT_LOOP_DELAY_MS: '10000',
      ERP_BREAKER_HALF_OPEN_MS: '1000',
      POSTING_RETRY_MAX_DELAY_MS: '1000',
      STOCK_RECONCILE_EVERY_MS: '0',
      LOG_LEVEL: 'warn',
    });
    inventoryToken = token;

    const mappingFile = join(dir, 'mapping.json');
    writeFileSync(
      mappingFile,
      JSON.stringify(
        countingMapping({
          opcuaPort,
          plant,
          machines: MACHINES,
          countAggregation: { intervalMs: 1000, unitStep: 50 },
        }),
      ),
    );
    const gatewayPort = await freePort();
    gateway = ServiceProcess.start('edge-gateway', {
      ...auth,
      HTTP_PORT: String(gatewayPort),
      PLANT_ID: plant,
      NATS_URL: TEST_NATS_URL,
      DATA_DIR: join(dir, 'gateway'),
      TAG_MAPPING_FILE: mappingFile,
      EVENT_BATCH_MS: '20',
      LOG_LEVEL: 'warn',
    });
    await expectEventually(
      async () => {
        for (const port of [orderSyncPort, gatewayPort, inventoryPort]) {
          expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
        }
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  });

  afterAll(async () => {
    for (const service of [gateway, orderSync, inventory, erp, plc]) await service?.stop();
    if (nats) {
      await deleteDurables(nats, plant);
      await nats.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('confirms every part the machines made to ERP exactly once, per order, through an ERP outage and an OPC UA restart', async () => {
    // ERP holds the components' stock and releases one order per machine; MES sees them,
    // acknowledges them and starts operation 0010.
    await erpControl('PUT', '/stock', {
      positions: BILL_OF_MATERIAL.map((c) => ({
        plant,
        material: c.material,
        storageLocation: '0001',
        batch: c.batch,
        quantity: OPENING_STOCK,
      })),
    });
    const released: string[] = [];
    for (const _ of MACHINES) {
      const response = await fetch(`${erpUrl}/__sim/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ plant, quantity: 1_000_000, operations: 1, components: BILL_OF_MATERIAL }),
      });
      released.push(((await response.json()) as { ManufacturingOrder: string }).ManufacturingOrder);
    }
    await expectEventually(
      async () =>
        expect((await mes.orders('released')).map((o) => o.manufacturingOrder).sort()).toEqual(
          [...released].sort(),
        ),
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    const machineOf = new Map(released.map((order, i) => [order, MACHINES[i]]));
    for (const [order, machine] of machineOf) {
      await mes.acknowledge(order);
      await mes.startOperation(order, '0010', `${plant}-${machine}`);
      // A repeated step (MES retrying after a timeout) changes nothing.
      await mes.acknowledge(order);
    }
    await expectEventually(async () => expect(await consumersSettled(nats, 'PRODUCTION', plant)).toBe(true), {
      timeoutMs: 20_000,
      intervalMs: 200,
    });

    // Production, with ERP away for a while and the PLC's OPC UA server restarting meanwhile.
    const before = await counters(line);
    for (const machine of MACHINES) await line.setState(machine, 'Executing');
    await sleep(3000);
    await setErpFaults({ outageMs: 6000 });
    await sleep(1500);
    await line.restart(1000);
    await sleep(6000);
    for (const machine of MACHINES) await line.setState(machine, 'NotExecuting');
    const after = await counters(line);
    const produced = Object.fromEntries(
      MACHINES.map((m) => [
        m,
        {
          good: (after[m].good - before[m].good + ROLLOVER) % ROLLOVER,
          scrap: (after[m].scrap - before[m].scrap + ROLLOVER) % ROLLOVER,
        },
      ]),
    );
    for (const m of MACHINES) expect(produced[m].good).toBeGreaterThan(20);
    // The operations end once the gateway has published the last parts (no part after the end).
    await expectEventually(async () => expect(await cyclesPublished(nats, plant)).toEqual(produced), {
      timeoutMs: 20_000,
      intervalMs: 250,
    });
    for (const order of released) await mes.completeOperation(order, '0010');

    // ERP's ledger: per order exactly what its machine made, each confirmation once.
    const ledger = await expectEventually(
      async () => {
        const entries = await erpLedger();
        const totals = totalsByOrder(entries);
        for (const [order, machine] of machineOf) {
          expect({ order, ...totals[order] }).toEqual({ order, ...produced[machine] });
        }
        return entries;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    const keys = ledger.map((c) => c.ExternalSystemConfirmation);
    expect(new Set(keys).size).toBe(keys.length);

    // production-order-sync agrees: every confirmation of the orders is posted, none failed.
    for (const order of released) {
      const confirmations = await mes.confirmations(order);
      expect(confirmations.map((c) => c.status)).toEqual(confirmations.map(() => 'posted'));
      expect(confirmations.length).toBe(ledger.filter((c) => c.OrderID === order).length);
    }
    // ERP's stock: the output received and each component backflushed by exactly what was made, each
    // movement one material document.
    const made = Object.values(produced).reduce((sum, p) => sum + p.good, 0);
    const used = Object.values(produced).reduce((sum, p) => sum + p.good + p.scrap, 0);
    await expectEventually(
      async () => {
        const stock = await erpStock();
        expect(stock).toEqual({
          'FG-1000/FG01/': made,
          'RM-100/0001/': OPENING_STOCK - 2 * used,
          'RM-200/0001/B1': OPENING_STOCK - 0.5 * used,
        });
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const documents = (await erpControl('GET', '/material-documents?from=0')) as {
      documents: Array<{ to_MaterialDocumentItem: { results: Array<{ MaterialDocumentItemText: string }> } }>;
    };
    const texts = documents.documents.flatMap((d) =>
      d.to_MaterialDocumentItem.results.map((i) => i.MaterialDocumentItemText),
    );
    expect(new Set(texts).size).toBe(texts.length);
    // One receipt per confirmation, one issue per component and confirmation, every one posted.
    expect(texts.length).toBe(ledger.length * (1 + BILL_OF_MATERIAL.length));
    // ERP commits before the service hears its answer: its ledger catches up a moment later.
    await expectEventually(
      async () => {
        const movements = (await (
          await fetch(`http://127.0.0.1:${inventoryPort}/v1/plants/${plant}/material-movements?limit=1000`, {
            headers: { authorization: `Bearer ${inventoryToken}` },
          })
        ).json()) as Array<{ status: string }>;
        expect(movements.length).toBe(texts.length);
        expect(movements.map((m) => m.status)).toEqual(movements.map(() => 'posted'));
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );

    // The outage really happened: ERP answered 503 to posting attempts.
    const requests = (await (await fetch(`${erpUrl}/__sim/requests`)).json()) as {
      requests: Array<{ status: number; path: string }>;
    };
    expect(requests.requests.some((r) => r.status === 503)).toBe(true);
  });

  async function setErpFaults(faults: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${erpUrl}/__sim/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(faults),
    });
    expect(response.ok).toBe(true);
  }

  async function erpControl(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${erpUrl}/__sim${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.ok).toBe(true);
    return response.json();
  }

  /** ERP's stock of this plant that is not zero, by `material/storage location/batch`. */
  async function erpStock(): Promise<Record<string, number>> {
    const { positions } = (await erpControl('GET', `/stock?plant=${plant}`)) as {
      positions: Array<{ material: string; storageLocation: string; batch: string; quantity: number }>;
    };
    return Object.fromEntries(
      positions.map((p) => [`${p.material}/${p.storageLocation}/${p.batch}`, p.quantity]),
    );
  }

  async function erpLedger(): Promise<SapConfirmation[]> {
    const page = (await (await fetch(`${erpUrl}/__sim/ledger?from=0`)).json()) as {
      confirmations: SapConfirmation[];
    };
    return page.confirmations;
  }
});

async function counters(line: LineControlClient): Promise<Record<string, { good: number; scrap: number }>> {
  const machines = await line.machines();
  return Object.fromEntries(machines.map((m) => [m.id, { good: m.goodCount, scrap: m.scrapCount }]));
}

function totalsByOrder(entries: SapConfirmation[]): Record<string, { good: number; scrap: number }> {
  const totals: Record<string, { good: number; scrap: number }> = {};
  for (const c of entries) {
    totals[c.OrderID] ??= { good: 0, scrap: 0 };
    totals[c.OrderID].good += Number(c.ConfirmationYieldQuantity);
    totals[c.OrderID].scrap += Number(c.ConfirmationScrapQuantity);
  }
  return totals;
}

/** Parts per machine in the gateway's cycle-completed events of this plant. */
async function cyclesPublished(
  nats: JetStreamConnection,
  plant: string,
): Promise<Record<string, { good: number; scrap: number }>> {
  const totals = Object.fromEntries(MACHINES.map((m) => [m, { good: 0, scrap: 0 }]));
  for (const message of await readStream(nats, 'EQUIPMENT', `mfg.equipment.v1.${plant}.cycle-completed`)) {
    const data = (JSON.parse(message.body) as CanonicalEvent<'plantbridge.equipment.cycle-completed.v1'>)
      .data;
    const machine = data.equipmentId.slice(plant.length + 1);
    totals[machine].good += data.goodCount;
    totals[machine].scrap += data.scrapCount;
  }
  return totals;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
