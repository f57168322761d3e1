import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CanonicalEvent, createEvent, Production } from '@plantbridge/canonical-model';
import { samplePayload } from '@plantbridge/canonical-model/testing';
import { EventPublisher, type JetStreamConnection } from '@plantbridge/messaging';
import { connectForTest, deleteDurables, readStream } from '@plantbridge/messaging/testing';
import { LineSimulator } from '@plantbridge/opcua-simulator';
import {
  expectEventually,
  freePort,
  NatsServerProcess,
  ServiceProcess,
  TEST_NATS_URL,
  uniqueToken,
} from '@plantbridge/testing';
import {
  gatewayAuth,
  startGatewayProcess,
  startLineSimulator,
  untilEndpoints,
  writeTagMapping,
} from './gateway-under-test';

jest.setTimeout(120_000);

const ROLLOVER = 65_536;

describe('edge gateway as a process, reading the OPC UA line simulator, publishing to NATS', () => {
  const plant = uniqueToken('E');
  let dir: string;
  let simulator: LineSimulator;
  let gateway: ServiceProcess;
  let nats: JetStreamConnection;
  let port: number;
  /** What the gateway needs to accept the tokens of the local issuer. */
  let authEnv: Record<string, string>;
  /** A token to read the endpoints (opcua:read) and /metrics (management:read) of the plant. */
  let auth: { authorization: string };
  /** GET of the gateway's API, with the token. */
  const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`, { headers: auth });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edge-'));
    const tokens = await gatewayAuth(dir, {
      subject: 'edge-test',
      scopes: ['opcua:read', 'management:read'],
      plants: [plant],
    });
    authEnv = tokens.env;
    auth = tokens.headers;
    nats = await connectForTest(TEST_NATS_URL);
    simulator = await startLineSimulator(join(dir, 'plc'), { machines: 2, seed: 11, tickMs: 20 });
    port = await freePort();
  });

  afterAll(async () => {
    await gateway?.stop();
    await simulator.stop();
    await deleteDurables(nats, plant);
    await nats.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const mappingFor = (machines: string[]) => ({
    endpoints: [
      {
        id: 'line1',
        url: simulator.endpointUrl,
        tags: machines.flatMap((m) => [
          { nodeId: simulator.nodeId(m, 'State'), equipmentId: `${plant}-${m}`, signal: 'state' },
          {
            nodeId: simulator.nodeId(m, 'GoodParts'),
            equipmentId: `${plant}-${m}`,
            signal: 'counter',
            counter: 'good',
            max: 65535,
          },
          {
            nodeId: simulator.nodeId(m, 'ScrapParts'),
            equipmentId: `${plant}-${m}`,
            signal: 'counter',
            counter: 'scrap',
            max: 65535,
          },
          {
            nodeId: simulator.nodeId(m, 'Temperature'),
            equipmentId: `${plant}-${m}`,
            signal: 'telemetry',
            name: 'temperature',
            intervalMs: 0,
          },
        ]),
      },
    ],
    countAggregation: { intervalMs: 500, unitStep: 20 },
  });

  async function startGateway(natsUrl = TEST_NATS_URL): Promise<void> {
    writeTagMapping(dir, mappingFor(['M01', 'M02']));
    gateway = startGatewayProcess({
      dir,
      port,
      plant,
      authEnv,
      env: { NATS_URL: natsUrl, EVENT_BATCH_MS: '20' },
    });
    await untilEndpoints(port, auth);
  }

  const counts = () =>
    Object.fromEntries(simulator.machines.map((m) => [m.id, { good: m.goodCount, scrap: m.scrapCount }]));
  const produced = (from: number, to: number) => (to - from + ROLLOVER) % ROLLOVER;

  async function publishedCounts(from = nats): Promise<Record<string, { good: number; scrap: number }>> {
    const stored = await readStream(from, 'EQUIPMENT', `mfg.equipment.v1.${plant}.cycle-completed`);
    const totals: Record<string, { good: number; scrap: number }> = {};
    for (const m of stored) {
      const event = JSON.parse(m.body) as CanonicalEvent<'plantbridge.equipment.cycle-completed.v1'>;
      const machine = event.data.equipmentId.slice(plant.length + 1);
      totals[machine] ??= { good: 0, scrap: 0 };
      totals[machine].good += event.data.goodCount;
      totals[machine].scrap += event.data.scrapCount;
    }
    return totals;
  }

  it('publishes exactly the parts made as cycle-completed counts, through a counter rollover, a reset and an OPC UA server restart', async () => {
    for (const m of ['M01', 'M02']) simulator.setState(m, 'NotExecuting');
    simulator.setCounter('M02', 'good', 65_500); // rolls over while running
    await startGateway();
    const initial = counts();

    for (const m of ['M01', 'M02']) simulator.setState(m, 'Executing');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await simulator.restart(500);
    await expectEventually(
      async () => {
        const [endpoint] = (await (await get('/v1/opcua/endpoints')).json()) as Array<{
          state: string;
          connects: number;
        }>;
        expect(endpoint).toMatchObject({ state: 'connected', connects: 2 });
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (const m of ['M01', 'M02']) simulator.setState(m, 'NotExecuting');
    const final = counts();
    simulator.setCounter('M01', 'scrap', 0); // an operator's reset: no part was made

    const expected = Object.fromEntries(
      ['M01', 'M02'].map((m) => [
        m,
        { good: produced(initial[m].good, final[m].good), scrap: produced(initial[m].scrap, final[m].scrap) },
      ]),
    );
    expect(final.M02.good).toBeLessThan(initial.M02.good); // the rollover happened
    expect(expected.M01.good).toBeGreaterThan(20);
    await expectEventually(async () => expect(await publishedCounts()).toEqual(expected), {
      timeoutMs: 20_000,
      intervalMs: 500,
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await publishedCounts()).toEqual(expected); // and nothing more arrives
    expect(simulator.subscriptionCount()).toBe(1);

    const states = await readStream(nats, 'EQUIPMENT', `mfg.equipment.v1.${plant}.state-changed`);
    const m01 = states
      .map((s) => (JSON.parse(s.body) as CanonicalEvent<'plantbridge.equipment.state-changed.v1'>).data)
      .filter((d) => d.equipmentId.endsWith('M01'));
    expect(m01.map((d) => d.state)).toEqual(['NotExecuting', 'Executing', 'NotExecuting']);
    expect(m01[2]).toMatchObject({ previousState: 'Executing', previousStateDurationMs: expect.any(Number) });

    // The other machines keep producing: the buffer is empty between two batches, not at every instant.
    const metrics = await expectEventually(async () => {
      const ready = (await (await fetch(`http://127.0.0.1:${port}/health/ready`)).json()) as {
        details: Record<string, unknown>;
      };
      expect(ready.details.opcua).toMatchObject({
        status: 'up',
        endpoints: { line1: { state: 'connected', refusedTags: 0, samples: expect.any(Number) } },
        buffer: { depth: 0, eventsCommitted: expect.any(Number), eventsPublished: expect.any(Number) },
      });
      const buffer = (ready.details.opcua as { buffer: { eventsCommitted: number; eventsPublished: number } })
        .buffer;
      expect(buffer.eventsCommitted).toBeGreaterThan(0);
      expect(buffer.eventsPublished).toBe(buffer.eventsCommitted);
      const text = await (await get('/metrics')).text();
      expect(text).toMatch(/plantbridge_buffer_depth 0/);
      return text;
    });
    expect(metrics).toMatch(/plantbridge_opcua_samples_total\{endpoint="line1"\} [1-9]/);
    expect(metrics).toMatch(
      /plantbridge_equipment_events_total\{type="plantbridge.equipment.cycle-completed.v1"\} [1-9]/,
    );
    expect(metrics).toMatch(/plantbridge_opcua_endpoint_state\{endpoint="line1",state="connected"\} 1/);
  });

  it('browses the address space page by page to help write the mapping, with clear errors', async () => {
    const browse = async (path: string) => {
      const response = await get(`/v1/opcua/endpoints${path}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    type Page = {
      references: Array<{ nodeId: string; browseName: string; nodeClass: string }>;
      continuationPoint: string | null;
    };
    const objects = (await browse('/line1/browse')).body as unknown as Page;
    expect(objects.references).toContainEqual(
      expect.objectContaining({ nodeId: 'ns=1;s=Line1', nodeClass: 'Object' }),
    );

    const names: string[] = [];
    let page = (
      await browse(`/line1/browse?nodeId=${encodeURIComponent('ns=1;s=Line1.M01')}&maxReferences=2`)
    ).body as unknown as Page;
    let pages = 1;
    names.push(...page.references.map((r) => r.browseName));
    while (page.continuationPoint) {
      expect(page.references).toHaveLength(2);
      expect(page.continuationPoint).toMatch(/^[A-Za-z0-9_-]+$/); // safe in a URL as it is
      page = (await browse(`/line1/browse?continuationPoint=${encodeURIComponent(page.continuationPoint)}`))
        .body as unknown as Page;
      names.push(...page.references.map((r) => r.browseName));
      pages += 1;
    }
    expect(pages).toBe(6);
    expect(names.map((n) => n.replace(/^\d+:/, '')).sort()).toEqual([
      'AlarmActive',
      'AlarmCode',
      'AlarmMessage',
      'AlarmSeverity',
      'GoodParts',
      'GoodParts64',
      'Running',
      'ScrapParts',
      'State',
      'StateName',
      'Temperature',
    ]);

    expect(await browse(`/line1/browse?nodeId=${encodeURIComponent('ns=1;s=Nowhere')}`)).toMatchObject({
      status: 404,
    });
    expect(await browse('/line1/browse?nodeId=Line1')).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'nodeId', reason: expect.stringMatching(/OPC UA node id/) }] },
    });
    expect(await browse('/line1/browse?continuationPoint=AAAAAAAAAAAAAAAA')).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'continuationPoint', reason: expect.stringMatching(/browse again/) }] },
    });
    expect(await browse('/line1/browse?maxReferences=5000')).toMatchObject({ status: 400 });
    expect(await browse('/line9/browse')).toMatchObject({ status: 404 });
  });

  it('adds the counts of an order operation up into production-counted events, across a gateway kill, and batches telemetry', async () => {
    const operation = { manufacturingOrder: uniqueToken('').slice(-12), operation: '0010' };
    const equipmentId = `${plant}-M01`;
    const publisher = new EventPublisher(nats);
    const publish = (event: CanonicalEvent) => publisher.publish(event);
    const origin = { plant, source: '/test/mes' };
    await publish(
      createEvent(
        Production.OperationStartedV1Event,
        { ...samplePayload('plantbridge.production.operation-started.v1'), ...operation, plant, equipmentId },
        origin,
      ),
    );
    simulator.setState('M01', 'Executing');
    const cyclesInOperation = async () =>
      (await readStream(nats, 'EQUIPMENT', `mfg.equipment.v1.${plant}.cycle-completed`))
        .map((m) => (JSON.parse(m.body) as CanonicalEvent<'plantbridge.equipment.cycle-completed.v1'>).data)
        .filter((d) => d.context?.manufacturingOrder === operation.manufacturingOrder);
    await expectEventually(async () => expect((await cyclesInOperation()).length).toBeGreaterThan(3), {
      timeoutMs: 20_000,
    });
    await gateway.stop('SIGKILL');
    await startGateway();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await publish(
      createEvent(
        Production.OperationCompletedV1Event,
        {
          ...samplePayload('plantbridge.production.operation-completed.v1'),
          ...operation,
          plant,
          equipmentId,
        },
        origin,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    simulator.setState('M01', 'NotExecuting');

    const parts = (d: { goodCount: number; scrapCount: number }) => d.goodCount + d.scrapCount;
    const sum = <T>(items: T[], of: (item: T) => number) => items.reduce((total, i) => total + of(i), 0);
    const countedPeriods = async () =>
      (await readStream(nats, 'EQUIPMENT', `mfg.equipment.v1.${plant}.production-counted`))
        .map(
          (m) => (JSON.parse(m.body) as CanonicalEvent<'plantbridge.equipment.production-counted.v1'>).data,
        )
        .filter((d) => d.manufacturingOrder === operation.manufacturingOrder);
    await expectEventually(
      async () => {
        const cycles = await cyclesInOperation();
        expect(sum(cycles, parts)).toBeGreaterThan(20);
        expect(sum(await countedPeriods(), parts)).toBe(sum(cycles, parts));
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    const periods = await countedPeriods();
    expect(periods.length).toBeGreaterThan(1);
    for (const p of periods) {
      expect(p).toMatchObject({ equipmentId, plant, operation: '0010', unit: 'PC' });
      expect(p.periodEnd >= p.periodStart).toBe(true);
    }

    const reports = await readStream(nats, 'TELEMETRY', `mfg.telemetry.v1.${plant}.samples-reported`);
    const temperatures = reports
      .flatMap(
        (m) =>
          (JSON.parse(m.body) as CanonicalEvent<'plantbridge.telemetry.samples-reported.v1'>).data.samples,
      )
      .filter((t) => t.equipmentId === equipmentId);
    expect(temperatures.length).toBeGreaterThan(10);
    expect(temperatures[0]).toMatchObject({ signal: 'temperature', value: expect.any(Number) });
  });

  it('keeps every event while NATS is away, also across a gateway restart, and delivers them once, in order', async () => {
    await gateway.stop();
    const broker = await NatsServerProcess.start();
    const ownNats = await connectForTest(broker.url, 'edge-outage-test');
    try {
      // The gateway remembers each machine's state: only a change it has not seen makes an event.
      for (const m of ['M01', 'M02']) simulator.setState(m, 'OutOfService');
      await startGateway(broker.url);
      for (const m of ['M01', 'M02']) simulator.setState(m, 'NotExecuting');
      await expectEventually(
        async () =>
          expect(await readStream(ownNats, 'EQUIPMENT', `mfg.equipment.v1.${plant}.>`)).not.toHaveLength(0),
        {
          timeoutMs: 20_000,
        },
      );
      // What the earlier runs of the gateway committed and had not relayed yet reaches this broker too.
      await expectEventually(async () => {
        const ready = (await (await fetch(`http://127.0.0.1:${port}/health/ready`)).json()) as {
          details: { opcua: { buffer: { depth: number } } };
        };
        expect(ready.details.opcua.buffer.depth).toBe(0);
      });
      const before = await publishedCounts(ownNats);
      const initial = counts();
      for (const m of ['M01', 'M02']) simulator.setState(m, 'Executing');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await broker.stop();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await gateway.stop(); // a gateway restart while the broker is away
      await startGateway(broker.url);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      for (const m of ['M01', 'M02']) simulator.setState(m, 'NotExecuting');
      const final = counts();
      await broker.start();
      const expected = Object.fromEntries(
        ['M01', 'M02'].map((m) => [
          m,
          {
            good: (before[m]?.good ?? 0) + produced(initial[m].good, final[m].good),
            scrap: (before[m]?.scrap ?? 0) + produced(initial[m].scrap, final[m].scrap),
          },
        ]),
      );
      await expectEventually(async () => expect(await publishedCounts(ownNats)).toEqual(expected), {
        timeoutMs: 40_000,
        intervalMs: 500,
      });
      const stored = await readStream(ownNats, 'EQUIPMENT', `mfg.equipment.v1.${plant}.cycle-completed`);
      // In order per tag (OPC UA orders the notifications of one monitored item, not across items).
      const byTag = new Map<string, string[]>();
      for (const m of stored) {
        const data = (JSON.parse(m.body) as CanonicalEvent<'plantbridge.equipment.cycle-completed.v1'>).data;
        const tag = `${data.equipmentId}:${data.goodCount > 0 ? 'good' : 'scrap'}`;
        byTag.set(tag, [...(byTag.get(tag) ?? []), data.sourceTimestamp]);
      }
      expect(byTag.size).toBe(4);
      for (const times of byTag.values()) expect(times).toEqual([...times].sort());
    } finally {
      await ownNats.close();
      await broker.stop();
    }
  });
});
