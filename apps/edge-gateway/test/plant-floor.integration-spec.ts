import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CanonicalEvent } from '@plantbridge/canonical-model';
import type { JetStreamConnection } from '@plantbridge/messaging';
import { connectForTest, readStream } from '@plantbridge/messaging/testing';
import { GOOD_PARTS_64_OFFSET, LineSimulator } from '@plantbridge/opcua-simulator';
import { expectEventually, freePort, ServiceProcess, TEST_NATS_URL, uniqueToken } from '@plantbridge/testing';
import {
  gatewayAuth,
  startGatewayProcess,
  startLineSimulator,
  untilEndpoints,
  writeTagMapping,
} from './gateway-under-test';

jest.setTimeout(180_000);

/**
 * The edge gateway on a floor like a real plant's: two identical machines running the same PLC
 * program behind two OPC UA servers (the same node ids on both), a 64-bit part counter, a Boolean
 * "running" bit as the machine state, and alarm tags across a gateway restart.
 */
describe('edge gateway on a plant floor of identical machines', () => {
  const plant = uniqueToken('F');
  let dir: string;
  const lines: Record<'A' | 'B', LineSimulator> = {} as never;
  let gateway: ServiceProcess | undefined;
  let nats: JetStreamConnection;
  let port: number;
  let authEnv: Record<string, string>;
  let auth: { authorization: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edge-floor-'));
    const tokens = await gatewayAuth(dir, { subject: 'floor-test', scopes: ['opcua:read'], plants: [plant] });
    authEnv = tokens.env;
    auth = tokens.headers;
    nats = await connectForTest(TEST_NATS_URL);
    for (const line of ['A', 'B'] as const) {
      // Same line name, same machine: identical node ids. No ticking: the test sets every value.
      lines[line] = await startLineSimulator(join(dir, `plc-${line}`), { machines: 1, tickMs: 3_600_000 });
      lines[line].setCounter('M01', 'good', 0);
      lines[line].setState('M01', 'NotExecuting');
    }
    port = await freePort();
    const mapping = {
      endpoints: (['A', 'B'] as const).map((line) => {
        const sim = lines[line];
        const equipmentId = `${plant}-${line}-M01`;
        return {
          id: `line${line}`,
          url: sim.endpointUrl,
          tags: [
            { nodeId: sim.nodeId('M01', 'Running'), equipmentId, signal: 'state' },
            {
              nodeId: sim.nodeId('M01', 'GoodParts64'),
              equipmentId,
              signal: 'counter',
              counter: 'good',
              max: Number.MAX_SAFE_INTEGER,
            },
            {
              nodeId: sim.nodeId('M01', 'AlarmActive'),
              equipmentId,
              signal: 'alarm',
              alarmId: 'A1',
              severity: 700,
              message: 'Machine alarm',
            },
          ],
        };
      }),
      countAggregation: { intervalMs: 500 },
    };
    writeTagMapping(dir, mapping);
    await startGateway();
  });

  afterAll(async () => {
    await gateway?.stop();
    for (const line of Object.values(lines)) await line.stop();
    await nats.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function startGateway(): Promise<void> {
    gateway = startGatewayProcess({ dir, port, plant, authEnv, env: { EVENT_BATCH_MS: '20' } });
    await untilEndpoints(
      port,
      auth,
      [
        ['connected', {}],
        ['connected', {}],
      ],
      (e) => [e.state, e.faults],
    );
  }

  type Event = CanonicalEvent & { data: Record<string, unknown> & { equipmentId: string } };
  async function published(type: string): Promise<Event[]> {
    const stored = await readStream(nats, 'EQUIPMENT', `mfg.equipment.v1.${plant}.${type}`);
    return stored.map((m) => JSON.parse(m.body) as Event);
  }
  const of = (events: Event[], line: 'A' | 'B') =>
    events.filter((e) => e.data.equipmentId === `${plant}-${line}-M01`);
  async function goodCounts(): Promise<Record<'A' | 'B', number>> {
    const cycles = await published('cycle-completed');
    const sum = (line: 'A' | 'B') => of(cycles, line).reduce((n, e) => n + (e.data.goodCount as number), 0);
    return { A: sum('A'), B: sum('B') };
  }

  it('identical machines corrupt each other’s counts: no more, each counted exactly from its 64-bit counter', async () => {
    // Interleaved, as two machines running the same program make parts.
    for (const [a, b] of [
      [10, 20],
      [50, 60],
      [95, 97],
    ]) {
      lines.A.setCounter('M01', 'good', a);
      lines.B.setCounter('M01', 'good', b);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await expectEventually(async () => expect(await goodCounts()).toEqual({ A: 95, B: 97 }), {
      timeoutMs: 20_000,
      intervalMs: 250,
    });
    expect(GOOD_PARTS_64_OFFSET).toBeGreaterThan(2 ** 32); // the counter really is beyond 32 bits
  });

  it('a Boolean "running" tag mapped as state makes state-changed events', async () => {
    lines.A.setState('M01', 'Executing');
    await expectEventually(
      async () =>
        expect(of(await published('state-changed'), 'A').map((e) => e.data.state)).toEqual([
          'NotExecuting',
          'Executing',
        ]),
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    expect(of(await published('state-changed'), 'B').map((e) => e.data.state)).toEqual(['NotExecuting']);
  });

  it('alarm and machine state survive a gateway restart: nothing raised twice, a clear while down published', async () => {
    lines.A.raiseAlarm('M01', { code: 'A1', severity: 700, message: 'Machine alarm' });
    lines.B.raiseAlarm('M01', { code: 'A1', severity: 700, message: 'Machine alarm' });
    await expectEventually(
      async () =>
        expect((await published('alarm-raised')).map((e) => e.data.equipmentId).sort()).toHaveLength(2),
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    await gateway?.stop();
    // While the gateway is away: A's alarm clears and A makes 5 more parts; B stays as it was.
    lines.A.clearAlarm('M01');
    lines.A.setCounter('M01', 'good', 100);
    await startGateway();
    await expectEventually(
      async () => {
        expect(of(await published('alarm-cleared'), 'A')).toHaveLength(1);
        expect(await goodCounts()).toEqual({ A: 100, B: 97 });
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    // The values the restarted gateway saw first were known already: no second raise, no repeat.
    expect((await published('alarm-raised')).length).toBe(2);
    expect(of(await published('alarm-cleared'), 'B')).toHaveLength(0);
    expect((await published('state-changed')).length).toBe(3);
  });
});
