import { mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  Variant,
} from 'node-opcua';
import { convertPEMtoDER, makeSHA1Thumbprint, readCertificate, split_der } from 'node-opcua-crypto';
import { expectEventually, freePort, ServiceProcess, uniqueToken } from '@plantbridge/testing';
import { gatewayAuth, opcuaEndpoints, startGatewayProcess, writeTagMapping } from './gateway-under-test';

jest.setTimeout(120_000);

/**
 * A PLC as plant floors have them: SignAndEncrypt only, and a client certificate it has not been
 * told to trust is refused (kept in its `rejected/` folder for its administrator).
 */
async function startStrictPlc(port: number, pkiDir: string) {
  const certificates = new OPCUACertificateManager({
    rootFolder: pkiDir,
    automaticallyAcceptUnknownCertificate: false,
  });
  const server = new OPCUAServer({
    port,
    alternateHostname: ['127.0.0.1'],
    resourcePath: '/UA/StrictPlc',
    serverCertificateManager: certificates,
    securityPolicies: [SecurityPolicy.Basic256Sha256],
    securityModes: [MessageSecurityMode.SignAndEncrypt],
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace!;
  addressSpace.getOwnNamespace().addVariable({
    organizedBy: addressSpace.rootFolder.objects,
    browseName: 'Speed',
    nodeId: 's=Speed',
    dataType: DataType.Double,
    value: new Variant({ dataType: DataType.Double, value: 1 }),
  });
  await server.start();
  return {
    url: `opc.tcp://127.0.0.1:${port}/UA/StrictPlc`,
    certificates,
    stop: async () => {
      await server.shutdown(0);
      await certificates.dispose();
    },
  };
}

describe("When the PLC refuses the gateway's certificate (issue 17, defect 5)", () => {
  const plant = uniqueToken('E');
  let dir: string;
  let plc: Awaited<ReturnType<typeof startStrictPlc>>;
  let gateway: ServiceProcess;
  let port: number;
  let auth: { authorization: string };
  const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`, { headers: auth });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edge-refused-'));
    plc = await startStrictPlc(await freePort(), join(dir, 'plc-pki'));
    const tokens = await gatewayAuth(dir, {
      subject: 'ot-engineer',
      scopes: ['opcua:read'],
      plants: [plant],
    });
    auth = tokens.headers;
    writeTagMapping(dir, {
      endpoints: [
        {
          id: 'press',
          url: plc.url,
          securityMode: 'SignAndEncrypt',
          securityPolicy: 'Basic256Sha256',
          tags: [
            {
              nodeId: 'ns=1;s=Speed',
              equipmentId: `${plant}-M01`,
              signal: 'telemetry',
              name: 'speed',
              intervalMs: 1000,
            },
          ],
        },
      ],
    });
    port = await freePort();
    gateway = startGatewayProcess({
      dir,
      port,
      plant,
      authEnv: tokens.env,
      // Only the PLC refuses here: the gateway accepts the PLC's certificate.
      env: { OPCUA_TRUST_UNKNOWN_SERVERS: 'true' },
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await plc?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const endpoint = async () => (await opcuaEndpoints(port, auth))[0];

  it("says the PLC refused the gateway's certificate, naming its file and thumbprint; serves it; connects once the PLC trusts it", async () => {
    const ownFile = join(dir, 'gateway', 'edge-gateway-pki', 'own', 'certs', 'client_certificate.pem');
    const lastError = await expectEventually(
      async () => {
        const { lastError } = await endpoint();
        expect(lastError).toMatch(/refused the gateway's certificate \(BadSecurityChecksFailed\)/);
        return lastError!;
      },
      { timeoutMs: 40_000, intervalMs: 250 },
    );
    const [fileDer] = split_der(readCertificate(ownFile));
    const thumbprint = makeSHA1Thumbprint(fileDer).toString('hex');
    expect(lastError).toContain(plc.url);
    expect(lastError).toContain(`${ownFile} (SHA-1 thumbprint ${thumbprint})`);
    expect(lastError).toContain('GET /v1/opcua/certificates/own.der');
    expect((await endpoint()).state).not.toBe('connected');

    const summary = await get('/v1/opcua/certificates/own');
    expect(summary.status).toBe(200);
    expect(await summary.json()).toEqual({
      thumbprint,
      subject: expect.stringMatching(/Plantbridge edge-gateway/),
      applicationUri: expect.stringMatching(/^urn:/),
      notBefore: expect.any(String),
      notAfter: expect.any(String),
    });
    const download = await get('/v1/opcua/certificates/own.der');
    expect(download.headers.get('content-type')).toBe('application/pkix-cert');
    const der = Buffer.from(await download.arrayBuffer());
    expect(makeSHA1Thumbprint(der).toString('hex')).toBe(thumbprint);
    const pem = await (await get('/v1/opcua/certificates/own.pem')).text();
    expect(convertPEMtoDER(pem).equals(der)).toBe(true);

    // What the PLC's administrator does: the downloaded certificate into the trusted folder (and
    // out of the rejected one, where the PLC kept it).
    writeFileSync(join(plc.certificates.trustedFolder, 'plantbridge-edge-gateway.der'), der);
    for (const file of readdirSync(plc.certificates.rejectedFolder)) {
      unlinkSync(join(plc.certificates.rejectedFolder, file));
    }
    await expectEventually(
      async () => {
        const { state, lastError } = await endpoint();
        expect({ state, lastError }).toEqual({ state: 'connected', lastError: undefined });
      },
      { timeoutMs: 40_000, intervalMs: 250 },
    );
  });
});
