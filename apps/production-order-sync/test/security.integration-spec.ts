import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ALL_SCOPES, LocalIssuer } from '@plantbridge/token-issuer';
import { expectEventually } from '@plantbridge/testing';
import { OrderSyncStack } from './order-sync-stack';

jest.setTimeout(120_000);

interface Route {
  method: 'GET' | 'POST';
  path: string;
  scope: string;
}

/**
 * Tried as a caller on the plant network would: every route of production-order-sync asks who is
 * calling and what it may do, with the scopes and plants its OpenAPI document declares.
 */
describe('production-order-sync asks every caller for a token', () => {
  const stack = new OrderSyncStack();
  let order: string;
  let routes: Route[];
  const call = (route: Route, token?: string, headers: Record<string, string> = {}) =>
    fetch(`${stack.baseUrl}${route.path}`, {
      method: route.method,
      headers: {
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...headers,
      },
      body: route.method === 'POST' ? '{}' : undefined,
    });
  const tokenWith = (scopes: readonly string[], plants = [stack.plant], subject = 'caller') =>
    stack.issuer.token({ subject, scopes, plants });

  beforeAll(async () => {
    await stack.start();
    order = await stack.releaseOrder();
    // Every route the document declares but the open health probes, with its scope, its parameters
    // filled in.
    const document = (await stack.get('/openapi.json')).body as {
      paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>;
    };
    const guarded = Object.entries(document.paths).filter(([template]) => !template.startsWith('/health/'));
    routes = guarded.flatMap(([template, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({
        method: method.toUpperCase() as Route['method'],
        path: template
          .replace('{plant}', stack.plant)
          .replace('{order}', order)
          .replace('{operation}', '0010')
          .replace(/\{(id|key)\}/, randomUUID()),
        scope: operation.security?.[0]?.plantbridge?.[0] ?? '(none)',
      })),
    );
  });
  afterAll(() => stack.stop());

  it('declares a scope for every route in its OpenAPI document', () => {
    expect(routes.length).toBeGreaterThanOrEqual(14);
    expect(routes.filter((r) => r.scope === '(none)')).toEqual([]);
    expect(routes).toContainEqual(
      expect.objectContaining({
        method: 'POST',
        scope: 'confirmations:write',
        path: expect.stringMatching(/confirmations$/),
      }),
    );
  });

  it('for every route: no token 401, wrong scope 403, another plant 403, the right token passes', async () => {
    for (const route of [...routes, { method: 'GET' as const, path: '/metrics', scope: 'management:read' }]) {
      const anonymous = await call(route);
      expect({ route, status: anonymous.status }).toEqual({ route, status: 401 });
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="plantbridge"');

      const others = ALL_SCOPES.filter((s) => s !== route.scope);
      const wrongScope = await call(route, await tokenWith(others));
      expect({ route, status: wrongScope.status }).toEqual({ route, status: 403 });
      expect(((await wrongScope.json()) as { message: string }).message).toBe(
        `the token lacks the scope ${route.scope}`,
      );

      const right = await tokenWith([route.scope]);
      if (route.path.includes(stack.plant)) {
        const otherPlant = await call(route, await tokenWith([route.scope], ['P999']));
        expect({ route, status: otherPlant.status }).toEqual({ route, status: 403 });
        expect(((await otherPlant.json()) as { message: string }).message).toBe(
          `the token does not grant plant ${stack.plant}`,
        );
      }
      const allowed = await call(route, right);
      // Past the guard: the route answers for itself (a 400 for the empty body, a 404 for a made-up key).
      expect({ route, passed: ![401, 403].includes(allowed.status) }).toEqual({ route, passed: true });
    }
  });

  it('refuses tokens that are not valid, saying why', async () => {
    const stranger = await LocalIssuer.inFolder(join(stack.dataDirectory, 'stranger'));
    const everything = { subject: 'caller', scopes: ALL_SCOPES, plants: [stack.plant] };
    const cases: Array<[string, string]> = [
      [await stack.issuer.token({ ...everything, ttlS: -120 }), 'the token has expired'],
      [
        await stack.issuer.token({ ...everything, issuer: 'https://elsewhere' }),
        "the token's iss claim is not accepted",
      ],
      [
        await stack.issuer.token({ ...everything, audience: 'another-api' }),
        "the token's aud claim is not accepted",
      ],
      [await stranger.token(everything), 'the token is signed by an unknown key'],
      ['not.a.jwt', 'the token is not a well-formed JWT'],
      [unsigned(everything), 'the token is signed with an algorithm not accepted'],
    ];
    const route: Route = { method: 'GET', path: stack.orderPath(order), scope: 'orders:read' };
    for (const [token, reason] of cases) {
      const response = await call(route, token);
      expect({ reason, status: response.status }).toEqual({ reason, status: 401 });
      expect(((await response.json()) as { message: string }).message).toBe(reason);
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer realm="plantbridge", error="invalid_token", error_description="${reason}"`,
      );
    }
    const malformed = await call(route, undefined, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(malformed.status).toBe(401);
  });

  it("keeps each caller's Idempotency-Keys its own: the same key from another client is another request", async () => {
    await stack.post(`${stack.orderPath(order)}/acknowledgement`, { accepted: true });
    const body = (yieldQuantity: number) => ({
      operation: '0010',
      yieldQuantity,
      unit: 'PC',
      executionStart: '2026-11-26T06:00:00Z',
      executionEnd: '2026-11-26T08:00:00Z',
    });
    const path = `${stack.orderPath(order)}/confirmations`;
    const post = async (subject: string, yieldQuantity: number) =>
      fetch(`${stack.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': 'conf-1',
          authorization: `Bearer ${await tokenWith(['confirmations:write'], [stack.plant], subject)}`,
        },
        body: JSON.stringify(body(yieldQuantity)),
      });
    const mes = await post('mes', 1);
    expect(mes.status).toBe(202);
    // Another client took the MES's predictable key first: before, the MES's own request was a 409.
    const intruder = await post('intruder', 2);
    expect(intruder.status).toBe(202);
    expect(intruder.headers.get('idempotent-replayed')).toBeNull();
    const replay = await post('mes', 1);
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await post('mes', 3)).status).toBe(409);
  });

  it('serves the API documents and metrics only to a token with management:read', async () => {
    // Also spelled so that only the router, which decodes them, sees the documents' paths.
    for (const path of [
      '/openapi.json',
      '/docs',
      '/metrics',
      '/%64ocs',
      '/%6Fpenapi.json',
      '/openapi%2Ejson',
    ]) {
      const route: Route = { method: 'GET', path, scope: 'management:read' };
      expect((await call(route)).status).toBe(401);
      expect((await call(route, await tokenWith(['orders:read']))).status).toBe(403);
      expect((await call(route, await tokenWith(['management:read']))).status).toBe(200);
    }
    expect((await fetch(`${stack.baseUrl}/health/ready`)).status).toBe(200);
    expect((await fetch(`${stack.baseUrl}/health/live`)).status).toBe(200);
  });

  it('answers an address that keeps sending bad tokens 429 before checking them', async () => {
    const route: Route = { method: 'GET', path: stack.orderPath(order), scope: 'orders:read' };
    const statuses: number[] = [];
    for (let i = 0; i < 80; i++) statuses.push((await call(route, `not.a.jwt${i}`)).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses).toContain(429);
  });

  it('limits each client to its rate: 429 with Retry-After, other clients go on', async () => {
    await stack.restartService({ RATE_LIMIT_PER_S: '1', RATE_LIMIT_BURST: '3' });
    const route: Route = { method: 'GET', path: stack.orderPath(order), scope: 'orders:read' };
    const busy = await tokenWith(['orders:read'], [stack.plant], 'busy-client');
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(route, busy)).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    const limited = await call(route, busy);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await call(route, await tokenWith(['orders:read'], [stack.plant], 'quiet-client'))).status).toBe(
      200,
    );
  });
});

/** A JWT with `alg: none`: anyone can make one, so it must never be taken. */
function unsigned(claims: { subject: string; scopes: readonly string[]; plants: string[] }): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
    iss: 'plantbridge-local',
    aud: 'plantbridge',
    sub: claims.subject,
    scope: claims.scopes.join(' '),
    plants: claims.plants,
    exp: now + 600,
  })}.`;
}

/**
 * Secrets come from the environment or files and go nowhere else: run with known values (SAP's
 * password, a wrong one that ERP refuses, bearer tokens), then everything the service wrote (its
 * log, its answers, its events) is searched for them.
 */
describe('production-order-sync keeps its secrets', () => {
  const erpPassword = `erp-secret-${randomUUID()}`;
  const wrongPassword = `wrong-secret-${randomUUID()}`;
  // Every log line, debug included: a secret in any of them counts.
  const stack = new OrderSyncStack(
    { ERP_USER: 'PLANTBRIDGE', ERP_PASSWORD: erpPassword, LOG_LEVEL: 'debug' },
    {
      user: 'PLANTBRIDGE',
      password: erpPassword,
    },
  );
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  it('writes no secret to its log, its answers or its events, also when ERP refuses it', async () => {
    const order = await stack.acknowledgedOrder();
    const posted = await stack.confirm(order, { yieldQuantity: 2 });
    await stack.waitPosted(order, [posted.body.confirmationId]);
    await stack.restartService({ ERP_PASSWORD: wrongPassword });
    const refused = await stack.confirm(order, { yieldQuantity: 3 });
    expect(refused.status).toBe(202);
    const plant = `/v1/plants/${stack.plant}`;
    await expectEventually(async () => {
      const status = (await stack.get(`${plant}/erp/status`)).body as { postings: Record<string, number> };
      expect(status.postings.pending + status.postings['in-doubt'] + status.postings.failed).toBeGreaterThan(
        0,
      );
    });
    const answers = await Promise.all(
      [
        `${plant}/erp/status`,
        `${plant}/erp-postings?state=pending`,
        `${plant}/erp-postings`,
        '/openapi.json',
      ].map(async (path) => JSON.stringify((await stack.get(path)).body)),
    );
    const metrics = await (
      await fetch(`${stack.baseUrl}/metrics`, { headers: { authorization: `Bearer ${stack.token}` } })
    ).text();
    const events = JSON.stringify(await stack.productionEvents());
    const written = [stack.service?.text() ?? '', ...answers, metrics, events].join('\n');
    expect(written).toContain(stack.plant); // the search reads what the service wrote
    for (const secret of [erpPassword, wrongPassword, stack.token]) expect(written).not.toContain(secret);
  });
});
