import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventually, freePort, ServiceProcess, TEST_NATS_URL } from '@plantbridge/testing';

const APPS = [
  'edge-gateway',
  'production-order-sync',
  'inventory-movement',
  'quality-events',
  'maintenance-routing',
];

describe('services as processes', () => {
  let dataDir: string;
  beforeAll(() => (dataDir = mkdtempSync(join(tmpdir(), 'plantbridge-services-'))));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each(APPS)(
    '%s boots on embedded SQLite, is ready with NATS and database, and drains on SIGTERM',
    async (app) => {
      const port = await freePort();
      const service = ServiceProcess.start(app, {
        HTTP_PORT: String(port),
        DATA_DIR: dataDir,
        NATS_URL: TEST_NATS_URL,
        PLANT_ID: 'P100',
      });
      try {
        const ready = await expectEventually(
          async () => {
            const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
            expect(response.status).toBe(200);
            return (await response.json()) as { details: Record<string, { status: string }> };
          },
          { timeoutMs: 30_000, intervalMs: 250 },
        );
        expect(ready.details.database?.status).toBe('up');
        expect(ready.details.nats?.status).toBe('up');
        expect(ready.details.consumers?.status).toBe('up');
        const live = await fetch(`http://127.0.0.1:${port}/health/live`);
        expect(await live.json()).toEqual({ status: 'ok' });
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(metrics).toContain('process_cpu_user_seconds_total');
        // Structured JSON logs naming the service and plant.
        const line = service
          .text()
          .split('\n')
          .find((l) => l.includes('listening on'));
        expect(JSON.parse(line ?? '{}')).toMatchObject({ service: app, plant: 'P100', level: 30 });
      } finally {
        const { code } = await service.stop('SIGTERM');
        expect([0, null]).toContain(code);
      }
    },
  );

  it('readiness holds during a NATS outage: ready to accept work, with the broker down in the details', async () => {
    const port = await freePort();
    const natsPort = await freePort();
    const service = ServiceProcess.start('quality-events', {
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
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/^plantbridge_nats_connected 0$/m);
    } finally {
      await service.stop('SIGTERM');
    }
  });

  it('refuses to start with invalid settings, naming each of them, and exits non-zero', async () => {
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
  });
});
