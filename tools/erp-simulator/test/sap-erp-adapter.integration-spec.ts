import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { register } from 'prom-client';
import { ErpSimulator } from '../src';
import { expectEventually, freePort, makeTestCertificates } from '@plantbridge/testing';
import {
  type ConfirmationPosting,
  DEFAULT_RESILIENCE,
  ErpBusinessError,
  ErpConfigurationError,
  ErpInDoubtError,
  ErpTransientError,
  ErpUnavailableError,
  type ResilienceSettings,
  SapErpAdapter,
} from '@plantbridge/erp';

describe('SAP adapter against the ERP simulator over HTTP', () => {
  const simulator = new ErpSimulator();
  let url: string;
  beforeAll(async () => (url = await simulator.start()));
  afterAll(() => simulator.stop());
  afterEach(() => simulator.faults.clear());

  const adapter = (resilience: Partial<ResilienceSettings> = {}, timeoutMs = 2000, batchSize = 1) =>
    new SapErpAdapter({
      baseUrl: url,
      timeoutMs,
      batchSize,
      resilience: { ...DEFAULT_RESILIENCE, initialDelayMs: 20, ...resilience },
    });

  const confirmationFor = (
    order: string,
    overrides: Partial<ConfirmationPosting> = {},
  ): ConfirmationPosting => ({
    externalKey: randomUUID(),
    manufacturingOrder: order,
    operation: '0010',
    yieldQuantity: 10.1234,
    scrapQuantity: 1,
    reworkQuantity: 0,
    unit: 'PC',
    finalConfirmation: false,
    executionStart: '2026-11-26T08:00:00.000Z',
    executionEnd: '2026-11-26T09:30:15.000Z',
    ...overrides,
  });

  const postsFor = (key: string) => simulator.store.findByExternalKey(key);

  it('lists released orders of a plant with their operations, changed since a watermark', async () => {
    const before = new Date(Date.now() - 1).toISOString();
    const released = simulator.store.releaseOrder({ plant: 'LST1', quantity: 250, operations: 3 });
    simulator.store.releaseOrder({ plant: 'OTHER' });
    const orders = await adapter().listReleasedOrders('LST1', before);
    expect(orders).toEqual([
      expect.objectContaining({
        manufacturingOrder: released.ManufacturingOrder,
        plant: 'LST1',
        totalQuantity: 250,
        unit: 'PC',
        status: 'released',
        // SAP's Edm.String yyyyMMddHHmmss, read to the second: the poller's watermark moves on.
        lastChangedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/),
        operations: [
          expect.objectContaining({ operation: '0010', sequence: '0', workCenter: 'ASSEMBLY' }),
          expect.objectContaining({ operation: '0020' }),
          expect.objectContaining({ operation: '0030' }),
        ],
      }),
    ]);
    expect(await adapter().listReleasedOrders('LST1', new Date(Date.now() + 60_000).toISOString())).toEqual(
      [],
    );
    expect(await adapter().getOrder('9999999')).toBeUndefined();
  });

  it('posts a confirmation with SAP field formats and finds it by ExternalSystemConfirmation', async () => {
    const order = simulator.store.releaseOrder({ plant: 'P100' });
    const erp = adapter();
    const partial = confirmationFor(order.ManufacturingOrder);
    await erp.postConfirmation(partial);
    expect(postsFor(partial.externalKey)[0]).toMatchObject({ FinalConfirmationType: '' });
    const posting = confirmationFor(order.ManufacturingOrder, { finalConfirmation: true });
    const posted = await erp.postConfirmation(posting);
    expect(posted).toMatchObject({ externalKey: posting.externalKey, alreadyPosted: false });
    const [stored] = postsFor(posting.externalKey);
    expect(stored).toMatchObject({
      OrderID: order.ManufacturingOrder,
      OrderOperation: '0010',
      ConfirmationYieldQuantity: '10.123',
      ConfirmationScrapQuantity: '1.000',
      FinalConfirmationType: 'X',
      ConfirmedExecutionEndTime: 'PT09H30M15S',
      ConfirmationGroup: posted.confirmationGroup,
    });
    expect(await erp.findConfirmation(posting.externalKey)).toEqual({ ...posted, alreadyPosted: true });
    expect(await erp.findConfirmation(randomUUID())).toBeUndefined();
  });

  it("sends the posting date and execution times as the plant's local day and time", async () => {
    const order = simulator.store.releaseOrder({ plant: 'P100' });
    const chicago = new SapErpAdapter({
      baseUrl: simulator.url,
      timeoutMs: 2000,
      resilience: DEFAULT_RESILIENCE,
      timeZone: 'America/Chicago',
    });
    // Made from 22:00 to 23:30 on 25 November in Chicago, which is 26 November in UTC.
    const posting = confirmationFor(order.ManufacturingOrder, {
      executionStart: '2026-11-26T04:00:00.000Z',
      executionEnd: '2026-11-26T05:30:00.000Z',
    });
    await chicago.postConfirmation(posting);
    expect(postsFor(posting.externalKey)[0]).toMatchObject({
      PostingDate: `/Date(${Date.UTC(2026, 10, 25)})/`,
      ConfirmedExecutionStartDate: `/Date(${Date.UTC(2026, 10, 25)})/`,
      ConfirmedExecutionStartTime: 'PT22H00M00S',
      ConfirmedExecutionEndTime: 'PT23H30M00S',
    });
  });

  it('fetches a new CSRF token once when SAP answers 403 Required', async () => {
    const order = simulator.store.releaseOrder({ plant: 'P100' });
    const erp = adapter();
    await erp.postConfirmation(confirmationFor(order.ManufacturingOrder));
    simulator.expireSessions();
    const posting = confirmationFor(order.ManufacturingOrder);
    await erp.postConfirmation(posting);
    expect(postsFor(posting.externalKey)).toHaveLength(1);
    const statuses = simulator
      .requestLog()
      .slice(-3)
      .map((r) => `${r.method} ${r.status}`);
    expect(statuses).toEqual(['POST 403', 'GET 200', 'POST 201']);
  });

  it('maps a business rejection to ErpBusinessError with SAP code and message, without retrying', async () => {
    const order = simulator.store.releaseOrder({ plant: 'P100' });
    simulator.store.setClosed(order.ManufacturingOrder, true);
    const before = simulator.requestLog().length;
    const error = await adapter()
      .postConfirmation(confirmationFor(order.ManufacturingOrder))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErpBusinessError);
    expect(error).toMatchObject({
      sapCode: 'RU/140',
      status: 400,
      message: expect.stringContaining('already closed'),
    });
    expect(simulator.requestLog().filter((r) => r.method === 'POST')).toHaveLength(
      simulator
        .requestLog()
        .slice(0, before)
        .filter((r) => r.method === 'POST').length + 1,
    );
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    const order = simulator.store.releaseOrder({ plant: 'P100' });
    const erp = adapter({ maxAttempts: 3 });
    await erp.postConfirmation(confirmationFor(order.ManufacturingOrder)); // CSRF token in hand
    simulator.faults.set({ throttle: { count: 1, retryAfterSeconds: 1 } });
    const posting = confirmationFor(order.ManufacturingOrder);
    await erp.postConfirmation(posting);
    const [throttled, next] = simulator
      .requestLog()
      .filter((r) => r.method === 'POST')
      .slice(-2);
    expect(throttled.status).toBe(429);
    expect(next.status).toBe(201);
    expect(next.at - throttled.at).toBeGreaterThanOrEqual(1000);
    expect(postsFor(posting.externalKey)).toHaveLength(1);
  });

  it('hands a Retry-After longer than its own limit to the caller instead of blocking', async () => {
    simulator.faults.set({ throttle: { count: 1, retryAfterSeconds: 120 } });
    const error = await adapter({ maxDelayMs: 1000 })
      .findConfirmation(randomUUID())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErpTransientError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 120_000 });
  });

  it('opens the circuit breaker under a sustained outage and half-opens after the configured time', async () => {
    const erp = adapter({ maxAttempts: 1, breakerThreshold: 3, halfOpenAfterMs: 500 });
    simulator.faults.set({ outageMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      await expect(erp.findConfirmation(randomUUID())).rejects.toBeInstanceOf(ErpTransientError);
    }
    const calls = simulator.requestLog().length;
    await expect(erp.findConfirmation(randomUUID())).rejects.toBeInstanceOf(ErpUnavailableError);
    expect(erp.resilience.breakerState).toBe('open');
    expect(simulator.requestLog().length).toBe(calls); // refused without calling ERP
    simulator.faults.clear();
    await expectEventually(async () => expect(await erp.findConfirmation(randomUUID())).toBeUndefined(), {
      timeoutMs: 3000,
      intervalMs: 100,
    });
    expect(erp.resilience.breakerState).toBe('closed');
  });

  it('reports a posting whose answer was dropped as in doubt; the lookup then finds it', async () => {
    const order = simulator.store.releaseOrder({ plant: 'P100' });
    const erp = adapter();
    simulator.faults.set({ dropResponseEvery: 1 });
    const posting = confirmationFor(order.ManufacturingOrder);
    await expect(erp.postConfirmation(posting)).rejects.toBeInstanceOf(ErpInDoubtError);
    simulator.faults.clear();
    expect(await erp.findConfirmation(posting.externalKey)).toMatchObject({ alreadyPosted: true });
    expect(postsFor(posting.externalKey)).toHaveLength(1);
  });

  it('times out a slow ERP write as in doubt', async () => {
    const order = simulator.store.releaseOrder({ plant: 'P100' });
    const erp = adapter({}, 300);
    await erp.postConfirmation(confirmationFor(order.ManufacturingOrder)); // CSRF token in hand
    simulator.faults.set({ latencyMs: 1000 });
    await expect(erp.postConfirmation(confirmationFor(order.ManufacturingOrder))).rejects.toBeInstanceOf(
      ErpInDoubtError,
    );
  });

  describe('postings ready together go in one $batch, a changeset each', () => {
    const batching = () => adapter({}, 2000, 3);
    const batchRequests = (from: number) =>
      simulator
        .requestLog()
        .slice(from)
        .filter((r) => r.path.endsWith('/$batch'))
        .map((r) => r.status);

    it('posts up to the batch size per request, each caller getting its own document', async () => {
      const order = simulator.store.releaseOrder({ plant: 'P100' });
      const erp = batching();
      await erp.postConfirmation(confirmationFor(order.ManufacturingOrder)); // CSRF token in hand
      const from = simulator.requestLog().length;
      const histogram = async (part: 'count' | 'sum') => {
        const text = await register.getSingleMetricAsString('plantbridge_erp_postings_per_request');
        return Number(new RegExp(`_${part} (\\d+)`).exec(text)?.[1] ?? 0);
      };
      const count = () => histogram('count');
      const sum = () => histogram('sum');
      const [countBefore, sumBefore] = [await count(), await sum()];
      const postings = Array.from({ length: 5 }, () => confirmationFor(order.ManufacturingOrder));
      const posted = await Promise.all(postings.map((p) => erp.postConfirmation(p)));
      expect(posted.map((p) => p.externalKey)).toEqual(postings.map((p) => p.externalKey));
      expect(new Set(posted.map((p) => p.confirmationCount)).size).toBe(5);
      for (const p of postings) expect(postsFor(p.externalKey)).toHaveLength(1);
      // 5 postings, at most 3 per batch: one $batch of 3 and one of 2.
      expect(batchRequests(from)).toEqual([202, 202]);
      // /metrics tells the batch sizes: two requests carrying 5 postings.
      expect([(await count()) - countBefore, (await sum()) - sumBefore]).toEqual([2, 5]);
    });

    it('rejects only the refused changeset; those SAP did not get to are retryable, not applied', async () => {
      const open = simulator.store.releaseOrder({ plant: 'P100' });
      const closed = simulator.store.releaseOrder({ plant: 'P100' });
      simulator.store.setClosed(closed.ManufacturingOrder, true);
      const erp = batching();
      await erp.postConfirmation(confirmationFor(open.ManufacturingOrder));
      const from = simulator.requestLog().length;
      const postings = [
        confirmationFor(open.ManufacturingOrder),
        confirmationFor(closed.ManufacturingOrder),
        confirmationFor(open.ManufacturingOrder),
      ];
      const [first, refused, after] = await Promise.allSettled(postings.map((p) => erp.postConfirmation(p)));
      expect(batchRequests(from)).toEqual([202]);
      expect(first.status).toBe('fulfilled');
      expect(refused).toMatchObject({ status: 'rejected', reason: expect.any(ErpBusinessError) });
      expect((refused as PromiseRejectedResult).reason).toMatchObject({ sapCode: 'RU/140' });
      // The simulator stops at the refused changeset, as SAP Gateway does: the third was not applied.
      expect(after).toMatchObject({ status: 'rejected', reason: expect.any(ErpTransientError) });
      expect(postsFor(postings[2].externalKey)).toHaveLength(0);
      await erp.postConfirmation(postings[2]);
      expect(postsFor(postings[2].externalKey)).toHaveLength(1);
    });

    it('reports every posting of a batch whose answer was dropped as in doubt; each is in ERP once', async () => {
      const order = simulator.store.releaseOrder({ plant: 'P100' });
      const erp = batching();
      await erp.postConfirmation(confirmationFor(order.ManufacturingOrder));
      simulator.faults.set({ dropResponseEvery: 1 });
      const postings = Array.from({ length: 3 }, () => confirmationFor(order.ManufacturingOrder));
      const settled = await Promise.allSettled(postings.map((p) => erp.postConfirmation(p)));
      expect(settled.map((s) => s.status === 'rejected' && s.reason instanceof ErpInDoubtError)).toEqual([
        true,
        true,
        true,
      ]);
      simulator.faults.clear();
      for (const p of postings) {
        expect(await erp.findConfirmation(p.externalKey)).toMatchObject({ alreadyPosted: true });
        expect(postsFor(p.externalKey)).toHaveLength(1);
      }
    });

    it('retries a throttled batch as a whole after Retry-After', async () => {
      const order = simulator.store.releaseOrder({ plant: 'P100' });
      const erp = batching();
      await erp.postConfirmation(confirmationFor(order.ManufacturingOrder));
      simulator.faults.set({ throttle: { count: 1, retryAfterSeconds: 1, pathContains: '$batch' } });
      const started = Date.now();
      const postings = Array.from({ length: 3 }, () => confirmationFor(order.ManufacturingOrder));
      await Promise.all(postings.map((p) => erp.postConfirmation(p)));
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      for (const p of postings) expect(postsFor(p.externalKey)).toHaveLength(1);
    });
  });

  it('cancels a posted confirmation with CancelProdnOrdConf; the lookup no longer finds it', async () => {
    const order = simulator.store.releaseOrder({ plant: 'P100' });
    const erp = adapter();
    const posting = confirmationFor(order.ManufacturingOrder);
    const posted = await erp.postConfirmation(posting);
    await erp.cancelConfirmation(posted.confirmationGroup, posted.confirmationCount);
    expect(await erp.findConfirmation(posting.externalKey)).toBeUndefined();
    expect(
      simulator.store
        .ledger()
        .filter((c) => c.OrderID === order.ManufacturingOrder)
        .map((c) => c.IsReversal),
    ).toEqual([false, true]);
    await expect(
      erp.cancelConfirmation(posted.confirmationGroup, posted.confirmationCount),
    ).rejects.toMatchObject({
      sapCode: 'RU/201',
    });
  });

  it('refuses wrong credentials as a configuration error, without retrying', async () => {
    const secured = new ErpSimulator({ user: 'PLANTBRIDGE', password: 'secret' });
    const securedUrl = await secured.start();
    try {
      const erp = (password: string) =>
        new SapErpAdapter({
          baseUrl: securedUrl,
          auth: { kind: 'basic', user: 'PLANTBRIDGE', password },
          timeoutMs: 2000,
          resilience: DEFAULT_RESILIENCE,
        });
      await expect(erp('wrong').listReleasedOrders('P100')).rejects.toBeInstanceOf(ErpConfigurationError);
      expect(secured.requestLog()).toHaveLength(1);
      expect(await erp('secret').listReleasedOrders('P100')).toEqual([]);
    } finally {
      await secured.stop();
    }
  });

  it('authenticates with OAuth 2.0 client credentials: one token for many calls, a new one after a 401', async () => {
    const secured = new ErpSimulator({
      oauth: { clientId: 'plantbridge-p100', clientSecret: 's3cr$t=:/+' },
    });
    const securedUrl = await secured.start();
    try {
      const erp = (clientSecret: string) =>
        new SapErpAdapter({
          baseUrl: securedUrl,
          auth: {
            kind: 'oauth2',
            tokenUrl: `${securedUrl}/oauth/token`,
            clientId: 'plantbridge-p100',
            clientSecret,
          },
          timeoutMs: 2000,
          resilience: DEFAULT_RESILIENCE,
        });
      const good = erp('s3cr$t=:/+');
      const order = secured.store.releaseOrder({ plant: 'OA01' }).ManufacturingOrder;
      await Promise.all([
        good.listReleasedOrders('OA01'),
        good.getOrder(order),
        good.listReleasedOrders('OA01'),
      ]);
      await good.postConfirmation(confirmationFor(order));
      expect(secured.oauthTokenRequests).toBe(1);
      // The identity service forgot its tokens: SAP answers 401 to the three calls in flight, and the
      // adapter fetches one new token for them, not one each.
      secured.revokeOAuthTokens();
      await Promise.all([
        good.listReleasedOrders('OA01'),
        good.getOrder(order),
        good.listReleasedOrders('OA01'),
      ]);
      expect(secured.oauthTokenRequests).toBe(2);

      const refused = erp('wrong').listReleasedOrders('OA01');
      await expect(refused).rejects.toBeInstanceOf(ErpConfigurationError);
      await expect(refused).rejects.toThrow(/refused client plantbridge-p100 \(401\)/);
      await expect(refused).rejects.not.toThrow(/wrong/);
    } finally {
      await secured.stop();
    }
  });

  it('authenticates with an X.509 client certificate over TLS, and is refused without one', async () => {
    const certs = makeTestCertificates();
    const secured = new ErpSimulator({
      tls: { key: certs.serverKey, cert: certs.serverCert, clientCa: certs.ca },
    });
    const securedUrl = await secured.start();
    try {
      secured.store.releaseOrder({ plant: 'XC01' });
      const withCertificate = new SapErpAdapter({
        baseUrl: securedUrl,
        auth: { kind: 'x509', cert: certs.clientCert, key: certs.clientKey },
        ca: certs.ca,
        timeoutMs: 2000,
        resilience: DEFAULT_RESILIENCE,
      });
      expect(await withCertificate.listReleasedOrders('XC01')).toHaveLength(1);
      await withCertificate.onModuleDestroy();
      // A key that does not belong to the certificate is refused at boot, not at every connection.
      expect(
        () =>
          new SapErpAdapter({
            baseUrl: securedUrl,
            auth: { kind: 'x509', cert: certs.clientCert, key: certs.serverKey },
            ca: certs.ca,
            timeoutMs: 2000,
            resilience: DEFAULT_RESILIENCE,
          }),
      ).toThrow(ErpConfigurationError);
      // Trusting the server but presenting no certificate of its own: SAP's 401.
      const without = new SapErpAdapter({
        baseUrl: securedUrl,
        ca: certs.ca,
        timeoutMs: 2000,
        resilience: DEFAULT_RESILIENCE,
      });
      await expect(without.listReleasedOrders('XC01')).rejects.toBeInstanceOf(ErpConfigurationError);
      await without.onModuleDestroy();
    } finally {
      await secured.stop();
      certs.remove();
    }
  });

  it('treats a refused connection as safe to retry, and a redirect (a login page) as a configuration error', async () => {
    const nobody = new SapErpAdapter({
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      timeoutMs: 2000,
      resilience: { ...DEFAULT_RESILIENCE, initialDelayMs: 20 },
    });
    // Refused before anything was sent: even a write is retryable, not in doubt.
    await expect(nobody.postConfirmation(confirmationFor('1000001'))).rejects.toBeInstanceOf(
      ErpTransientError,
    );

    const login = createServer((_req, res) =>
      res.writeHead(302, { location: '/sap/bc/ui5_ui5/login' }).end(),
    );
    await new Promise<void>((resolve) => login.listen(0, '127.0.0.1', resolve));
    try {
      const port = (login.address() as { port: number }).port;
      const redirected = new SapErpAdapter({
        baseUrl: `http://127.0.0.1:${port}`,
        timeoutMs: 2000,
        resilience: DEFAULT_RESILIENCE,
      });
      const failure = redirected.listReleasedOrders('P100');
      await expect(failure).rejects.toBeInstanceOf(ErpConfigurationError);
      await expect(failure).rejects.toThrow(/302 redirecting to \/sap\/bc\/ui5_ui5\/login/);
    } finally {
      login.closeAllConnections();
      await new Promise((resolve) => login.close(resolve));
    }
  });

  it('reports a write SAP answered 201 with an unreadable body as in doubt, not as a configuration error', async () => {
    // A configuration error put the posting back to pending, and it was sent again without a lookup;
    // SAP takes the second one too.
    const garbled = createServer((req, res) => {
      if (req.method === 'HEAD' || String(req.headers['x-csrf-token']).toLowerCase() === 'fetch')
        return res.writeHead(200, { 'x-csrf-token': 'token' }).end();
      res.writeHead(201, { 'content-type': 'application/json' }).end('<html>proxy error page</html>');
    });
    await new Promise<void>((resolve) => garbled.listen(0, '127.0.0.1', resolve));
    try {
      const port = (garbled.address() as { port: number }).port;
      const erp = new SapErpAdapter({
        baseUrl: `http://127.0.0.1:${port}`,
        timeoutMs: 2000,
        resilience: DEFAULT_RESILIENCE,
      });
      await expect(erp.postConfirmation(confirmationFor('1000001'))).rejects.toBeInstanceOf(ErpInDoubtError);
    } finally {
      garbled.closeAllConnections();
      await new Promise((resolve) => garbled.close(resolve));
    }
  });
});
