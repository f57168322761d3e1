import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineSimulator } from '@plantbridge/opcua-simulator';
import { OPCUACertificateManager } from 'node-opcua';
import { convertPEMtoDER, exploreCertificate } from 'node-opcua-crypto';
import { expectEventually, freePort, StallingProxy } from '@plantbridge/testing';
import { ownCertificateFile, retireExpiringOwnCertificate } from '../certificates/own-certificate';
import { parseTagMapping, type EndpointMapping } from '../mapping/tag-mapping';
import { EndpointConnection, type TagSample } from './endpoint-connection';

jest.setTimeout(90_000);

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** The endpoint `line1` of a tag mapping with these fields. */
function endpointWith(fields: object): EndpointMapping {
  const parsed = parseTagMapping(JSON.stringify({ endpoints: [{ id: 'line1', ...fields }] }));
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.mapping.endpoints[0];
}

/** A started connection to `endpoint`, collecting its samples. */
function startConnection(
  endpoint: EndpointMapping,
  options: {
    pkiDir: string;
    trustUnknownServers?: boolean;
    stallTimeoutMs?: number;
    env?: NodeJS.ProcessEnv;
  },
) {
  const samples: TagSample[] = [];
  const connection = new EndpointConnection(
    endpoint,
    {
      pkiDir: options.pkiDir,
      trustUnknownServers: options.trustUnknownServers ?? true,
      publishingIntervalMs: 50,
      samplingIntervalMs: 0,
      stallTimeoutMs: options.stallTimeoutMs ?? 5000,
      env: options.env ?? {},
      logger: quiet,
    },
    (sample) => samples.push(sample),
  );
  connection.start();
  return { connection, samples };
}

describe('OPC UA endpoint connection against the line simulator', () => {
  let dir: string;
  let simulator: LineSimulator;
  const connections: EndpointConnection[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edge-opcua-'));
    simulator = new LineSimulator({
      port: await freePort(),
      dataDir: join(dir, 'server'),
      machines: 2,
      seed: 3,
      tickMs: 20,
    });
    await simulator.start();
  });

  afterEach(async () => {
    for (const c of connections.splice(0)) await c.stop();
  });

  afterAll(async () => {
    await simulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function endpoint(tags: object[], settings: object = {}): EndpointMapping {
    return endpointWith({ url: simulator.endpointUrl, tags, ...settings });
  }

  function connect(mapping: EndpointMapping, trustUnknownServers = true, pki = 'pki', stallTimeoutMs = 5000) {
    const started = startConnection(mapping, { pkiDir: join(dir, pki), trustUnknownServers, stallTimeoutMs });
    connections.push(started.connection);
    return started;
  }

  const good = (machine: string) => ({
    nodeId: simulator.nodeId(machine, 'GoodParts'),
    equipmentId: `P100-L1-${machine}`,
    signal: 'counter',
    counter: 'good',
  });

  it('delivers changes of mapped tags, and reports a node id the server does not know without stopping the others', async () => {
    const missing = {
      nodeId: 'ns=1;s=Line1.M99.GoodParts',
      equipmentId: 'P100-L1-M99',
      signal: 'counter',
      counter: 'good',
    };
    const { connection, samples } = connect(endpoint([good('M01'), missing, good('M02')]));
    await expectEventually(() => expect(connection.state).toBe('connected'), { timeoutMs: 20_000 });
    await expectEventually(() => {
      const equipment = new Set(samples.map((s) => s.tag.equipmentId));
      expect(equipment).toEqual(new Set(['P100-L1-M01', 'P100-L1-M02']));
    });
    expect([...connection.faults]).toEqual([['ns=1;s=Line1.M99.GoodParts', 'BadNodeIdUnknown']]);
    expect(samples.every((s) => s.sourceTimestamp instanceof Date && typeof s.value === 'number')).toBe(true);
  });

  it('reconnects after a server restart and holds exactly one subscription afterwards', async () => {
    const { connection, samples } = connect(endpoint([good('M01')]));
    await expectEventually(() => expect(connection.state).toBe('connected'), { timeoutMs: 20_000 });
    await simulator.restart(1000);
    await expectEventually(() => expect(connection.stats.connects).toBe(2), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const after = samples.length;
    await expectEventually(() => expect(samples.length).toBeGreaterThan(after + 5));
    expect(simulator.subscriptionCount()).toBe(1);
  });

  it('detects a silent stall (connection open, nothing arrives), reconnects and delivers again', async () => {
    const port = Number(new URL(simulator.endpointUrl.replace('opc.tcp', 'http')).port);
    const proxy = await StallingProxy.start(port);
    try {
      const url = simulator.endpointUrl.replace(`:${port}/`, `:${proxy.port}/`);
      const { connection, samples } = connect(endpoint([good('M01')], { url }), true, 'pki', 1500);
      await expectEventually(() => expect(connection.state).toBe('connected'), { timeoutMs: 20_000 });
      proxy.stall();
      await expectEventually(
        () => expect(connection.lastError).toMatch(/no data and no keep-alive for 1500 ms/),
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      proxy.resume();
      await expectEventually(() => expect(connection.stats.connects).toBe(2), {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      const after = samples.length;
      await expectEventually(() => expect(samples.length).toBeGreaterThan(after + 5));
    } finally {
      await proxy.stop();
    }
  });

  it('refuses an untrusted server certificate with a message saying how to trust it, and connects once trusted', async () => {
    const secure = { securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256' };
    const { connection } = connect(endpoint([good('M01')], secure), false, 'strict-pki');
    await expectEventually(
      () =>
        expect(connection.lastError).toMatch(
          /server certificate of opc\.tcp:.* is not trusted.*move it from .*rejected to .*trusted/,
        ),
      { timeoutMs: 30_000 },
    );
    expect(connection.state).not.toBe('connected');
    const rejected = join(dir, 'strict-pki', 'rejected');
    for (const file of readdirSync(rejected))
      renameSync(join(rejected, file), join(dir, 'strict-pki', 'trusted', 'certs', file));
    await expectEventually(() => expect(connection.state).toBe('connected'), { timeoutMs: 30_000 });
  });
});

describe('OPC UA endpoint connection to a server that requires a user', () => {
  let dir: string;
  let simulator: LineSimulator;
  const connections: EndpointConnection[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edge-opcua-user-'));
    simulator = new LineSimulator({
      port: await freePort(),
      dataDir: join(dir, 'server'),
      machines: 1,
      tickMs: 20,
      user: { name: 'plc-reader', password: 'line-secret' },
      allowAnonymous: false,
    });
    await simulator.start();
  });

  afterEach(async () => {
    for (const c of connections.splice(0)) await c.stop();
  });

  afterAll(async () => {
    await simulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function connectAs(identity: object, env: NodeJS.ProcessEnv = {}) {
    const endpoint = endpointWith({
      url: simulator.endpointUrl,
      identity,
      allowPasswordWithoutSecurity: true,
      tags: [
        {
          nodeId: simulator.nodeId('M01', 'GoodParts'),
          equipmentId: 'P100-L1-M01',
          signal: 'counter',
          counter: 'good',
        },
      ],
    });
    const started = startConnection(endpoint, { pkiDir: join(dir, 'pki'), env });
    connections.push(started.connection);
    return started;
  }

  it('logs in with the password from its environment variable or its file, and only with the right one', async () => {
    const fromEnv = connectAs(
      { type: 'username', userName: 'plc-reader', passwordEnv: 'PLC_PASSWORD' },
      { PLC_PASSWORD: 'line-secret' },
    );
    const file = join(dir, 'plc-password');
    writeFileSync(file, 'line-secret\n');
    const fromFile = connectAs({ type: 'username', userName: 'plc-reader', passwordFile: file });
    const wrong = connectAs(
      { type: 'username', userName: 'plc-reader', passwordEnv: 'PLC_PASSWORD' },
      { PLC_PASSWORD: 'guessed' },
    );
    const anonymous = connectAs({ type: 'anonymous' });
    await expectEventually(
      () => {
        expect(fromEnv.samples.length).toBeGreaterThan(0);
        expect(fromFile.samples.length).toBeGreaterThan(0);
        expect(wrong.connection.lastError).toMatch(/BadUserAccessDenied|access denied|user/i);
        expect(anonymous.connection.lastError).toMatch(
          /BadIdentityTokenInvalid|BadIdentityTokenRejected|anonymous|identity/i,
        );
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(wrong.samples).toEqual([]);
    expect(anonymous.samples).toEqual([]);
  });
});

describe("the gateway's own OPC UA certificate", () => {
  it('is retired a month before it ends, and the next connection makes a new one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-own-cert-'));
    const simulator = new LineSimulator({
      port: await freePort(),
      dataDir: join(dir, 'server'),
      machines: 1,
    });
    await simulator.start();
    const pkiDir = join(dir, 'pki');
    const certificates = new OPCUACertificateManager({ rootFolder: pkiDir });
    await certificates.initialize();
    // An own certificate that ends in ten days, as one made ten years ago would.
    await certificates.createSelfSignedCertificate({
      applicationUri: 'urn:plantbridge:edge-gateway',
      dns: ['localhost'],
      subject: '/CN=Plantbridge edge-gateway',
      startDate: new Date(),
      validity: 10,
      outputFile: ownCertificateFile(pkiDir),
    });
    await certificates.dispose();
    const notAfter = () =>
      exploreCertificate(convertPEMtoDER(readFileSync(ownCertificateFile(pkiDir), 'utf8'))).tbsCertificate
        .validity.notAfter;
    const old = notAfter();
    try {
      // Far from its end nothing happens; within a month of it the certificate is retired.
      expect(retireExpiringOwnCertificate(pkiDir, old.getTime() - 40 * 24 * 3_600_000)).toBeUndefined();
      const retired = retireExpiringOwnCertificate(pkiDir);
      expect(retired).toMatchObject({ notAfter: old.toISOString() });
      expect(existsSync(retired!.retiredTo)).toBe(true);
      expect(existsSync(ownCertificateFile(pkiDir))).toBe(false);
      const { connection } = startConnection(
        endpointWith({
          url: simulator.endpointUrl,
          securityMode: 'SignAndEncrypt',
          securityPolicy: 'Basic256Sha256',
          tags: [{ nodeId: simulator.nodeId('M01', 'State'), equipmentId: 'P100-L1-M01', signal: 'state' }],
        }),
        { pkiDir },
      );
      try {
        await expectEventually(() => expect(connection.state).toBe('connected'), { timeoutMs: 30_000 });
      } finally {
        await connection.stop();
      }
      expect(notAfter().getTime()).toBeGreaterThan(Date.now() + 365 * 24 * 3_600_000);
    } finally {
      await simulator.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('OPC UA endpoint connection with an X.509 user certificate', () => {
  it('logs in with a certificate the server trusts, and is refused with one it does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-x509-user-'));
    const users = join(dir, 'server-users');
    // Two user certificates; the server trusts the first only.
    const makeUser = async (name: string) => {
      const manager = new OPCUACertificateManager({ rootFolder: join(dir, name) });
      await manager.initialize();
      const certificateFile = join(dir, name, 'user.pem');
      await manager.createSelfSignedCertificate({
        applicationUri: `urn:plantbridge:${name}`,
        dns: ['localhost'],
        subject: `/CN=${name}`,
        startDate: new Date(),
        validity: 30,
        outputFile: certificateFile,
      });
      await manager.dispose();
      return { certificateFile, privateKeyFile: join(dir, name, 'own', 'private', 'private_key.pem') };
    };
    const trusted = await makeUser('edge-user');
    const stranger = await makeUser('stranger');
    const userTrust = new OPCUACertificateManager({ rootFolder: users });
    await userTrust.initialize();
    await userTrust.trustCertificate(convertPEMtoDER(readFileSync(trusted.certificateFile, 'utf8')));
    await userTrust.dispose();
    const simulator = new LineSimulator({
      port: await freePort(),
      dataDir: join(dir, 'server'),
      machines: 1,
      tickMs: 20,
      allowAnonymous: false,
      userCertificatesDir: users,
    });
    await simulator.start();
    const connect = (identity: object) =>
      startConnection(
        endpointWith({
          url: simulator.endpointUrl,
          securityMode: 'SignAndEncrypt',
          securityPolicy: 'Basic256Sha256',
          identity: { type: 'certificate', ...identity },
          tags: [
            {
              nodeId: simulator.nodeId('M01', 'GoodParts'),
              equipmentId: 'P100-L1-M01',
              signal: 'counter',
              counter: 'good',
            },
          ],
        }),
        { pkiDir: join(dir, 'gateway-pki') },
      );
    const accepted = connect(trusted);
    const refused = connect(stranger);
    try {
      await expectEventually(
        () => {
          expect({ error: accepted.connection.lastError, samples: accepted.samples.length > 0 }).toEqual({
            error: undefined,
            samples: true,
          });
          expect(refused.connection.lastError).toBeDefined();
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      expect(refused.samples).toEqual([]);
    } finally {
      await accepted.connection.stop();
      await refused.connection.stop();
      await simulator.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
