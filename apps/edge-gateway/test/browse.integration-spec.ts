import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BrowseResult,
  type ClientSession,
  DataType,
  OPCUACertificateManager,
  OPCUAClient,
  OPCUAServer,
  StatusCodes,
  Variant,
} from 'node-opcua';
import { expectEventually, freePort, ServiceProcess, uniqueToken } from '@plantbridge/testing';
import { AddressSpaceBrowser, BrowseError } from '../src/opcua/address-space-browser';
import { gatewayAuth, startGatewayProcess, untilEndpoints, writeTagMapping } from './gateway-under-test';

jest.setTimeout(120_000);

/** Like the PLCs that allow a session 5 continuation points (node-opcua's default is no limit). */
const MAX_CONTINUATION_POINTS = 5;
const CHILDREN = 10_000;
const childId = (i: number) => `ns=1;s=Load.C${String(i).padStart(5, '0')}`;

/**
 * A real node-opcua server with what browsing trips over on a plant floor: a node with 10,000
 * children, a small MaxBrowseContinuationPoints, a node the server refuses to browse
 * (BadUserAccessDenied) and one whose browse fails inside the server (a ServiceFault).
 */
class BrowseLoadServer {
  readonly endpointUrl: string;
  private server?: OPCUAServer;
  private certificates?: OPCUACertificateManager;

  constructor(
    private readonly port: number,
    private readonly dataDir: string,
  ) {
    this.endpointUrl = `opc.tcp://127.0.0.1:${port}/UA/BrowseLoad`;
  }

  async start(): Promise<void> {
    this.certificates = new OPCUACertificateManager({
      rootFolder: join(this.dataDir, 'server-pki'),
      automaticallyAcceptUnknownCertificate: true,
    });
    const server = new OPCUAServer({
      port: this.port,
      alternateHostname: ['127.0.0.1'],
      resourcePath: '/UA/BrowseLoad',
      serverCertificateManager: this.certificates,
      serverCapabilities: { maxBrowseContinuationPoints: MAX_CONTINUATION_POINTS },
    });
    await server.initialize();
    const addressSpace = server.engine.addressSpace!;
    const namespace = addressSpace.getOwnNamespace();
    const objects = addressSpace.rootFolder.objects;
    const load = namespace.addObject({ organizedBy: objects, browseName: 'Load', nodeId: 's=Load' });
    for (let i = 1; i <= CHILDREN; i++) {
      namespace.addObject({ componentOf: load, browseName: `C${i}`, nodeId: childId(i).slice(5) });
    }
    const small = namespace.addObject({ organizedBy: objects, browseName: 'Small', nodeId: 's=Small' });
    for (const name of ['Speed', 'Torque', 'Feed']) {
      namespace.addVariable({
        componentOf: small,
        browseName: name,
        nodeId: `s=Small.${name}`,
        dataType: DataType.Double,
        value: new Variant({ dataType: DataType.Double, value: 1 }),
      });
    }
    const engine = server.engine;
    const browse = engine.browse.bind(engine);
    engine.browse = async (context, nodesToBrowse) => {
      const ids = nodesToBrowse.map((n) => n.nodeId?.toString());
      if (ids.includes('ns=1;s=Broken')) throw new Error('the PLC firmware failed');
      const results = await browse(context, nodesToBrowse);
      return results.map((result, i) =>
        ids[i] === 'ns=1;s=Restricted'
          ? new BrowseResult({ statusCode: StatusCodes.BadUserAccessDenied })
          : result,
      );
    };
    await server.start();
    this.server = server;
  }

  /** Continuation points the server holds, over all sessions (node-opcua keeps them per session). */
  heldContinuationPoints(): number {
    const sessions = (
      this.server?.engine as unknown as {
        _sessions: Record<string, { continuationPointManager: { _map: Map<string, unknown> } }>;
      }
    )._sessions;
    return Object.values(sessions).reduce((sum, s) => sum + s.continuationPointManager._map.size, 0);
  }

  async stop(): Promise<void> {
    await this.server?.shutdown(0);
    await this.certificates?.dispose();
  }
}

interface Page {
  references: Array<{ nodeId: string }>;
  continuationPoint: string | null;
}

let dir: string;
let plc: BrowseLoadServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edge-browse-'));
  plc = new BrowseLoadServer(await freePort(), join(dir, 'plc'));
  await plc.start();
});

afterAll(async () => {
  await plc.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Browse leaks (issue 17, defect 7): the REST browse of the edge gateway as a process', () => {
  const plant = uniqueToken('E');
  let gateway: ServiceProcess;
  let port: number;
  let auth: { authorization: string };

  beforeAll(async () => {
    const tokens = await gatewayAuth(dir, {
      subject: 'mapping-author',
      scopes: ['opcua:read'],
      plants: [plant],
    });
    auth = tokens.headers;
    writeTagMapping(dir, {
      endpoints: [
        {
          id: 'plc',
          url: plc.endpointUrl,
          tags: [
            {
              nodeId: 'ns=1;s=Small.Speed',
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
    gateway = startGatewayProcess({ dir, port, plant, authEnv: tokens.env });
    await untilEndpoints(port, auth);
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  async function browse(query: Record<string, string | number>) {
    const search = new URLSearchParams(
      Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]),
    );
    const response = await fetch(`http://127.0.0.1:${port}/v1/opcua/endpoints/plc/browse?${search}`, {
      headers: auth,
    });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: (await response.json()) as Page & Record<string, unknown>,
    };
  }

  /** Starts paging the 10,000 children and walks away, as a closed browser tab does. */
  async function abandonPaging(): Promise<string> {
    const first = await browse({ nodeId: 'ns=1;s=Load', maxReferences: 5 });
    expect({ status: first.status, more: typeof first.body.continuationPoint }).toEqual({
      status: 200,
      more: 'string',
    });
    return first.body.continuationPoint!;
  }

  it('pages through 10,000 children in small pages, each exactly once, while other clients keep abandoning their paging', async () => {
    const seen: string[] = [];
    let page = await browse({ nodeId: 'ns=1;s=Load', maxReferences: 100 });
    let abandoned = 0;
    for (;;) {
      expect(page.status).toBe(200);
      seen.push(...page.body.references.map((r) => r.nodeId));
      if (!page.body.continuationPoint) break;
      // More than the server's limit, long before the last page.
      await abandonPaging();
      abandoned += 1;
      page = await browse({ continuationPoint: page.body.continuationPoint });
    }
    expect(abandoned).toBe(CHILDREN / 100 - 1);
    expect(seen).toHaveLength(CHILDREN);
    expect(new Set(seen)).toEqual(new Set(Array.from({ length: CHILDREN }, (_, i) => childId(i + 1))));
    // The last page freed its point; of the abandoned ones, the server never holds more than it allows.
    expect(plc.heldContinuationPoints()).toBeLessThanOrEqual(MAX_CONTINUATION_POINTS - 1);
  });

  it('releases continuation points that clients abandon: more than the server allows, and browsing still works', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < MAX_CONTINUATION_POINTS + 3; i++) tokens.push(await abandonPaging());
    expect(plc.heldContinuationPoints()).toBeLessThanOrEqual(MAX_CONTINUATION_POINTS);

    const small = await browse({ nodeId: 'ns=1;s=Small' });
    expect(small.status).toBe(200);
    expect(small.body.references.map((r) => r.nodeId).sort()).toEqual([
      'ns=1;s=Small.Feed',
      'ns=1;s=Small.Speed',
      'ns=1;s=Small.Torque',
    ]);
    // The oldest abandoned paging was released to make room: its client is told to browse again.
    expect(await browse({ continuationPoint: tokens[0] })).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'continuationPoint', reason: expect.stringMatching(/browse again/) }] },
    });
    // The latest one still pages on, and a token is good for one page only.
    const next = await browse({ continuationPoint: tokens[tokens.length - 1] });
    expect(next.status).toBe(200);
    expect(next.body.references).toHaveLength(5);
    expect((await browse({ continuationPoint: tokens[tokens.length - 1] })).status).toBe(400);
  });

  it('gives two concurrent browses with different maxReferences each its own page size', async () => {
    const pageSizes = async (maxReferences: number) => {
      const sizes: number[] = [];
      let page = await browse({ nodeId: 'ns=1;s=Load', maxReferences });
      for (let i = 0; i < 15 && page.body.continuationPoint; i++) {
        sizes.push(page.body.references.length);
        page = await browse({ continuationPoint: page.body.continuationPoint });
      }
      sizes.push(page.body.references.length);
      return sizes;
    };
    const [seven, thirteen] = await Promise.all([pageSizes(7), pageSizes(13)]);
    expect(seven).toEqual(Array(16).fill(7));
    expect(thirteen).toEqual(Array(16).fill(13));
  });

  it('answers a server error it has no mapping for with 502 naming the OPC UA status code, never 500', async () => {
    expect(await browse({ nodeId: 'ns=1;s=Restricted' })).toMatchObject({
      status: 502,
      body: { opcuaStatus: 'BadUserAccessDenied', message: expect.stringMatching(/BadUserAccessDenied/) },
    });
    expect(await browse({ nodeId: 'ns=1;s=Broken' })).toMatchObject({
      status: 502,
      body: { opcuaStatus: 'BadInternalError' },
    });
    expect(await browse({ nodeId: 'ns=1;s=Nowhere' })).toMatchObject({
      status: 404,
      body: { opcuaStatus: 'BadNodeIdUnknown' },
    });
    // A node id the pattern lets through but OPC UA cannot hold (i= is 32 bits) is the caller's mistake.
    expect(await browse({ nodeId: 'ns=1;i=99999999999' })).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'nodeId', reason: expect.stringMatching(/not an OPC UA node id/) }] },
    });
    // The endpoint is still fine afterwards.
    expect((await browse({ nodeId: 'ns=1;s=Small' })).status).toBe(200);
  });

  it('answers 503 with Retry-After while the endpoint is offline, and browses again once it is back', async () => {
    await plc.stop();
    await expectEventually(
      async () =>
        expect(await browse({ nodeId: 'ns=1;s=Small' })).toMatchObject({ status: 503, retryAfter: '5' }),
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    await plc.start();
    await expectEventually(async () => expect((await browse({ nodeId: 'ns=1;s=Small' })).status).toBe(200), {
      timeoutMs: 40_000,
      intervalMs: 250,
    });
  });
});

describe('Browse leaks (issue 17, defect 7): the AddressSpaceBrowser on a session', () => {
  let client: OPCUAClient;
  let session: ClientSession;

  beforeAll(async () => {
    client = OPCUAClient.create({
      endpointMustExist: false,
      clientCertificateManager: new OPCUACertificateManager({ rootFolder: join(dir, 'client-pki') }),
      connectionStrategy: { maxRetry: 0 },
    });
    await client.connect(plc.endpointUrl);
    session = await client.createSession();
  });

  afterAll(async () => {
    await session?.close();
    await client?.disconnect();
  });

  it('releases a continuation point nobody asked for within the idle time', async () => {
    const browser = new AddressSpaceBrowser(session, { idleReleaseMs: 300 });
    const before = plc.heldContinuationPoints();
    const page = await browser.browse('ns=1;s=Load', 10);
    expect(page.references).toHaveLength(10);
    expect(plc.heldContinuationPoints()).toBe(before + 1);
    await expectEventually(() => expect(plc.heldContinuationPoints()).toBe(before), {
      timeoutMs: 5000,
      intervalMs: 50,
    });
    expect(browser.heldCount).toBe(0);
    await expect(browser.browseNext(page.continuationPoint!)).rejects.toMatchObject({
      reason: 'invalid-continuation-point',
    });
    browser.dispose();
  });

  it("leaves the session's own page size alone: other users of the session still get every child", async () => {
    const setting = (session as ClientSession & { requestedMaxReferencesPerNode: number })
      .requestedMaxReferencesPerNode;
    const browser = new AddressSpaceBrowser(session);
    const [three, two] = await Promise.all([
      browser.browse('ns=1;s=Small', 3),
      browser.browse('ns=1;s=Small', 2),
    ]);
    expect([two.references.length, three.references.length]).toEqual([2, 3]);
    expect(
      (session as ClientSession & { requestedMaxReferencesPerNode: number }).requestedMaxReferencesPerNode,
    ).toBe(setting);
    // e.g. the alarm and type code of the gateway browsing the same session with node-opcua's defaults
    expect((await session.browse('ns=1;s=Small')).references).toHaveLength(3);
    expect(await browser.browseNext(two.continuationPoint!)).toMatchObject({
      references: [expect.anything()],
      continuationPoint: null,
    });
    browser.dispose();
  });

  it('says which kind of failure it was, with the OPC UA status code', async () => {
    const browser = new AddressSpaceBrowser(session);
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: BrowseError) => ({ reason: error.reason, opcuaStatus: error.opcuaStatus }),
      );
    expect(await failure(browser.browse('ns=1;s=Restricted', 10))).toEqual({
      reason: 'server-error',
      opcuaStatus: 'BadUserAccessDenied',
    });
    expect(await failure(browser.browse('ns=1;s=Broken', 10))).toEqual({
      reason: 'server-error',
      opcuaStatus: 'BadInternalError',
    });
    expect(await failure(browser.browse('ns=1;i=99999999999', 10))).toMatchObject({
      reason: 'invalid-node-id',
    });
    browser.dispose();
  });
});
