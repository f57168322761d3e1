import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventually, freePort } from '@plantbridge/testing';
import {
  AttributeIds,
  callConditionRefresh,
  type ClientSession,
  type ClientSubscription,
  constructEventFilter,
  OPCUACertificateManager,
  OPCUAClient,
  TimestampsToReturn,
  type Variant,
} from 'node-opcua';
import { startControlApi } from './control-api';
import { LineControlClient } from './control-client';
import { LineSimulator } from './line-simulator';

jest.setTimeout(60_000);

const FIELDS = [
  'EventType',
  'ConditionId',
  'SourceNode',
  'SourceName',
  'Message',
  'Severity',
  'Retain',
  'ActiveState.Id',
  'ActiveState.TransitionTime',
  'AckedState.Id',
  'SuppressedOrShelved',
] as const;
type Seen = Record<(typeof FIELDS)[number], unknown>;

describe('OPC UA line simulator: alarm conditions, driven through the control API', () => {
  let dir: string;
  let simulator: LineSimulator;
  let control: Server;
  let api: LineControlClient;
  let client: OPCUAClient;
  let certificates: OPCUACertificateManager;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opcua-sim-ac-'));
    simulator = new LineSimulator({ port: await freePort(), dataDir: dir, machines: 2, tickMs: 1000 });
    await simulator.start();
    const controlPort = await freePort();
    control = await startControlApi(simulator, controlPort);
    api = new LineControlClient(`http://127.0.0.1:${controlPort}`);
    certificates = new OPCUACertificateManager({
      rootFolder: join(dir, 'client-pki'),
      automaticallyAcceptUnknownCertificate: true,
    });
    client = OPCUAClient.create({
      endpointMustExist: false,
      clientCertificateManager: certificates,
      connectionStrategy: { initialDelay: 100, maxDelay: 500, maxRetry: 20 },
    });
    await client.connect(simulator.endpointUrl);
  });

  afterAll(async () => {
    await client.disconnect();
    await certificates.dispose();
    control.close();
    await simulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A session whose subscription collects the events of the Server object, decoded. */
  async function watchServerEvents(): Promise<{
    session: ClientSession;
    sub: ClientSubscription;
    seen: Seen[];
  }> {
    const session = await client.createSession();
    const sub = await session.createSubscription2({
      requestedPublishingInterval: 50,
      requestedMaxKeepAliveCount: 20,
      publishingEnabled: true,
    });
    const item = await sub.monitor(
      { nodeId: 'i=2253', attributeId: AttributeIds.EventNotifier },
      {
        samplingInterval: 0,
        queueSize: 1000,
        discardOldest: false,
        filter: constructEventFilter([...FIELDS]),
      },
      TimestampsToReturn.Both,
    );
    const seen: Seen[] = [];
    item.on('changed', (fields: Variant[]) =>
      seen.push(Object.fromEntries(FIELDS.map((f, i) => [f, fields[i]?.value as unknown])) as Seen),
    );
    return { session, sub, seen };
  }
  const ofMachine = (seen: Seen[], machine: string) =>
    seen.filter((s) => String(s.ConditionId) === `ns=1;s=Line1.${machine}.Alarm`);
  const last = <T>(items: T[]) => items[items.length - 1];

  it('raises, acknowledges, suppresses, shelves and clears a machine’s condition, each an event on the Server', async () => {
    const { session, seen } = await watchServerEvents();
    await api.raiseCondition('M01', { severity: 800, message: 'Spindle over temperature' });
    await expectEventually(() =>
      expect(last(ofMachine(seen, 'M01'))).toMatchObject({
        'ActiveState.Id': true,
        'AckedState.Id': false,
        Retain: true,
        Severity: 800,
        SourceName: 'M01',
        SuppressedOrShelved: false,
      }),
    );
    expect(String(last(ofMachine(seen, 'M01')).SourceNode)).toBe('ns=1;s=Line1.M01');
    const [machine] = await api.machines();
    expect(machine.condition).toMatchObject({ active: true, acked: false, activeSince: expect.any(String) });

    // Acknowledged while active: still retained (Part 9), so a ConditionRefresh still shows it.
    await api.acknowledgeCondition('M01');
    await expectEventually(() =>
      expect(last(ofMachine(seen, 'M01'))).toMatchObject({ 'AckedState.Id': true, Retain: true }),
    );
    await api.suppressCondition('M01', true);
    await expectEventually(() =>
      expect(last(ofMachine(seen, 'M01'))).toMatchObject({ SuppressedOrShelved: true }),
    );
    await api.suppressCondition('M01', false);
    await api.shelveCondition('M01', true);
    await expectEventually(() =>
      expect(ofMachine(seen, 'M01').slice(-2)).toEqual([
        expect.objectContaining({ SuppressedOrShelved: false }),
        expect.objectContaining({ SuppressedOrShelved: true }),
      ]),
    );
    await api.shelveCondition('M01', false);
    await api.clearCondition('M01');
    await expectEventually(() =>
      expect(last(ofMachine(seen, 'M01'))).toMatchObject({ 'ActiveState.Id': false, Retain: false }),
    );
    await expect(api.raiseCondition('M01', { severity: 0, message: 'x' })).rejects.toThrow(/HTTP 400/);
    await session.close();
  });

  it('keeps an active condition and its activation time through a server restart; ConditionRefresh shows it', async () => {
    simulator.raiseCondition('M02', { severity: 600, message: 'Coolant low' });
    const activeSince = simulator.machine('M02').condition.activeSince!;
    await simulator.restart(200);
    const { session, sub, seen } = await expectEventually(() => watchServerEvents(), {
      timeoutMs: 20_000,
      intervalMs: 250,
    });
    expect((await callConditionRefresh(session, sub.subscriptionId)).isGood()).toBe(true);
    await expectEventually(() => {
      const types = seen.map((s) => String(s.EventType));
      expect(types[0]).toBe('ns=0;i=2787'); // RefreshStartEventType …
      expect(last(types)).toBe('ns=0;i=2788'); // … RefreshEndEventType
      expect(ofMachine(seen, 'M02')).toEqual([
        expect.objectContaining({ 'ActiveState.Id': true, 'ActiveState.TransitionTime': activeSince }),
      ]);
      expect(ofMachine(seen, 'M01')).toEqual([]); // cleared and acknowledged: not retained
    });
    await session.close();
  });
});
