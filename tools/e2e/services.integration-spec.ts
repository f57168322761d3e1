import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectForTest } from '@plantbridge/messaging/testing';
import {
  expectEventually,
  freePort,
  makeTestCertificates,
  NatsServerProcess,
  PostgresServerProcess,
  ServiceProcess,
  TEST_NATS_URL,
} from '@plantbridge/testing';
import { LocalIssuer } from '@plantbridge/token-issuer';

const APPS = [
  'edge-gateway',
  'production-order-sync',
  'inventory-movement',
  'quality-events',
  'maintenance-routing',
];

describe('services as processes', () => {
  let dataDir: string;
  /** What a service needs to accept the tokens of the local issuer. */
  let authEnv: Record<string, string>;
  /** `authorization: Bearer …` with every scope for every plant (management:read for /metrics). */
  let auth: Record<string, string>;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'plantbridge-services-'));
    const issuer = await LocalIssuer.inFolder(join(dataDir, 'auth'));
    authEnv = issuer.env();
    auth = { authorization: `Bearer ${await issuer.tokenForEverything(['*'])}` };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each(APPS)(
    '%s boots on embedded SQLite, is ready with NATS and database, drains on SIGTERM, and writes no secret',
    async (app) => {
      const port = await freePort();
      // Known secrets, to look for in everything the service writes (at debug level).
      const secrets = {
        NATS_PASSWORD: `nats-secret-${randomUUID()}`,
        ERP_PASSWORD: `erp-secret-${randomUUID()}`,
      };
      const service = ServiceProcess.start(app, {
        ...authEnv,
        HTTP_PORT: String(port),
        DATA_DIR: dataDir,
        NATS_URL: TEST_NATS_URL,
        PLANT_ID: 'P100',
        NATS_USER: 'plantbridge-test',
        ERP_USER: 'PLANTBRIDGE',
        ...secrets,
        LOG_LEVEL: 'debug',
      });
      try {
        const ready = await expectEventually(
          async () => {
            const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
            expect(response.status).toBe(200);
            const body = (await response.json()) as { details: Record<string, { status: string }> };
            // Ready does not wait for NATS (the outbox keeps events meanwhile); the test does.
            expect(body.details.nats?.status).toBe('up');
            return body;
          },
          { timeoutMs: 30_000, intervalMs: 250 },
        );
        expect(ready.details.database?.status).toBe('up');
        expect(ready.details.nats?.status).toBe('up');
        expect(ready.details.consumers?.status).toBe('up');
        const live = await fetch(`http://127.0.0.1:${port}/health/live`);
        expect(await live.json()).toEqual({ status: 'ok' });
        // The probes are open; everything else takes a token (/metrics the scope management:read).
        expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: auth })).text();
        expect(metrics).toContain('process_cpu_user_seconds_total');
        // Structured JSON logs naming the service and plant.
        const line = service
          .text()
          .split('\n')
          .find((l) => l.includes('listening on'));
        expect(JSON.parse(line ?? '{}')).toMatchObject({ service: app, plant: 'P100', level: 30 });
        const documents = await (
          await fetch(`http://127.0.0.1:${port}/openapi.json`, { headers: auth })
        ).text();
        const written = [service.text(), JSON.stringify(ready), metrics, documents].join('\n');
        for (const secret of [...Object.values(secrets), auth.authorization.slice('Bearer '.length)]) {
          expect(written).not.toContain(secret);
        }
      } finally {
        const { code } = await service.stop('SIGTERM');
        expect([0, null]).toContain(code);
        // Its shutdown lines too.
        for (const secret of Object.values(secrets)) expect(service.text()).not.toContain(secret);
      }
    },
  );

  it('as a least-privilege user (NATS_STREAMS=check) says which streams are missing, and makes none', async () => {
    const broker = await NatsServerProcess.start();
    const port = await freePort();
    const service = ServiceProcess.start('quality-events', {
      ...authEnv,
      HTTP_PORT: String(port),
      DATA_DIR: dataDir,
      NATS_URL: broker.url,
      NATS_STREAMS: 'check',
    });
    try {
      await expectEventually(
        () =>
          expect(service.text()).toMatch(
            /streams EQUIPMENT, PRODUCTION, INVENTORY, QUALITY, MAINTENANCE, TELEMETRY, DLQ do not exist, and this service may not make them: provision them/,
          ),
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      const connection = await connectForTest(broker.url);
      try {
        expect(await connection.manager().streams.names().next()).toEqual([]);
      } finally {
        await connection.close();
      }
    } finally {
      await service.stop('SIGTERM');
      await broker.stop();
    }
  });

  it('connects to a PostgreSQL that takes only TLS with a client certificate, from DATABASE_TLS_*', async () => {
    const certs = makeTestCertificates('plantbridge');
    const file = (name: string) => join(certs.dir, name);
    const database = await PostgresServerProcess.start({
      hba: ['hostssl all all 127.0.0.1/32 cert', 'hostnossl all all 127.0.0.1/32 reject'],
      tls: { certFile: file('server.crt'), keyFile: file('server.key'), caFile: file('ca.crt') },
    });
    const port = await freePort();
    const service = ServiceProcess.start('production-order-sync', {
      ...authEnv,
      HTTP_PORT: String(port),
      DATA_DIR: dataDir,
      NATS_URL: TEST_NATS_URL,
      PLANT_ID: 'P100',
      DATABASE_URL: database.url(),
      DATABASE_TLS_CA_FILE: file('ca.crt'),
      DATABASE_TLS_CERT_FILE: file('client.crt'),
      DATABASE_TLS_KEY_FILE: file('client.key'),
      ERP_USER: 'PLANTBRIDGE',
      ERP_PASSWORD: 'unused',
    });
    try {
      const ready = await expectEventually(
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
          expect(response.status).toBe(200);
          return (await response.json()) as { details: Record<string, { status: string }> };
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      expect(ready.details.database).toEqual({ status: 'up' });
    } finally {
      await service.stop('SIGTERM');
      await database.destroy();
      certs.remove();
    }
  });

  it('readiness holds during a NATS outage: ready to accept work, with the broker down in the details', async () => {
    const port = await freePort();
    const natsPort = await freePort();
    const service = ServiceProcess.start('quality-events', {
      ...authEnv,
      HTTP_PORT: String(port),
      DATA_DIR: dataDir,
      NATS_URL: `nats://127.0.0.1:${natsPort}`,
    });
    try {
      const body = await expectEventually(
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
          expect(response.status).toBe(200);
          return (await response.json()) as {
            status: string;
            details: Record<string, { status: string; message?: string }>;
          };
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      expect(body.status).toBe('ok');
      expect(body.details.nats).toEqual({ status: 'down', message: 'NATS is unavailable: not connected' });
      expect(body.details.database?.status).toBe('up');
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: auth })).text();
      expect(metrics).toMatch(/^plantbridge_nats_connected 0$/m);
    } finally {
      await service.stop('SIGTERM');
    }
  });

  it('refuses to start with invalid settings, naming each of them, and exits non-zero', async () => {
    // No AUTH_* either: a service does not start without an issuer to verify tokens with.
    const service = ServiceProcess.start('production-order-sync', {
      HTTP_PORT: 'eighty',
      NATS_URL: 'http://nats',
      PLANT_ID: 'P 100',
      DATA_DIR: dataDir,
    });
    const { code } = await service.exited();
    expect(code).toBe(78);
    const text = service.text();
    expect(text).toContain('production-order-sync cannot start. Invalid configuration:');
    expect(text).toMatch(/HTTP_PORT: .*must be a whole number \(got "eighty"\)/);
    expect(text).toMatch(/NATS_URL: NATS_URL must be one or more nats:\/\/ URLs.*\(got "http:\/\/nats"\)/);
    expect(text).toMatch(/PLANT_ID: PLANT_ID must be a plant code.*\(got "P 100"\)/);
    expect(text).toMatch(/AUTH_ISSUER: AUTH_ISSUER is needed for AUTH_MODE=jwt/);
  });
});
