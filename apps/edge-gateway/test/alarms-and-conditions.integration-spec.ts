import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CanonicalEvent } from '@plantbridge/canonical-model';
import type { JetStreamConnection } from '@plantbridge/messaging';
import { connectForTest, deleteDurables, readStream } from '@plantbridge/messaging/testing';
import { LineSimulator } from '@plantbridge/opcua-simulator';
import { expectEventually, freePort, ServiceProcess, TEST_NATS_URL, uniqueToken } from '@plantbridge/testing';
import {
  type EndpointStatus,
  gatewayAuth,
  opcuaEndpoints,
  startGatewayProcess,
  startLineSimulator,
  untilEndpoints,
  writeTagMapping,
} from './gateway-under-test';

jest.setTimeout(180_000);

type AlarmEvent = CanonicalEvent<
  | 'plantbridge.equipment.alarm-raised.v1'
  | 'plantbridge.equipment.alarm-acknowledged.v1'
  | 'plantbridge.equipment.alarm-cleared.v1'
>;

describe('OPC UA Alarms & Conditions: the line simulator’s conditions through the edge gateway to JetStream', () => {
  const plant = uniqueToken('AC');
  const equipment = (machine: string) => `${plant}-${machine}`;
  let dir: string;
  let simulator: LineSimulator;
  let gateway: ServiceProcess | undefined;
  let nats: JetStreamConnection;
  let port: number;
  let authEnv: Record<string, string>;
  let auth: { authorization: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edge-ac-'));
    const tokens = await gatewayAuth(dir, { subject: 'ac-test', scopes: ['opcua:read'], plants: [plant] });
    authEnv = tokens.env;
    auth = tokens.headers;
    nats = await connectForTest(TEST_NATS_URL);
    simulator = await startLineSimulator(join(dir, 'plc'), { machines: 4, seed: 17, tickMs: 100 });
    for (const m of simulator.machines) simulator.setState(m.id, 'NotExecuting');
    port = await freePort();
    const machines = simulator.machines.map((m) => m.id);
    writeTagMapping(dir, {
      endpoints: [
        {
          id: 'line1',
          url: simulator.endpointUrl,
          tags: [
            ...machines.map((m) => ({
              nodeId: simulator.nodeId(m, 'State'),
              equipmentId: equipment(m),
              signal: 'state',
            })),
            // A boolean alarm tag beside the conditions.
            {
              nodeId: simulator.nodeId('M01', 'AlarmActive'),
              equipmentId: equipment('M01'),
              signal: 'alarm',
              alarmId: 'M01-TAG',
              severity: 300,
              message: 'Guard door open',
            },
          ],
          conditions: {
            sources: machines.map((m) => ({ sourceNode: `ns=1;s=Line1.${m}`, equipmentId: equipment(m) })),
          },
        },
      ],
    });
    await startGateway();
  });

  afterAll(async () => {
    await gateway?.stop();
    await simulator.stop();
    await deleteDurables(nats, plant);
    await nats.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function endpointState(): Promise<EndpointStatus> {
    const [endpoint] = await opcuaEndpoints(port, auth);
    return endpoint;
  }

  async function startGateway(): Promise<void> {
    gateway = startGatewayProcess({ dir, port, plant, authEnv, env: { EVENT_BATCH_MS: '20' } });
    await untilEndpoints(port, auth);
  }

  /** Alarm events of this plant on JetStream, in stream order. */
  async function alarms(): Promise<AlarmEvent[]> {
    const stored = await readStream(nats, 'EQUIPMENT', `mfg.equipment.v1.${plant}.>`);
    return stored
      .map((m) => JSON.parse(m.body) as AlarmEvent)
      .filter((e) => /\.alarm-(raised|acknowledged|cleared)\.v1$/.test(e.type));
  }
  const of = (events: AlarmEvent[], machine: string, name: string) =>
    events.filter((e) => e.data.equipmentId === equipment(machine) && e.type.includes(`.${name}.`));
  /** The episode the simulator's machine has active now: its condition and its activation time. */
  const activeEpisode = (machine: string) =>
    `${simulator.conditionNodeId(machine)}@${simulator.machine(machine).condition.activeSince!.toISOString()}`;

  it('publishes a raised alarm once, through an OPC UA server restart, a gateway restart and their ConditionRefresh', async () => {
    simulator.raiseCondition('M01', { severity: 800, message: 'Spindle over temperature' });
    const episodeId = activeEpisode('M01');
    const [raised] = await expectEventually(async () => {
      const found = of(await alarms(), 'M01', 'alarm-raised').filter((e) => e.data.conditionId);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(raised.data).toMatchObject({
      equipmentId: equipment('M01'),
      plant,
      alarmId: 'ns=1;s=Line1.M01.Alarm',
      conditionId: 'ns=1;s=Line1.M01.Alarm',
      episodeId,
      sourceNode: 'ns=1;s=Line1.M01',
      sourceName: 'M01',
      severity: 800,
      message: 'Spindle over temperature',
      suppressedOrShelved: false,
    });

    // The PLC reboots with the alarm still active: the refresh shows it under a new EventId.
    await simulator.restart(300);
    await expectEventually(async () => expect(await endpointState()).toMatchObject({ connects: 2 }), {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    // Events arrive in order: once a later transition is on the stream, the refresh's are too.
    simulator.raiseCondition('M04', { severity: 200, message: 'Barrier after the server restart' });
    await expectEventually(async () => expect(of(await alarms(), 'M04', 'alarm-raised')).toHaveLength(1));

    // The gateway restarts: its ConditionRefresh shows the alarm it committed as active.
    await gateway!.stop();
    await startGateway();
    simulator.acknowledgeCondition('M01');
    const acknowledged = await expectEventually(async () => {
      const found = of(await alarms(), 'M01', 'alarm-acknowledged');
      expect(found).toHaveLength(1);
      return found[0];
    });
    expect(acknowledged.data).toMatchObject({ episodeId, conditionId: 'ns=1;s=Line1.M01.Alarm' });
    expect(of(await alarms(), 'M01', 'alarm-raised').filter((e) => e.data.conditionId)).toHaveLength(1);

    // The boolean alarm tag of the same machine works beside the condition.
    simulator.raiseAlarm('M01', { code: 'G-1', severity: 300, message: 'Guard door open' });
    await expectEventually(async () =>
      expect(of(await alarms(), 'M01', 'alarm-raised').filter((e) => !e.data.conditionId)).toEqual([
        expect.objectContaining({ data: expect.objectContaining({ alarmId: 'M01-TAG', severity: 300 }) }),
      ]),
    );
    simulator.clearAlarm('M01');
  });

  it('publishes a clear that happened while the gateway was down once it reconnects, shown inactive or not shown', async () => {
    simulator.raiseCondition('M02', { severity: 600, message: 'Coolant low' });
    simulator.raiseCondition('M03', { severity: 700, message: 'Chip conveyor jammed' });
    const episodes = { M02: activeEpisode('M02'), M03: activeEpisode('M03') };
    simulator.acknowledgeCondition('M03');
    await expectEventually(async () => {
      const events = await alarms();
      expect(of(events, 'M02', 'alarm-raised')).toHaveLength(1);
      expect(of(events, 'M03', 'alarm-acknowledged')).toHaveLength(1);
    });

    await gateway!.stop();
    // M02 stays retained (cleared, not acknowledged): the refresh shows it inactive. M03 was
    // acknowledged, so cleared it is no longer retained: the refresh does not show it at all.
    simulator.clearCondition('M02');
    simulator.clearCondition('M03');
    await startGateway();

    const cleared = await expectEventually(async () => {
      const events = await alarms();
      const found = [...of(events, 'M02', 'alarm-cleared'), ...of(events, 'M03', 'alarm-cleared')];
      expect(found).toHaveLength(2);
      return found;
    });
    expect(cleared.map((e) => e.data.episodeId).sort()).toEqual([episodes.M02, episodes.M03].sort());
    // Published once: a later transition (on the same event queue) comes after any repeat.
    simulator.acknowledgeCondition('M02');
    await expectEventually(async () =>
      expect(of(await alarms(), 'M02', 'alarm-acknowledged')).toEqual([
        expect.objectContaining({ data: expect.objectContaining({ episodeId: episodes.M02 }) }),
      ]),
    );
    const events = await alarms();
    expect([...of(events, 'M02', 'alarm-cleared'), ...of(events, 'M03', 'alarm-cleared')]).toHaveLength(2);
  });

  it('marks a suppressed or a shelved condition so', async () => {
    simulator.suppressCondition('M04', true);
    simulator.clearCondition('M04');
    simulator.raiseCondition('M04', { severity: 400, message: 'Raised while suppressed' });
    simulator.shelveCondition('M02', true);
    simulator.raiseCondition('M02', { severity: 500, message: 'Raised while shelved' });
    const episodes = { M02: activeEpisode('M02'), M04: activeEpisode('M04') };
    await expectEventually(async () => {
      const events = await alarms();
      for (const machine of ['M02', 'M04'] as const) {
        expect(
          of(events, machine, 'alarm-raised').find((e) => e.data.episodeId === episodes[machine]),
        ).toMatchObject({
          data: { suppressedOrShelved: true },
        });
      }
    });
  });
});
