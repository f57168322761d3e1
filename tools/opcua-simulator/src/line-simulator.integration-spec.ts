import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventually, freePort } from '@plantbridge/testing';
import {
  AttributeIds,
  type ClientSession,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  TimestampsToReturn,
  type UserIdentityInfo,
  UserTokenType,
} from 'node-opcua';
import { LineSimulator } from './line-simulator';

jest.setTimeout(60_000);

describe('OPC UA line simulator, read by a real node-opcua client', () => {
  let dataDir: string;
  let simulator: LineSimulator;
  const clients: OPCUAClient[] = [];
  const certificateManagers: OPCUACertificateManager[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'opcua-sim-'));
    simulator = new LineSimulator({
      port: await freePort(),
      dataDir,
      machines: 2,
      seed: 7,
      tickMs: 20,
      user: { name: 'plc-reader', password: 'secret' },
      loadTags: 100,
    });
    await simulator.start();
  });

  afterAll(async () => {
    for (const client of clients) await client.disconnect();
    for (const manager of certificateManagers) await manager.dispose();
    await simulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function connect(
    security: { mode: MessageSecurityMode; policy: SecurityPolicy } = {
      mode: MessageSecurityMode.None,
      policy: SecurityPolicy.None,
    },
    identity?: UserIdentityInfo,
  ): Promise<ClientSession> {
    const certificates = new OPCUACertificateManager({
      rootFolder: join(dataDir, 'client-pki'),
      automaticallyAcceptUnknownCertificate: true,
    });
    certificateManagers.push(certificates);
    const client = OPCUAClient.create({
      applicationName: 'plantbridge-test',
      endpointMustExist: false,
      securityMode: security.mode,
      securityPolicy: security.policy,
      connectionStrategy: { initialDelay: 100, maxDelay: 500, maxRetry: 20 },
      clientCertificateManager: certificates,
    });
    clients.push(client);
    await client.connect(simulator.endpointUrl);
    return client.createSession(identity);
  }

  const read = async (
    session: ClientSession,
    machine: string,
    signal: Parameters<LineSimulator['nodeId']>[1],
  ) =>
    (await session.read({ nodeId: simulator.nodeId(machine, signal), attributeId: AttributeIds.Value })).value
      .value as unknown;

  it('reports counter changes by subscription, with source timestamps', async () => {
    const session = await connect();
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: 50,
      requestedMaxKeepAliveCount: 20,
      publishingEnabled: true,
    });
    const item = await subscription.monitor(
      { nodeId: simulator.nodeId('M01', 'GoodParts'), attributeId: AttributeIds.Value },
      { samplingInterval: 0, queueSize: 1000, discardOldest: false },
      TimestampsToReturn.Both,
    );
    const seen: Array<{ value: number; source: Date | null }> = [];
    item.on('changed', (dataValue) =>
      seen.push({ value: dataValue.value.value as number, source: dataValue.sourceTimestamp }),
    );
    try {
      await expectEventually(() => expect(seen.length).toBeGreaterThan(10), { timeoutMs: 10_000 });
      const values = seen.map((s) => s.value);
      // Only forward (the server may coalesce changes inside its sampling interval), never repeated.
      for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
      expect(seen.every((s) => s.source instanceof Date)).toBe(true);
    } finally {
      await subscription.terminate();
    }
    await session.close();
  });

  it('stops counting when a machine stops, and shows its state and alarms', async () => {
    const session = await connect();
    simulator.setState('M02', 'NotExecuting');
    const stopped = await read(session, 'M02', 'GoodParts');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await read(session, 'M02', 'GoodParts')).toBe(stopped);
    expect(await read(session, 'M02', 'State')).toBe(2);
    expect(await read(session, 'M02', 'StateName')).toBe('NotExecuting');
    simulator.raiseAlarm('M02', { code: 'A-17', severity: 800, message: 'Spindle over temperature' });
    expect(await read(session, 'M02', 'AlarmActive')).toBe(true);
    expect(await read(session, 'M02', 'AlarmCode')).toBe('A-17');
    simulator.clearAlarm('M02');
    expect(await read(session, 'M02', 'AlarmActive')).toBe(false);
    simulator.setState('M02', 'Executing');
    await session.close();
  });

  it('rolls a counter over after its maximum and takes a reset', async () => {
    const session = await connect();
    simulator.setCounter('M01', 'good', 65_534);
    await expectEventually(async () => expect(await read(session, 'M01', 'GoodParts')).toBeLessThan(100), {
      timeoutMs: 5000,
    });
    simulator.setCounter('M01', 'scrap', 0);
    expect(await read(session, 'M01', 'ScrapParts')).toBe(0);
    await session.close();
  });

  it('serves Basic256Sha256 SignAndEncrypt with a user identity, and refuses a wrong password', async () => {
    const secure = { mode: MessageSecurityMode.SignAndEncrypt, policy: SecurityPolicy.Basic256Sha256 };
    const user = (password: string): UserIdentityInfo => ({
      type: UserTokenType.UserName,
      userName: 'plc-reader',
      password,
    });
    const session = await connect(secure, user('secret'));
    expect(typeof (await read(session, 'M01', 'Temperature'))).toBe('number');
    await session.close();
    await expect(connect(secure, user('wrong'))).rejects.toThrow(
      /BadUserAccessDenied|BadIdentityTokenRejected|BadIdentityTokenInvalid/,
    );
  });

  it('changes its bulk load tags at the rate asked, every change seen by a subscription', async () => {
    const session = await connect();
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: 50,
      requestedMaxKeepAliveCount: 20,
      publishingEnabled: true,
    });
    const group = await subscription.monitorItems(
      Array.from({ length: 100 }, (_, i) => ({
        nodeId: simulator.loadNodeId(i),
        attributeId: AttributeIds.Value,
      })),
      { samplingInterval: 0, queueSize: 1000, discardOldest: false },
      TimestampsToReturn.Both,
    );
    const seen = new Map<number, number[]>();
    group.on('changed', (_item, dataValue, index: number) =>
      seen.set(index, [...(seen.get(index) ?? []), dataValue.value.value as number]),
    );
    try {
      await expectEventually(() => expect(seen.size).toBe(100)); // the initial values
      simulator.load.drive(2000);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const { changes, achievedPerSecond } = simulator.load.stats();
      simulator.load.stop();
      expect(achievedPerSecond).toBeGreaterThan(1000);
      const changed = () => [...seen.values()].reduce((sum, values) => sum + values.length - 1, 0);
      await expectEventually(() => expect(changed()).toBe(changes));
      for (const values of seen.values()) {
        for (let i = 2; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
      }
    } finally {
      await subscription.terminate();
    }
    await session.close();
  });

  it('restarts like a rebooted PLC: the client reconnects and no count is lost', async () => {
    const session = await connect();
    const before = (await read(session, 'M01', 'GoodParts')) as number;
    await simulator.restart(300);
    const after = await expectEventually(async () => (await read(session, 'M01', 'GoodParts')) as number, {
      timeoutMs: 20_000,
      intervalMs: 250,
    });
    // Counts kept through the restart (the counter may have rolled over only from near 65,535).
    expect(after).toBeGreaterThanOrEqual(before);
    await session.close();
  });
});
