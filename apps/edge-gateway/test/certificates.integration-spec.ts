import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineSimulator } from '@plantbridge/opcua-simulator';
import { expectEventually, freePort, ServiceProcess, uniqueToken } from '@plantbridge/testing';
import { LocalIssuer } from '@plantbridge/token-issuer';
import { gatewayAuth, startGatewayProcess, startLineSimulator, writeTagMapping } from './gateway-under-test';

jest.setTimeout(120_000);

interface Certificate {
  thumbprint: string;
  status: string;
  subject: string;
  notAfter: string;
}

/**
 * A signed and encrypted endpoint whose server the gateway has never seen: it refuses the server's
 * certificate until an operator trusts it over REST, and the trust is audited.
 */
describe('edge gateway: OPC UA server certificates trusted and revoked over REST', () => {
  const plant = uniqueToken('E');
  let dir: string;
  let simulator: LineSimulator;
  let gateway: ServiceProcess;
  let port: number;
  let issuer: LocalIssuer;
  let reader: string;
  let admin: string;
  const call = (method: string, path: string, token: string) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': uniqueToken('k') },
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edge-trust-'));
    const tokens = await gatewayAuth(dir, { subject: 'viewer', scopes: ['opcua:read'], plants: [plant] });
    issuer = tokens.issuer;
    reader = tokens.token;
    admin = await issuer.token({
      subject: 'ot-admin',
      scopes: ['opcua:read', 'opcua:admin'],
      plants: [plant],
    });
    simulator = await startLineSimulator(join(dir, 'plc'), { machines: 1, tickMs: 20 });
    port = await freePort();
    writeTagMapping(dir, {
      endpoints: [
        {
          id: 'line1',
          url: simulator.endpointUrl,
          securityMode: 'SignAndEncrypt',
          securityPolicy: 'Basic256Sha256',
          tags: [{ nodeId: simulator.nodeId('M01', 'State'), equipmentId: `${plant}-M01`, signal: 'state' }],
        },
      ],
    });
    gateway = startGatewayProcess({
      dir,
      port,
      plant,
      authEnv: tokens.env,
      env: { OPCUA_TRUST_UNKNOWN_SERVERS: 'false' },
    });
    await expectEventually(
      async () => expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await simulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('for every route: no token 401, wrong scope 403, a token for another plant 403, the right token passes', async () => {
    const routes = [
      ['GET', '/v1/opcua/endpoints', 'opcua:read'],
      ['GET', '/v1/opcua/endpoints/line1/browse', 'opcua:read'],
      ['GET', '/v1/opcua/certificates', 'opcua:read'],
      ['GET', '/v1/opcua/certificates/audit', 'opcua:read'],
      ['GET', '/v1/opcua/certificates/own', 'opcua:read'],
      ['GET', '/v1/opcua/certificates/own.der', 'opcua:read'],
      ['GET', '/v1/opcua/certificates/own.pem', 'opcua:read'],
      ['POST', `/v1/opcua/certificates/${'0'.repeat(40)}/trust`, 'opcua:admin'],
      ['POST', `/v1/opcua/certificates/${'0'.repeat(40)}/revoke`, 'opcua:admin'],
      ['GET', '/metrics', 'management:read'],
    ] as const;
    const scopes = ['opcua:read', 'opcua:admin', 'management:read'];
    // Every route of the OpenAPI document is in the matrix, with the scope the document declares.
    const document = (await (
      await fetch(`http://127.0.0.1:${port}/openapi.json`, {
        headers: {
          authorization: `Bearer ${await issuer.token({ subject: 'x', scopes: ['management:read'], plants: [plant] })}`,
        },
      })
    ).json()) as { paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>> };
    const documented = Object.entries(document.paths)
      .filter(([template]) => !template.startsWith('/health/'))
      .flatMap(([template, operations]) =>
        Object.entries(operations).map(([method, operation]) => [
          method.toUpperCase(),
          template.replace('{id}', 'line1').replace('{thumbprint}', '0'.repeat(40)),
          operation.security?.[0]?.plantbridge?.[0] ?? '(none)',
        ]),
      );
    expect(documented.sort()).toEqual([...routes].sort());
    for (const [method, path, scope] of routes) {
      const status = async (token?: string) =>
        (
          await fetch(`http://127.0.0.1:${port}${path}`, {
            method,
            headers: {
              'idempotency-key': uniqueToken('k'),
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
          })
        ).status;
      const others = scopes.filter((s) => s !== scope);
      // The gateway serves one plant: a route without a plant in its path still needs the token to grant it.
      expect({ path, anonymous: await status() }).toEqual({ path, anonymous: 401 });
      expect({
        path,
        wrongScope: await status(await issuer.token({ subject: 'x', scopes: others, plants: [plant] })),
      }).toEqual({ path, wrongScope: 403 });
      expect({
        path,
        otherPlant: await status(await issuer.token({ subject: 'x', scopes: [scope], plants: ['P999'] })),
      }).toEqual({ path, otherPlant: 403 });
      const right = await status(await issuer.token({ subject: 'x', scopes: [scope], plants: [plant] }));
      expect({ path, passed: right !== 401 && right !== 403 }).toEqual({ path, passed: true });
    }
  });

  const endpointState = async () =>
    ((await (await call('GET', '/v1/opcua/endpoints', reader)).json()) as Array<{ state: string }>)[0]?.state;

  it('refuses an unknown server, lists its certificate, connects once an admin trusts it, and audits who did', async () => {
    const rejected = await expectEventually(
      async () => {
        const list = (await (await call('GET', '/v1/opcua/certificates', reader)).json()) as Certificate[];
        expect(list).toEqual([expect.objectContaining({ status: 'rejected' })]);
        return list[0];
      },
      { timeoutMs: 40_000, intervalMs: 250 },
    );
    expect(rejected.thumbprint).toMatch(/^[0-9a-f]{40}$/);
    expect(Date.parse(rejected.notAfter)).toBeGreaterThan(Date.now());
    expect(await endpointState()).not.toBe('connected');

    const path = `/v1/opcua/certificates/${rejected.thumbprint}`;
    expect((await call('POST', `${path}/trust`, reader)).status).toBe(403);
    expect((await call('POST', '/v1/opcua/certificates/00/trust', admin)).status).toBe(400);
    const unknown = '0'.repeat(40);
    expect((await call('POST', `/v1/opcua/certificates/${unknown}/trust`, admin)).status).toBe(404);
    const trusted = await call('POST', `${path}/trust`, admin);
    expect(trusted.status).toBe(200);
    expect(await trusted.json()).toMatchObject({ thumbprint: rejected.thumbprint, status: 'trusted' });
    await expectEventually(async () => expect(await endpointState()).toBe('connected'), {
      timeoutMs: 40_000,
      intervalMs: 250,
    });

    expect((await call('POST', `${path}/revoke`, admin)).status).toBe(200);
    const after = (await (await call('GET', '/v1/opcua/certificates', reader)).json()) as Certificate[];
    expect(after).toEqual([expect.objectContaining({ thumbprint: rejected.thumbprint, status: 'rejected' })]);
    const audit = await (await call('GET', '/v1/opcua/certificates/audit', reader)).json();
    expect(audit).toEqual([
      expect.objectContaining({ action: 'trust', actor: 'ot-admin', thumbprint: rejected.thumbprint }),
      expect.objectContaining({ action: 'revoke', actor: 'ot-admin', thumbprint: rejected.thumbprint }),
    ]);
  });
});
