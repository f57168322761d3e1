import { Controller, Module } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import {
  type CanonicalEvent,
  createEvent,
  Production,
  subjectFilterFor,
  subjectFor,
} from '@plantbridge/canonical-model';
import { samplePayload } from '@plantbridge/canonical-model/testing';
import { connectForTest, readStream, silentLogger } from '../testing';
import { expectEventually, TEST_NATS_URL, uniqueToken } from '@plantbridge/testing';
import {
  canonicalStreams,
  DLQ_STREAM,
  ensureConsumer,
  ensureStream,
  EventConsumer,
  type EventHandler,
  EventPublisher,
  HEADER,
  type JetStreamConnection,
  JetStreamContext,
  JetStreamServer,
  OnEvent,
  PermanentError,
  ProvisioningError,
  toRawMessage,
} from './index';

const Confirmed = Production.OperationConfirmedV1Event;
const origin = (plant: string) => ({ plant, source: '/plantbridge/test' });
const confirmation = (plant: string, key = uniqueToken('C')) =>
  createEvent(Confirmed, { ...samplePayload(Confirmed.type), plant, confirmationKey: key }, origin(plant));

describe('messaging against the real NATS JetStream', () => {
  let connection: JetStreamConnection;
  let publisher: EventPublisher;
  const consumers: EventConsumer[] = [];

  beforeAll(async () => {
    connection = await connectForTest(TEST_NATS_URL);
    publisher = new EventPublisher(connection);
    for (const stream of canonicalStreams()) await ensureStream(connection.manager(), stream);
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });

  afterAll(async () => {
    await connection.close();
  });

  /** Waits for the first dead letter of a consumer. */
  function firstDeadLetter(consumer: EventConsumer) {
    return expectEventually(async () => {
      const [message] = await readStream(connection, DLQ_STREAM, `dlq.PRODUCTION.${consumer.durable}`);
      expect(message).toBeDefined();
      return message!;
    });
  }

  function consume(plant: string, handler: EventHandler, retry = {}, ackWaitMs = 30_000): EventConsumer {
    const filterSubject = subjectFilterFor(Confirmed, plant);
    const consumer = new EventConsumer(
      connection,
      publisher,
      {
        declaration: {
          stream: 'PRODUCTION',
          durable: uniqueToken('d'),
          filterSubject,
          ackWaitMs,
          maxAckPending: 100,
        },
        concurrency: 4,
        retry: {
          maxDeliveries: 5,
          initialDelayMs: 200,
          maxDelayMs: 5000,
          multiplier: 2,
          jitter: 0,
          ...retry,
        },
      },
      handler,
      silentLogger,
    );
    consumers.push(consumer);
    return consumer;
  }

  it('stores an event published twice inside the duplicate window once', async () => {
    const plant = uniqueToken('P');
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const event = { ...confirmation(plant), traceparent };
    const first = await publisher.publish(event);
    const second = await publisher.publish(event);
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ ...first, duplicate: true });
    const stored = await readStream(connection, 'PRODUCTION', subjectFor(Confirmed, plant));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.headers).toMatchObject({
      'Nats-Msg-Id': event.id,
      [HEADER.eventType]: Confirmed.type,
      [HEADER.correlationId]: event.correlationid,
      [HEADER.traceparent]: traceparent,
    });
  });

  it('dead-letters an invalid message with the reason and its original headers, and goes on with the next', async () => {
    const plant = uniqueToken('P');
    const handled: string[] = [];
    const consumer = consume(plant, async (event) => void handled.push(event.id));
    await consumer.start();

    const bad = confirmation(plant);
    (bad.data as { yieldQuantity: number }).yieldQuantity = -5;
    const good = confirmation(plant);
    await publisher.publishRaw(toRawMessage(bad as CanonicalEvent));
    await publisher.publish(good);

    await expectEventually(() => expect(handled).toEqual([good.id]));
    const dead = await expectEventually(async () => {
      const messages = await readStream(connection, DLQ_STREAM, `dlq.PRODUCTION.${consumer.durable}`);
      expect(messages).toHaveLength(1);
      return messages[0]!;
    });
    expect(dead.headers[HEADER.deadLetterReason]).toMatch(
      /data\.yieldQuantity: yieldQuantity must not be less than 0/,
    );
    expect(dead.headers).toMatchObject({
      [HEADER.originalSubject]: subjectFor(Confirmed, plant),
      [HEADER.originalMsgId]: bad.id,
      [HEADER.correlationId]: bad.correlationid,
      [HEADER.deliveries]: '1',
    });
    expect(JSON.parse(dead.body).id).toBe(bad.id);
  });

  it('dead-letters at once on a permanent error from the handler', async () => {
    const plant = uniqueToken('P');
    let calls = 0;
    const ackWaitMs = 1000;
    const consumer = consume(
      plant,
      async () => {
        calls++;
        throw new PermanentError('order 1000123 is closed in ERP');
      },
      {},
      ackWaitMs,
    );
    await consumer.start();
    await publisher.publish(confirmation(plant));
    const dead = await firstDeadLetter(consumer);
    expect(dead.headers[HEADER.deadLetterReason]).toBe('order 1000123 is closed in ERP');
    // Terminated for good: not redelivered once the ack wait is over (regression: a term with a
    // reason was ignored by nats-server 2.9 and the message came back every ack wait).
    await new Promise((resolve) => setTimeout(resolve, 2.5 * ackWaitMs));
    expect(calls).toBe(1);
  });

  it('retries a transient failure with growing delay, then succeeds', async () => {
    const plant = uniqueToken('P');
    const attempts: number[] = [];
    const consumer = consume(plant, async () => {
      attempts.push(Date.now());
      if (attempts.length < 4) throw new Error('ERP connection reset');
    });
    await consumer.start();
    await publisher.publish(confirmation(plant));
    await expectEventually(() => expect(attempts).toHaveLength(4), { timeoutMs: 15_000 });
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    // Delays asked for: 200, 400, 800 ms (no jitter in this test).
    expect(gaps[0]).toBeGreaterThanOrEqual(180);
    expect(gaps[1]).toBeGreaterThanOrEqual(380);
    expect(gaps[2]).toBeGreaterThanOrEqual(780);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!);
    await expectEventually(async () => {
      const info = await connection.manager().consumers.info('PRODUCTION', consumer.durable);
      expect(info.num_ack_pending + info.num_pending).toBe(0);
    });
    expect(await readStream(connection, DLQ_STREAM, `dlq.PRODUCTION.${consumer.durable}`)).toHaveLength(0);
  });

  it('dead-letters after the last allowed delivery with the last error', async () => {
    const plant = uniqueToken('P');
    const consumer = consume(
      plant,
      async () => {
        throw new Error('ERP timeout');
      },
      { maxDeliveries: 3, initialDelayMs: 50 },
    );
    await consumer.start();
    await publisher.publish(confirmation(plant));
    const dead = await firstDeadLetter(consumer);
    expect(dead.headers[HEADER.deadLetterReason]).toBe('gave up after 3 deliveries: ERP timeout');
    expect(dead.headers[HEADER.deliveries]).toBe('3');
  });

  describe('provisioning', () => {
    const declaration = () => {
      const name = uniqueToken('TEST_');
      return {
        name,
        subjects: [`test.${name}.>`],
        storage: 'file' as const,
        duplicateWindowMs: 60_000,
        maxAgeMs: 3_600_000,
        maxBytes: -1,
        replicas: 1,
        description: 'provisioning test',
      };
    };
    const drop: string[] = [];
    afterAll(async () => {
      for (const name of drop) await connection.manager().streams.delete(name);
    });

    it('is idempotent, applies compatible changes and refuses incompatible ones', async () => {
      const stream = declaration();
      drop.push(stream.name);
      const jsm = connection.manager();
      expect(await ensureStream(jsm, stream)).toBe('created');
      expect(await ensureStream(jsm, stream)).toBe('unchanged');
      expect(await ensureStream(jsm, { ...stream, maxAgeMs: 7_200_000 })).toBe('updated');
      expect((await jsm.streams.info(stream.name)).config.max_age).toBe(7_200_000 * 1e6);
      await expect(ensureStream(jsm, { ...stream, storage: 'memory' })).rejects.toThrow(ProvisioningError);
      await expect(ensureStream(jsm, { ...stream, storage: 'memory' })).rejects.toThrow(
        /storage is "file", declared "memory"/,
      );

      const consumer = {
        stream: stream.name,
        durable: 'c1',
        filterSubject: `test.${stream.name}.a`,
        ackWaitMs: 30_000,
        maxAckPending: 10,
      };
      expect(await ensureConsumer(jsm, consumer)).toBe('created');
      expect(await ensureConsumer(jsm, consumer)).toBe('unchanged');
      expect(await ensureConsumer(jsm, { ...consumer, ackWaitMs: 60_000 })).toBe('updated');
      await expect(
        ensureConsumer(jsm, { ...consumer, filterSubject: `test.${stream.name}.b` }),
      ).rejects.toThrow(/consumer c1 cannot be changed in place: filter_subject/);
    });
  });

  it('routes events to typed @OnEvent handlers of a Nest app through the JetStream server', async () => {
    const plant = uniqueToken('P');
    const received: { event: CanonicalEvent; durable: string }[] = [];

    @Controller()
    class ConfirmationHandler {
      @OnEvent(Production.OperationConfirmedV1Event, { plant })
      async onConfirmed(
        @Payload() event: CanonicalEvent<'plantbridge.production.operation-confirmed.v1'>,
        @Ctx() ctx: JetStreamContext,
      ): Promise<void> {
        received.push({ event, durable: ctx.delivery.durable });
      }
    }
    @Module({ controllers: [ConfirmationHandler] })
    class HandlerModule {}

    const moduleRef = await Test.createTestingModule({ imports: [HandlerModule] }).compile();
    const app = moduleRef.createNestMicroservice({
      strategy: new JetStreamServer({
        serviceName: uniqueToken('svc'),
        connection,
        publisher,
        logger: silentLogger,
      }),
    });
    await app.listen();
    try {
      const event = confirmation(plant);
      await publisher.publish(event);
      await expectEventually(() => expect(received.map((r) => r.event.id)).toEqual([event.id]));
      expect(received[0]!.event.data).toBeInstanceOf(Production.OperationConfirmedV1);
      expect(received[0]!.durable).toMatch(/--production-v1-.*-operation-confirmed$/);
    } finally {
      await app.close();
    }
  });

  it("hands a Nest handler's own error class to settlement, and narrows handlers to the server's plant", async () => {
    const plant = uniqueToken('P');
    const serviceName = uniqueToken('svc');

    @Controller()
    class RefusingHandler {
      @OnEvent(Production.OperationConfirmedV1Event)
      async onConfirmed(
        @Payload() event: CanonicalEvent<'plantbridge.production.operation-confirmed.v1'>,
        @Ctx() _ctx: JetStreamContext,
      ): Promise<void> {
        throw new PermanentError(`order ${event.data.manufacturingOrder} is closed in ERP`);
      }
    }
    @Module({ controllers: [RefusingHandler] })
    class HandlerModule {}

    const moduleRef = await Test.createTestingModule({ imports: [HandlerModule] }).compile();
    const server = new JetStreamServer({ serviceName, plant, connection, publisher, logger: silentLogger });
    const app = moduleRef.createNestMicroservice({ strategy: server });
    await app.listen();
    try {
      await publisher.publish(confirmation(uniqueToken('P'))); // another plant: not ours
      await publisher.publish(confirmation(plant));
      const durable = `${serviceName}--production-v1-${plant}-operation-confirmed`;
      const dead = await expectEventually(async () => {
        const [message] = await readStream(connection, DLQ_STREAM, `dlq.PRODUCTION.${durable}`);
        expect(message).toBeDefined();
        return message!;
      });
      // Delivered once, dead-lettered at once with the handler's message: Nest did not flatten the error.
      expect(dead.headers[HEADER.deadLetterReason]).toBe('order 1000123 is closed in ERP');
      expect(dead.headers[HEADER.deliveries]).toBe('1');
      expect(server.consumerStates()).toEqual([{ durable, state: 'running' }]);
    } finally {
      await app.close();
    }
  });

  it("takes a handler's concurrency from the service's settings, and lets JetStream hand it that many messages", async () => {
    const plant = uniqueToken('P');
    const serviceName = uniqueToken('svc');
    const settings = { POSTING_WORKERS: 1200 };
    let running = 0;
    let mostRunning = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));

    @Controller()
    class SlowHandler {
      @OnEvent<'plantbridge.production.operation-confirmed.v1', typeof settings>(
        Production.OperationConfirmedV1Event,
        { concurrency: (s) => s.POSTING_WORKERS },
      )
      async onConfirmed(
        @Payload() _event: CanonicalEvent<'plantbridge.production.operation-confirmed.v1'>,
        @Ctx() _ctx: JetStreamContext,
      ): Promise<void> {
        mostRunning = Math.max(mostRunning, ++running);
        await released;
        running--;
      }
    }
    @Module({ controllers: [SlowHandler] })
    class HandlerModule {}

    const moduleRef = await Test.createTestingModule({ imports: [HandlerModule] }).compile();
    const server = new JetStreamServer({
      serviceName,
      plant,
      settings,
      connection,
      publisher,
      logger: silentLogger,
    });
    const app = moduleRef.createNestMicroservice({ strategy: server });
    await app.listen();
    const durable = `${serviceName}--production-v1-${plant}-operation-confirmed`;
    try {
      // More than the default concurrency (16), all handled at once.
      await Promise.all(Array.from({ length: 40 }, () => publisher.publish(confirmation(plant))));
      await expectEventually(() => expect(mostRunning).toBe(40));
      const info = await connection.manager().consumers.info('PRODUCTION', durable);
      expect(info.config.max_ack_pending).toBe(1200);
    } finally {
      release();
      await app.close();
      await connection.manager().consumers.delete('PRODUCTION', durable);
    }
  });
});
