import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type CanonicalEvent, createEvent, Equipment, Telemetry } from '@plantbridge/canonical-model';
import { samplePayload } from '@plantbridge/canonical-model/testing';
import type { EventPublisher } from '@plantbridge/messaging';
import { silentLogger } from '@plantbridge/messaging/testing';
import {
  dataSourceOptionsFor,
  type DatabaseSettings,
  OutboxMessage,
  OutboxRelay,
  UnitOfWork,
} from '@plantbridge/persistence';
import { ReadinessRegistry } from '@plantbridge/service-runtime';
import { createTestSchema } from '@plantbridge/testing';
import { register } from 'prom-client';
import { DataSource, IsNull, Not } from 'typeorm';
import type { EdgeGatewayConfig } from '../config';
import { BufferLimits } from './buffer-limits';
import { measureBuffer } from './buffer-size';
import { GatewayObservability } from './gateway-observability';
import type { GatewayPipeline } from './gateway-pipeline';
import { enableIncrementalAutoVacuum } from './sqlite-file-shrinker';

const MiB = 1024 * 1024;
const origin = { plant: 'P100', source: '/test' };

/** A full telemetry report: 2,000 samples, about 250 kB of JSON, as the gateway makes them. */
function telemetryReport(): CanonicalEvent {
  const payload = samplePayload('plantbridge.telemetry.samples-reported.v1');
  const sample = payload.samples[0];
  const samples = Array.from({ length: 2000 }, (_, i) => ({ ...sample, value: i / 7 }));
  return createEvent(Telemetry.SamplesReportedV1Event, { ...payload, samples }, origin);
}

/** Counts, alarms and cycles, in turn: what must reach ERP and the operators. */
function businessEvent(i: number): CanonicalEvent {
  switch (i % 3) {
    case 0:
      return createEvent(
        Equipment.ProductionCountedV1Event,
        samplePayload('plantbridge.equipment.production-counted.v1'),
        origin,
      );
    case 1:
      return createEvent(
        Equipment.AlarmRaisedV1Event,
        samplePayload('plantbridge.equipment.alarm-raised.v1'),
        origin,
      );
    default:
      return createEvent(
        Equipment.CycleCompletedV1Event,
        samplePayload('plantbridge.equipment.cycle-completed.v1'),
        origin,
      );
  }
}

/** The publisher of a gateway whose broker is away: every publish fails, rows stay in the outbox. */
const brokerAway = {
  publishRaw: async () => {
    throw new Error('NATS is unavailable: not connected');
  },
} as unknown as EventPublisher;

describe.each(['sqlite', 'postgres'] as const)('store-and-forward buffer bounded in bytes (%s)', (kind) => {
  let dataSource: DataSource;
  let unitOfWork: UnitOfWork;
  let relay: OutboxRelay;
  let cleanup: () => Promise<void>;
  /** On SQLite: a second connection checkpointing the WAL, as SqliteCheckpointer does in the service. */
  let checkpointer: NodeJS.Timeout | undefined;
  const logged: string[] = [];
  const logger = {
    log: (m: string) => logged.push(m),
    warn: (m: string) => logged.push(m),
    error: (m: string) => logged.push(m),
  };

  beforeEach(async () => {
    logged.length = 0;
    let settings: DatabaseSettings;
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'buffer-limits-'));
      settings = { serviceName: 'gw', dataDir: dir };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    } else {
      const { schema, url, drop } = await createTestSchema();
      settings = { serviceName: 'gw', databaseUrl: url, schema, dataDir: tmpdir() };
      cleanup = drop;
    }
    dataSource = new DataSource({ ...dataSourceOptionsFor(settings), logging: false });
    await dataSource.initialize();
    // As the gateway's boot does (IncrementalAutoVacuum), on a database made without it.
    expect(await enableIncrementalAutoVacuum(dataSource)).toBe(kind === 'sqlite');
    if (kind === 'sqlite') {
      const other = new Database(dataSource.options.database as string);
      checkpointer = setInterval(() => other.pragma('wal_checkpoint(PASSIVE)'), 50);
      const stop = cleanup;
      cleanup = async () => (other.close(), await stop());
    }
    unitOfWork = new UnitOfWork(dataSource, false);
    relay = new OutboxRelay(dataSource, unitOfWork, brokerAway, silentLogger, {
      pollMs: 50,
      batchSize: 16,
      maxBatchBytes: 4 * MiB,
      minBackoffMs: 20,
      maxBackoffMs: 100,
    });
    unitOfWork.onEventsCommitted(() => relay.notify());
    relay.start();
  });

  afterEach(async () => {
    await relay.stop();
    clearInterval(checkpointer);
    await dataSource.destroy();
    await cleanup();
  });

  /** Commits events as the pipeline does, a batch per transaction. */
  async function commit(events: CanonicalEvent[]): Promise<void> {
    await unitOfWork.run(async (tx) => {
      for (const event of events) await tx.publish(event);
    });
  }

  /**
   * What the bound is checked against, measured from outside: on SQLite the database file and its
   * WAL as the file system sees them; on PostgreSQL the bytes of the unpublished rows.
   */
  async function onDisk(): Promise<number> {
    if (kind === 'postgres') return (await measureBuffer(dataSource)).bytes;
    const file = dataSource.options.database as string;
    return statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0);
  }

  const unpublished = async () =>
    (
      await dataSource.getRepository(OutboxMessage).find({
        select: { position: true, messageId: true, subject: true },
        where: { publishedAt: IsNull() },
        order: { position: 'ASC' },
      })
    ).map((r) => ({ ...r, telemetry: r.subject.includes('.telemetry.') }));

  const droppedTotal = async (k: string) =>
    (await register.getSingleMetric('plantbridge_buffer_dropped_total')!.get()).values.find(
      (v) => v.labels.kind === k,
    )?.value ?? 0;

  it('keeps within BUFFER_MAX_BYTES with the broker away: telemetry goes first, every business event stays, the file shrinks', async () => {
    const maxBytes = 8 * MiB;
    const limits = new BufferLimits(dataSource, unitOfWork, { maxBytes }, logger);
    const telemetryDroppedBefore = await droppedTotal('telemetry');
    const eventsDroppedBefore = await droppedTotal('events');
    const events: string[] = [];
    const telemetry: string[] = [];
    const sizes: Array<{ before: number; after: number; dropped: number }> = [];
    // 60 check intervals, each with a telemetry report and 10 business events: about 16 MB.
    for (let round = 0; round < 60; round++) {
      const report = telemetryReport();
      const batch = [report, ...Array.from({ length: 10 }, (_, i) => businessEvent(round * 10 + i))];
      telemetry.push(report.id);
      events.push(...batch.slice(1).map((e) => e.id));
      await commit(batch);
      const before = await onDisk();
      const check = await limits.enforce();
      expect(check.events).toBe(0);
      sizes.push({ before, after: await onDisk(), dropped: check.telemetry });
    }

    const rows = await unpublished();
    // No business event was dropped, and the telemetry left is the newest.
    expect(rows.filter((r) => !r.telemetry).map((r) => r.messageId)).toEqual(events);
    const kept = rows.filter((r) => r.telemetry).map((r) => r.messageId);
    expect(kept.length).toBeGreaterThan(10);
    expect(kept).toEqual(telemetry.slice(-kept.length));
    const droppedReports = telemetry.length - kept.length;
    expect(await droppedTotal('telemetry')).toBe(telemetryDroppedBefore + droppedReports);
    expect(await droppedTotal('events')).toBe(eventsDroppedBefore);
    expect(logged.join('\n')).toMatch(
      /dropped the \d+ oldest telemetry report\(s\) \(limit BUFFER_MAX_BYTES=8388608/,
    );
    expect(logged.join('\n')).not.toMatch(/business event/);

    // Within the bound after every check; between two checks over it by at most what one interval
    // wrote (a report and 10 events, ~260 kB), which SQLite holds twice until a checkpoint (WAL and file).
    expect(Math.max(...sizes.map((s) => s.after))).toBeLessThanOrEqual(maxBytes);
    expect(Math.max(...sizes.map((s) => s.before))).toBeLessThanOrEqual(maxBytes + 2 * 300_000);
    const drops = sizes.filter((s) => s.dropped);
    expect(drops.length).toBeGreaterThan(1);
    // Deleting rows gives the space back: the file is smaller after each check that dropped.
    for (const s of drops) expect(s.after).toBeLessThan(s.before);
  });

  it('drops the oldest business events only once no telemetry is left, and says their data is lost', async () => {
    const maxBytes = 2 * MiB;
    const limits = new BufferLimits(dataSource, unitOfWork, { maxBytes }, logger);
    const eventsDroppedBefore = await droppedTotal('events');
    const events = Array.from({ length: 6000 }, (_, i) => businessEvent(i));
    for (let i = 0; i < events.length; i += 500) {
      await commit(i === 3000 ? [telemetryReport(), ...events.slice(i, i + 500)] : events.slice(i, i + 500));
    }
    await commit([telemetryReport()]);
    expect(await onDisk()).toBeGreaterThan(maxBytes);

    const check = await limits.enforce();
    expect(check).toMatchObject({ telemetry: 2, events: expect.any(Number) });
    expect(check.events).toBeGreaterThan(0);
    const rows = await unpublished();
    expect(rows.some((r) => r.telemetry)).toBe(false);
    // The oldest went: what is left is the newest, in order.
    expect(rows.map((r) => r.messageId)).toEqual(events.slice(check.events).map((e) => e.id));
    expect(await droppedTotal('events')).toBe(eventsDroppedBefore + check.events);
    expect(logged.at(-1)).toMatch(
      /dropped the \d+ oldest business event\(s\), their data is lost \(limit BUFFER_MAX_BYTES=2097152/,
    );
    expect(await onDisk()).toBeLessThanOrEqual(maxBytes);
  });

  it(
    kind === 'sqlite'
      ? 'deletes published rows (already on JetStream) before dropping anything unpublished'
      : 'never counts published rows',
    async () => {
      const maxBytes = 4 * MiB;
      const limits = new BufferLimits(dataSource, unitOfWork, { maxBytes }, logger);
      await commit(Array.from({ length: 24 }, () => telemetryReport()));
      await dataSource
        .getRepository(OutboxMessage)
        .update({ publishedAt: IsNull() }, { publishedAt: new Date().toISOString() });
      await commit([telemetryReport(), businessEvent(0)]);

      const check = await limits.enforce();
      expect(check).toMatchObject({ telemetry: 0, events: 0 });
      // On SQLite the oldest published rows, as many as bring the file to 90 % of the bound.
      if (kind === 'sqlite') expect(check.published).toBeGreaterThan(0);
      else expect(check.published).toBe(0);
      expect(await unpublished()).toHaveLength(2);
      if (kind === 'sqlite') {
        const published = await dataSource.getRepository(OutboxMessage).find({
          select: { position: true },
          where: { publishedAt: Not(IsNull()) },
          order: { position: 'ASC' },
        });
        expect(published.map((r) => r.position)).toEqual(
          Array.from({ length: 24 - check.published }, (_, i) => check.published + 1 + i),
        );
        expect(await onDisk()).toBeLessThanOrEqual(maxBytes);
      }
    },
  );

  it('reports the bytes and the age of the oldest unpublished event on /metrics and /health/ready', async () => {
    const maxBytes = 64 * MiB;
    const readiness = new ReadinessRegistry();
    const observability = new GatewayObservability(
      { connections: [] } as unknown as GatewayPipeline,
      relay,
      readiness,
      dataSource,
      { BUFFER_MAX_BYTES: maxBytes } as EdgeGatewayConfig,
    );
    observability.onModuleInit();
    const gauge = async (name: string) => (await register.getSingleMetric(name)!.get()).values[0]?.value;
    expect(await gauge('plantbridge_buffer_oldest_age_seconds')).toBe(0);

    // Committed 90 s ago while the broker was away, and a report just now.
    const old = businessEvent(0);
    await dataSource.getRepository(OutboxMessage).insert({
      messageId: old.id,
      subject: 'mfg.equipment.v1.P100.production-counted',
      body: JSON.stringify(old),
      headers: '{}',
      createdAt: new Date(Date.now() - 90_000).toISOString(),
      publishedAt: null,
      attempts: 0,
      lastError: null,
    });
    await commit([telemetryReport()]);
    if (kind === 'sqlite') await dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');

    const bytes = await gauge('plantbridge_buffer_bytes');
    const rows = await dataSource.getRepository(OutboxMessage).findBy({ publishedAt: IsNull() });
    const rowBytes = rows.reduce(
      (sum, r) =>
        sum + Buffer.byteLength(r.subject) + Buffer.byteLength(r.body) + Buffer.byteLength(r.headers),
      0,
    );
    // SQLite: the file (no WAL after the checkpoint); PostgreSQL: the unpublished rows.
    expect(bytes).toBe(kind === 'sqlite' ? await onDisk() : rowBytes);
    expect(bytes).toBeGreaterThanOrEqual(rowBytes);
    expect(await gauge('plantbridge_buffer_max_bytes')).toBe(maxBytes);
    const age = await gauge('plantbridge_buffer_oldest_age_seconds');
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(120);

    const [, check] = readiness.entries().find(([name]) => name === 'opcua')!;
    const { buffer } = (await check()).details as { buffer: Record<string, number> };
    expect(buffer).toMatchObject({ depth: 2, maxBytes, bytes: expect.any(Number) });
    expect(buffer.bytes).toBeGreaterThanOrEqual(rowBytes);
    expect(buffer.oldestAgeSeconds).toBeGreaterThanOrEqual(90);
  });
});
