import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  causedBy,
  createEvent,
  Production,
  subjectFilterFor,
  subjectFor,
} from '@plantbridge/canonical-model';
import { samplePayload } from '@plantbridge/canonical-model/testing';
import {
  canonicalStreams,
  DEFAULT_RETRY_POLICY,
  ensureStream,
  EventConsumer,
  EventPublisher,
  type JetStreamConnection,
} from '@plantbridge/messaging';
import { connectForTest, readStream, silentLogger } from '@plantbridge/messaging/testing';
import { expectEventually, NatsServerProcess, TEST_NATS_URL, uniqueToken } from '@plantbridge/testing';
import { IsNull, Like, Not, type DataSource } from 'typeorm';
import { createTestDatabase, DATABASE_KINDS, openDataSource, type TestDatabase } from '../test/databases';
import {
  IdempotencyKeyReusedError,
  IdempotencyRecord,
  IdempotentRequests,
  Inbox,
  InboxMessage,
  OutboxMessage,
  OutboxRelay,
  RetentionSweeper,
  toOutboxRow,
  type Transaction,
  UnitOfWork,
} from './index';

const HOUR = 3_600_000;

const Confirmed = Production.OperationConfirmedV1Event;
const confirmation = (plant: string) =>
  createEvent(
    Confirmed,
    { ...samplePayload(Confirmed.type), plant, confirmationKey: uniqueToken('C') },
    { plant, source: '/test' },
  );
const ROOT = join(__dirname, '../../..');

describe.each(DATABASE_KINDS)('inbox and outbox on %s', (kind) => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let unitOfWork: UnitOfWork;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    dataSource = await openDataSource(database.settings);
    unitOfWork = new UnitOfWork(dataSource);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.cleanup();
  });

  it('runs the migrations (inbox and outbox tables exist, migration recorded)', async () => {
    const table = database.settings.schema
      ? `"${database.settings.schema}".schema_migrations`
      : 'schema_migrations';
    const migrations = await dataSource.query(`SELECT name FROM ${table}`);
    expect(migrations.map((m: { name: string }) => m.name)).toEqual([
      'InboxAndOutbox1764140000000',
      'IdempotencyKeys1764150000000',
    ]);
    expect(await dataSource.getRepository(InboxMessage).count()).toBe(0);
  });

  it('answers a replayed Idempotency-Key with the first response and applies the effect once', async () => {
    const requests = new IdempotentRequests(unitOfWork);
    const key = uniqueToken('idem');
    const request = { method: 'POST', path: '/v1/things', body: { b: 2, a: 1 } };
    // The effect is a row in the database: a racing request may run its work, but only one commits.
    const plant = uniqueToken('P');
    const work = async (tx: Transaction) => {
      const event = confirmation(plant);
      await tx.publish(event);
      return { statusCode: 202, body: { id: event.id } };
    };
    const results = await Promise.all([1, 2, 3].map(() => requests.execute(key, request, work)));
    const effects = await dataSource
      .getRepository(OutboxMessage)
      .findBy({ subject: subjectFor(Confirmed, plant) });
    expect(effects).toHaveLength(1);
    expect(results.map((r) => r.body)).toEqual([1, 2, 3].map(() => ({ id: effects[0]!.messageId })));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    const sameBodyOtherOrder = { ...request, body: { a: 1, b: 2 } };
    expect(await requests.execute(key, sameBodyOtherOrder, work)).toMatchObject({
      replayed: true,
      statusCode: 202,
    });
    await expect(requests.execute(key, { ...request, body: { a: 1, b: 3 } }, work)).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
  });

  it('sweeps published outbox rows, Idempotency-Keys and inbox rows past their retention, nothing else', async () => {
    const sweeper = new RetentionSweeper(dataSource, silentLogger, {
      outboxMs: 24 * HOUR,
      idempotencyMs: 72 * HOUR,
      inboxMs: 192 * HOUR,
      everyMs: 60_000,
    });
    const now = Date.now();
    const ago = (hours: number) => new Date(now - hours * HOUR).toISOString();
    const plant = uniqueToken('P');
    const outboxRow = (createdAt: string, publishedAt: string | null) => ({
      ...toOutboxRow(confirmation(plant)),
      createdAt,
      publishedAt,
    });
    await dataSource.getRepository(OutboxMessage).insert([
      outboxRow(ago(30), ago(30)), // published long ago: swept
      outboxRow(ago(30), null), // never published: kept whatever its age
      outboxRow(ago(1), ago(1)), // recent: kept
    ]);
    const key = uniqueToken('k');
    await dataSource.getRepository(IdempotencyRecord).insert([
      { key: `${key}-old`, requestHash: 'h', statusCode: 202, responseBody: '{}', createdAt: ago(80) },
      { key: `${key}-new`, requestHash: 'h', statusCode: 202, responseBody: '{}', createdAt: ago(2) },
    ]);
    const consumer = uniqueToken('c');
    await dataSource.getRepository(InboxMessage).insert([
      { consumer, messageId: 'old', processedAt: ago(200) },
      { consumer, messageId: 'new', processedAt: ago(3) },
    ]);
    const removed = await sweeper.sweep(now);
    expect(removed.idempotency).toBeGreaterThanOrEqual(1);
    const outbox = await dataSource
      .getRepository(OutboxMessage)
      .findBy({ subject: subjectFor(Confirmed, plant) });
    expect(outbox.map((o) => [o.createdAt, o.publishedAt])).toEqual([
      [ago(30), null],
      [ago(1), ago(1)],
    ]);
    const keys = await dataSource.getRepository(IdempotencyRecord).findBy({ key: Like(`${key}%`) });
    expect(keys.map((k) => k.key)).toEqual([`${key}-new`]);
    expect(
      (await dataSource.getRepository(InboxMessage).findBy({ consumer })).map((m) => m.messageId),
    ).toEqual(['new']);
  });

  it('does not keep a failed request, so the same key works once the cause is fixed', async () => {
    const requests = new IdempotentRequests(unitOfWork);
    const key = uniqueToken('idem');
    const request = { method: 'POST', path: '/v1/things', body: {} };
    await expect(
      requests.execute(key, request, () => Promise.reject(new Error('order is closed'))),
    ).rejects.toThrow('order is closed');
    expect(await requests.execute(key, request, async () => ({ statusCode: 201, body: 'ok' }))).toMatchObject(
      {
        replayed: false,
        body: 'ok',
      },
    );
  });

  it('applies an effect once per message id, also when deliveries race', async () => {
    const inbox = new Inbox(unitOfWork);
    const plant = uniqueToken('P');
    const message = confirmation(plant);
    const effect = () =>
      inbox.processOnce('c1', message.id, (tx) =>
        tx.publish(createEvent(Confirmed, message.data, causedBy(message, '/t'))),
      );
    const results = await Promise.allSettled([effect(), effect(), effect()]);
    const again = await effect();
    const applied = results.filter((r) => r.status === 'fulfilled' && r.value.applied).length;
    expect(applied).toBe(1);
    expect(again).toEqual({ applied: false });
    // A racing delivery may fail on the primary key instead of seeing the row: it is retried later.
    for (const r of results)
      if (r.status === 'rejected') expect(String(r.reason)).toMatch(/unique|duplicate|constraint/i);
    expect(
      await dataSource.getRepository(OutboxMessage).countBy({ subject: subjectFor(Confirmed, plant) }),
    ).toBe(1);
    // The same message id for another consumer is another effect.
    expect((await inbox.processOnce('c2', message.id, async () => 'done')).applied).toBe(true);
  });

  it('rolls the inbox row back with a failed effect, so the retry applies it', async () => {
    const inbox = new Inbox(unitOfWork);
    await expect(
      inbox.processOnce('c1', 'm-fail', async () => Promise.reject(new Error('ERP down'))),
    ).rejects.toThrow('ERP down');
    expect(await inbox.processOnce('c1', 'm-fail', async () => 42)).toEqual({ applied: true, result: 42 });
  });

  it('commits concurrent transactions each on its own: a failing one rolls back alone, the rest commit', async () => {
    const plant = uniqueToken('P');
    const events = Array.from({ length: 60 }, () => confirmation(plant));
    const results = await Promise.allSettled(
      events.map((event, i) =>
        unitOfWork.run(async (tx) => {
          await tx.publish(event);
          if (i % 7 === 3) throw new Error(`work ${i} refused`);
          // A second write of a work after an await, so works of a group interleave with the queue.
          await tx.manager.query('SELECT 1');
          return i;
        }),
      ),
    );
    results.forEach((result, i) =>
      expect(result).toEqual(
        i % 7 === 3
          ? { status: 'rejected', reason: new Error(`work ${i} refused`) }
          : { status: 'fulfilled', value: i },
      ),
    );
    const stored = await dataSource
      .getRepository(OutboxMessage)
      .findBy({ subject: subjectFor(Confirmed, plant) });
    expect(stored.map((row) => row.messageId).sort()).toEqual(
      events
        .filter((_, i) => i % 7 !== 3)
        .map((event) => event.id)
        .sort(),
    );
    // The connection is usable and outside any transaction afterwards.
    await expect(unitOfWork.transaction((manager) => manager.query('SELECT 1'))).resolves.toBeDefined();
  });

  it('backs off while NATS is away, even when every commit wakes the relay', async () => {
    let attempts = 0;
    const unreachable = {
      publishRaw: async () => {
        attempts++;
        throw new Error('NATS is unavailable: not connected');
      },
    } as unknown as EventPublisher;
    const relay = new OutboxRelay(dataSource, unitOfWork, unreachable, silentLogger, {
      pollMs: 50,
      // One row per attempt, so attempts count tries (other tests leave unpublished rows behind).
      batchSize: 1,
      maxBatchBytes: 4 * 1024 * 1024,
      minBackoffMs: 400,
      maxBackoffMs: 400,
    });
    const plant = uniqueToken('P');
    await unitOfWork.run((tx) => tx.publish(confirmation(plant)));
    relay.start();
    try {
      // A busy service commits all the time; each commit notifies the relay.
      for (let i = 0; i < 30; i++) {
        relay.notify();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // 600 ms with a 400 ms backoff: the first try and at most one retry, not one per commit.
      expect(attempts).toBeGreaterThanOrEqual(1);
      expect(attempts).toBeLessThanOrEqual(2);
    } finally {
      await relay.stop();
      await dataSource.getRepository(OutboxMessage).delete({ subject: subjectFor(Confirmed, plant) });
    }
  });

  describe('with the shared NATS', () => {
    let connection: JetStreamConnection;
    beforeAll(async () => {
      connection = await connectForTest(TEST_NATS_URL);
      for (const stream of canonicalStreams()) await ensureStream(connection.manager(), stream);
    });
    afterAll(() => connection.close());

    it('applies the effect once when the consumer is killed after its effect and before its ack', async () => {
      const plant = uniqueToken('P');
      const durable = uniqueToken('crash');
      const filterSubject = subjectFilterFor(Confirmed, plant);
      const publisher = new EventPublisher(connection);
      const event = confirmation(plant);
      await publisher.publish(event);

      const settings = {
        natsUrl: TEST_NATS_URL,
        database: database.settings,
        stream: 'PRODUCTION',
        durable,
        filterSubject,
      };
      const child = spawn(
        process.execPath,
        [
          '-r',
          join(ROOT, 'tools/runtime/register.js'),
          join(__dirname, '../test/crashing-consumer.ts'),
          JSON.stringify(settings),
        ],
        {
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      );
      const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
        child.once('exit', (_code, s) => resolve(s)),
      );
      expect(signal).toBe('SIGKILL');

      const effects = () =>
        dataSource.getRepository(OutboxMessage).countBy({ subject: subjectFor(Confirmed, plant) });
      expect(await effects()).toBe(1);

      // The restarted consumer gets the message again (no ack arrived) and the inbox skips it.
      const inbox = new Inbox(unitOfWork);
      const redelivered: { applied: boolean; deliveryCount: number }[] = [];
      const consumer = new EventConsumer(
        connection,
        publisher,
        {
          declaration: { stream: 'PRODUCTION', durable, filterSubject, ackWaitMs: 2000, maxAckPending: 10 },
          concurrency: 1,
          retry: DEFAULT_RETRY_POLICY,
        },
        async (e, delivery) => {
          const result = await inbox.processOnce(delivery.durable, e.id, (tx) =>
            tx.publish(createEvent(Confirmed, e.data as Production.OperationConfirmedV1, causedBy(e, '/t'))),
          );
          redelivered.push({ applied: result.applied, deliveryCount: delivery.deliveryCount });
        },
        silentLogger,
      );
      await consumer.start();
      try {
        await expectEventually(() => expect(redelivered).toEqual([{ applied: false, deliveryCount: 2 }]), {
          timeoutMs: 15_000,
        });
        await expectEventually(async () => {
          const info = await connection.manager().consumers.info('PRODUCTION', durable);
          expect(info.num_ack_pending + info.num_pending).toBe(0);
        });
        expect(await effects()).toBe(1);
      } finally {
        await consumer.stop();
      }
    });
  });

  it('an event that could not be published does not hold back the rows behind it: set aside, dead-lettered by reference, its listener told', async () => {
    const connection = await connectForTest(TEST_NATS_URL);
    for (const stream of canonicalStreams()) await ensureStream(connection.manager(), stream);
    const service = uniqueToken('svc');
    const relay = new OutboxRelay(
      dataSource,
      unitOfWork,
      new EventPublisher(connection, 2000),
      silentLogger,
      { pollMs: 100, batchSize: 50, maxBatchBytes: 4 * 1024 * 1024, minBackoffMs: 100, maxBackoffMs: 500 },
      service,
    );
    const told: string[] = [];
    relay.onUndeliverable(async (row) => void told.push(`${row.messageId} ${row.reason}`));
    const plant = uniqueToken('P');
    const huge = confirmation(plant);
    const after = [confirmation(plant), confirmation(plant)];
    try {
      // Above the broker's max_payload (1 MiB): written by hand, as the outbox refuses no size.
      await unitOfWork.transaction(async (manager) => {
        const row = toOutboxRow(huge);
        await manager.insert(OutboxMessage, {
          ...row,
          body: row.body.replace('"data":{', `"pad":"${'x'.repeat(1_200_000)}","data":{`),
        });
      });
      for (const event of after) await unitOfWork.run((tx) => tx.publish(event));
      relay.start();
      await expectEventually(async () => {
        const stored = await readStream(connection, 'PRODUCTION', subjectFor(Confirmed, plant));
        expect(stored.map((m) => m.headers['Nats-Msg-Id'])).toEqual(after.map((e) => e.id));
        // Marked too: a row left unmarked is sent again and again, and holds every later one back.
        const unmarked = await dataSource
          .getRepository(OutboxMessage)
          .countBy({ subject: subjectFor(Confirmed, plant), publishedAt: IsNull() });
        expect(unmarked).toBe(0);
      });
      expect(told).toEqual([expect.stringMatching(new RegExp(`^${huge.id} undeliverable: .*max_payload`))]);
      const [letter] = await readStream(connection, 'DLQ', `dlq.OUTBOX.${service}`);
      expect(letter?.headers).toMatchObject({
        'Plantbridge-Original-Msg-Id': huge.id,
        'Plantbridge-Original-Subject': subjectFor(Confirmed, plant),
      });
      const row = await dataSource.getRepository(OutboxMessage).findOneByOrFail({ messageId: huge.id });
      expect(row).toMatchObject({
        publishedAt: expect.any(String),
        lastError: expect.stringMatching(/^undeliverable/),
      });
    } finally {
      await relay.stop();
      await connection.close();
    }
  });

  it('publishes outbox rows written while NATS is unreachable once it is back, each exactly once', async () => {
    const nats = await NatsServerProcess.start();
    const connection = await connectForTest(nats.url);
    for (const stream of canonicalStreams()) await ensureStream(connection.manager(), stream);
    const publisher = new EventPublisher(connection, 1000);
    const relay = new OutboxRelay(dataSource, unitOfWork, publisher, silentLogger, {
      pollMs: 100,
      batchSize: 50,
      maxBatchBytes: 4 * 1024 * 1024,
      minBackoffMs: 100,
      maxBackoffMs: 500,
    });
    const stop = unitOfWork.onEventsCommitted(() => relay.notify());
    relay.start();
    const plant = uniqueToken('P');
    const pendingForPlant = () =>
      dataSource
        .getRepository(OutboxMessage)
        .countBy({ subject: subjectFor(Confirmed, plant), publishedAt: IsNull() });
    try {
      await unitOfWork.run((tx) => tx.publish(confirmation(plant)));
      await expectEventually(async () => expect(await pendingForPlant()).toBe(0));

      await nats.stop();
      const written: string[] = [];
      for (let i = 0; i < 120; i++) {
        const event = confirmation(plant);
        written.push(event.id);
        await unitOfWork.run((tx) => tx.publish(event));
      }
      // Give the relay time to try and fail against the dead broker.
      await expectEventually(
        async () => {
          const failed = await dataSource
            .getRepository(OutboxMessage)
            .countBy({ subject: subjectFor(Confirmed, plant), lastError: Not(IsNull()) });
          expect(failed).toBeGreaterThan(0);
        },
        { timeoutMs: 15_000 },
      );
      expect(await pendingForPlant()).toBe(120);

      await nats.start();
      await expectEventually(async () => expect(await pendingForPlant()).toBe(0), { timeoutMs: 30_000 });

      const stored = await readStream(connection, 'PRODUCTION', subjectFor(Confirmed, plant));
      const ids = stored.map((m) => m.headers['Nats-Msg-Id']);
      expect(ids).toHaveLength(121);
      expect(new Set(ids).size).toBe(121);
      expect(ids.slice(1)).toEqual(written);
    } finally {
      stop();
      await relay.stop();
      await connection.close();
      await nats.destroy();
    }
  });
});
