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
  type DeadLetter,
  OnDeadLetter,
  OnEvent,
  PermanentError,
  ProvisioningError,
  type RawMessage,
  toRawMessage,
  fromNatsHeaders,
  NatsUnavailableError,
  DEAD_LETTER_ATTEMPTS,
} from './index';
import { register } from 'prom-client';

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

  function consume(
    plant: string,
    handler: EventHandler,
    retry = {},
    ackWaitMs = 30_000,
    { via = publisher, concurrency = 4 }: { via?: EventPublisher; concurrency?: number } = {},
  ): EventConsumer {
    const filterSubject = subjectFilterFor(Confirmed, plant);
    const consumer = new EventConsumer(
      connection,
      via,
      {
        declaration: {
          stream: 'PRODUCTION',
          durable: uniqueToken('d'),
          filterSubject,
          ackWaitMs,
          maxAckPending: 100,
        },
        concurrency,
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
  describe('dead letters that always land (issue 25: some messages could never be dead-lettered)', () => {
    const raw = (plant: string, data: Uint8Array | string): RawMessage => ({
      subject: subjectFor(Confirmed, plant),
      data,
      msgId: uniqueToken('m'),
      headers: {},
    });

    /** The consumer's newest DLQ copy, body as bytes (readStream decodes bodies as text). */
    function lastDeadLetter(consumer: EventConsumer) {
      return expectEventually(async () => {
        const stored = await connection
          .manager()
          .streams.getMessage(DLQ_STREAM, { last_by_subj: `dlq.PRODUCTION.${consumer.durable}` });
        return { data: stored.data, headers: fromNatsHeaders(stored.header) };
      });
    }

    function settled(consumer: EventConsumer, timeoutMs = 10_000) {
      return expectEventually(
        async () => {
          const info = await connection.manager().consumers.info('PRODUCTION', consumer.durable);
          expect(info.num_ack_pending + info.num_pending).toBe(0);
        },
        { timeoutMs },
      );
    }

    /** `plantbridge_dead_letter_failures_total` of one consumer. */
    async function deadLetterFailures(durable: string): Promise<number> {
      const metric = register.getSingleMetric('plantbridge_dead_letter_failures_total');
      if (!metric) return 0;
      const { values } = await metric.get();
      return values.filter((v) => v.labels.durable === durable).reduce((sum, v) => sum + v.value, 0);
    }

    /** A publisher whose DLQ writes fail with `error`; everything else goes through. */
    class FailingDeadLetters extends EventPublisher {
      attempts = 0;
      constructor(private readonly error: () => Error) {
        super(connection);
      }
      override async publishRaw(message: RawMessage) {
        if (!message.subject.startsWith('dlq.')) return super.publishRaw(message);
        this.attempts++;
        throw this.error();
      }
    }

    it('a JSON parse error quoting a newline is dead-lettered', async () => {
      const plant = uniqueToken('P');
      const handled: string[] = [];
      const consumer = consume(plant, async (event) => void handled.push(event.id));
      await consumer.start();
      await publisher.publishRaw(raw(plant, '{"a":\n\n foo}'));
      const good = confirmation(plant);
      await publisher.publish(good);

      const dead = await lastDeadLetter(consumer);
      const reason = dead.headers[HEADER.deadLetterReason]!;
      expect(reason).toMatch(/^body is not JSON: /);
      expect(reason).toContain('\\n\\n foo'); // the newlines escaped, not written into the header
      expect(Buffer.from(dead.data).toString()).toBe('{"a":\n\n foo}');
      await expectEventually(() => expect(handled).toEqual([good.id]));
      await settled(consumer);
    });

    it('binary input is dead-lettered', async () => {
      const plant = uniqueToken('P');
      const consumer = consume(plant, async () => undefined);
      await consumer.start();
      const bytes = Uint8Array.from([0x00, 0x0a, 0x0d, 0xff, 0xfe, 0x07, 0x1b, 0x80, 0x7b, 0x22, 0xc3, 0x28]);
      await publisher.publishRaw(raw(plant, bytes));

      const dead = await lastDeadLetter(consumer);
      expect(dead.headers[HEADER.deadLetterReason]).toMatch(/^body is not JSON: [\x20-\x7e]+$/);
      expect(Buffer.from(dead.data).equals(Buffer.from(bytes))).toBe(true);
      await settled(consumer);
    });

    it('a message near max_payload is dead-lettered by reference', async () => {
      const plant = uniqueToken('P');
      const consumer = consume(plant, async () => undefined);
      await consumer.start();
      const maxPayload = (await connection.whenConnected()).info!.max_payload;
      const body = 'x'.repeat(maxPayload - 256); // fits with its own headers, not with the dead-letter ones
      const stored = await publisher.publishRaw(raw(plant, body));

      const dead = await lastDeadLetter(consumer);
      expect(dead.data).toHaveLength(0);
      expect(dead.headers).toMatchObject({
        [HEADER.originalStream]: 'PRODUCTION',
        [HEADER.originalSequence]: String(stored.seq),
        [HEADER.originalSize]: String(body.length),
        [HEADER.originalSubject]: subjectFor(Confirmed, plant),
      });
      expect(dead.headers[HEADER.deadLetterReason]).toMatch(/^body is not JSON: /);
      // The operator fetches the original from its stream by the sequence the copy names.
      const original = await connection
        .manager()
        .streams.getMessage('PRODUCTION', { seq: Number(dead.headers[HEADER.originalSequence]) });
      expect(original.data).toHaveLength(body.length);
      await settled(consumer);
    });

    it('1,000 undecodable messages do not stall the consumer: a valid event behind them is delivered', async () => {
      const plant = uniqueToken('P');
      const handled: string[] = [];
      const consumer = consume(plant, async (event) => void handled.push(event.id), {}, 30_000, {
        concurrency: 16,
      });
      await consumer.start();
      for (let chunk = 0; chunk < 10; chunk++) {
        await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            publisher.publishRaw(raw(plant, `{"a":\n\n foo${String(chunk * 100 + i).padStart(6, '0')}}`)),
          ),
        );
      }
      const good = confirmation(plant);
      await publisher.publish(good);

      // The consumer may hold 100 unsettled messages (max_ack_pending): before the fix the first 100
      // failed to dead-letter, stayed pending, and nothing behind them was ever delivered.
      await expectEventually(() => expect(handled).toEqual([good.id]), { timeoutMs: 30_000 });
      await expectEventually(async () => {
        const info = await connection
          .manager()
          .streams.info(DLQ_STREAM, { subjects_filter: `dlq.PRODUCTION.${consumer.durable}` });
        expect(info.state.subjects?.[`dlq.PRODUCTION.${consumer.durable}`]).toBe(1000);
      });
      await settled(consumer);
    });

    it('a dead letter whose copy cannot be stored is terminated, logged and counted, not redelivered', async () => {
      const plant = uniqueToken('P');
      const failing = new FailingDeadLetters(() => new Error('stream DLQ is sealed'));
      const ackWaitMs = 1000;
      const consumer = consume(plant, async () => undefined, {}, ackWaitMs, { via: failing });
      await consumer.start();
      await publisher.publishRaw(raw(plant, '{nope'));

      await settled(consumer);
      await new Promise((resolve) => setTimeout(resolve, 2.5 * ackWaitMs));
      expect(failing.attempts).toBe(1);
      expect(await deadLetterFailures(consumer.durable)).toBe(1);
    });

    it('a dead letter whose copy keeps failing transiently is retried with a delay, then terminated and counted', async () => {
      const plant = uniqueToken('P');
      const failing = new FailingDeadLetters(() => new NatsUnavailableError('not connected'));
      const consumer = consume(plant, async () => undefined, { initialDelayMs: 10, maxDelayMs: 20 }, 30_000, {
        via: failing,
      });
      await consumer.start();
      await publisher.publishRaw(raw(plant, '{nope'));

      await settled(consumer, 20_000);
      expect(failing.attempts).toBe(DEAD_LETTER_ATTEMPTS);
      expect(await deadLetterFailures(consumer.durable)).toBe(1);
    });
  });

  it("dead-letters an event whose envelope or payload names another plant than its subject (issue 25: the envelope's plant was trusted for routing)", async () => {
    const plant = uniqueToken('P');
    const other = uniqueToken('P');
    const serviceName = uniqueToken('svc');
    const handled: string[] = [];

    @Controller()
    class CountHandler {
      @OnEvent(Production.OperationConfirmedV1Event)
      async onConfirmed(
        @Payload() event: CanonicalEvent<'plantbridge.production.operation-confirmed.v1'>,
        @Ctx() _ctx: JetStreamContext,
      ): Promise<void> {
        handled.push(event.id);
      }
    }
    @Module({ controllers: [CountHandler] })
    class HandlerModule {}

    const moduleRef = await Test.createTestingModule({ imports: [HandlerModule] }).compile();
    const server = new JetStreamServer({ serviceName, plant, connection, publisher, logger: silentLogger });
    const app = moduleRef.createNestMicroservice({ strategy: server });
    await app.listen();
    const onOurSubject = (event: CanonicalEvent) => ({
      ...toRawMessage(event),
      subject: subjectFor(Confirmed, plant),
    });
    try {
      const envelopeElsewhere = { ...confirmation(plant), plantid: other };
      const payloadElsewhere = confirmation(plant);
      payloadElsewhere.data.plant = other;
      const good = confirmation(plant);
      await publisher.publishRaw(onOurSubject(envelopeElsewhere as CanonicalEvent));
      await publisher.publishRaw(onOurSubject(payloadElsewhere as CanonicalEvent));
      await publisher.publish(good);

      const durable = `${serviceName}--production-v1-${plant}-operation-confirmed`;
      const reasons = await expectEventually(async () => {
        const dead = await readStream(connection, DLQ_STREAM, `dlq.PRODUCTION.${durable}`);
        expect(dead).toHaveLength(2);
        return dead.map((m) => [JSON.parse(m.body).id, m.headers[HEADER.deadLetterReason]]);
      });
      expect(Object.fromEntries(reasons)).toEqual({
        [envelopeElsewhere.id]: expect.stringContaining(
          `subject plant "${plant}", envelope plantid "${other}", payload plant "${plant}"`,
        ),
        [payloadElsewhere.id]: expect.stringContaining(
          `subject plant "${plant}", envelope plantid "${plant}", payload plant "${other}"`,
        ),
      });
      await expectEventually(() => expect(handled).toEqual([good.id]));
    } finally {
      await app.close();
    }
  });
  describe('@OnDeadLetter', () => {
    async function serve(controller: new (...args: never[]) => unknown, plant: string, serviceName: string) {
      @Module({ controllers: [controller] })
      class HandlerModule {}
      const moduleRef = await Test.createTestingModule({ imports: [HandlerModule] }).compile();
      const server = new JetStreamServer({ serviceName, plant, connection, publisher, logger: silentLogger });
      const app = moduleRef.createNestMicroservice({ strategy: server });
      await app.listen();
      return app;
    }

    it('is called with an invalid message and its reason, once its DLQ copy is stored', async () => {
      const plant = uniqueToken('P');
      const serviceName = uniqueToken('svc');
      const durable = `${serviceName}--production-v1-${plant}-operation-confirmed`;
      const seen: { letter: DeadLetter; copies: number }[] = [];

      @Controller()
      class Confirmations {
        @OnEvent(Production.OperationConfirmedV1Event)
        async onConfirmed(
          @Payload() _event: CanonicalEvent<'plantbridge.production.operation-confirmed.v1'>,
          @Ctx() _ctx: JetStreamContext,
        ): Promise<void> {
          // Every message of this test is invalid and never gets here.
        }

        @OnDeadLetter(Production.OperationConfirmedV1Event)
        async onDeadLettered(letter: DeadLetter): Promise<void> {
          const copies = await readStream(connection, DLQ_STREAM, `dlq.PRODUCTION.${durable}`);
          seen.push({ letter, copies: copies.length });
        }
      }
      const app = await serve(Confirmations, plant, serviceName);
      try {
        const bad = confirmation(plant);
        (bad.data as { yieldQuantity: number }).yieldQuantity = -5;
        const stored = await publisher.publishRaw(toRawMessage(bad as CanonicalEvent));

        await expectEventually(() => expect(seen).toHaveLength(1));
        const [{ letter, copies }] = seen as [(typeof seen)[number]];
        expect(copies).toBe(1);
        expect(letter).toMatchObject({
          subject: subjectFor(Confirmed, plant),
          stream: 'PRODUCTION',
          streamSequence: stored.seq,
          deliveryCount: 1,
          durable,
          messageId: bad.id,
          reason: expect.stringMatching(/data\.yieldQuantity: yieldQuantity must not be less than 0/),
        });
        expect(letter.headers[HEADER.correlationId]).toBe(bad.correlationid);
        expect(JSON.parse(Buffer.from(letter.data).toString()).id).toBe(bad.id);
        await expectEventually(async () => {
          const info = await connection.manager().consumers.info('PRODUCTION', durable);
          expect(info.num_ack_pending + info.num_pending).toBe(0);
        });
      } finally {
        await app.close();
      }
    });

    it('that throws is called again on redelivery, and the message is terminated once it succeeded', async () => {
      const plant = uniqueToken('P');
      const options = { durable: uniqueToken('posting'), retry: { initialDelayMs: 100, jitter: 0 } };
      const handled: number[] = [];
      const hooked: { deliveryCount: number; reason: string }[] = [];

      @Controller()
      class Postings {
        @OnEvent(Production.OperationConfirmedV1Event, options)
        async onConfirmed(
          @Payload() _event: CanonicalEvent<'plantbridge.production.operation-confirmed.v1'>,
          @Ctx() ctx: JetStreamContext,
        ): Promise<void> {
          handled.push(ctx.delivery.deliveryCount);
          throw new PermanentError('order 1000123 is closed in ERP');
        }

        @OnDeadLetter(Production.OperationConfirmedV1Event, options)
        async onDeadLettered(letter: DeadLetter): Promise<void> {
          hooked.push({ deliveryCount: letter.deliveryCount, reason: letter.reason });
          if (hooked.length === 1) throw new Error('database is away');
        }
      }
      const app = await serve(Postings, plant, uniqueToken('svc'));
      try {
        await publisher.publish(confirmation(plant));
        await expectEventually(() =>
          expect(hooked).toEqual([
            { deliveryCount: 1, reason: 'order 1000123 is closed in ERP' },
            { deliveryCount: 2, reason: 'order 1000123 is closed in ERP' },
          ]),
        );
        await expectEventually(async () => {
          const info = await connection.manager().consumers.info('PRODUCTION', options.durable);
          expect(info.num_ack_pending + info.num_pending).toBe(0);
        });
        // The handler decided once; the redelivery only finished dead-lettering. One DLQ copy.
        expect(handled).toEqual([1]);
        expect(await readStream(connection, DLQ_STREAM, `dlq.PRODUCTION.${options.durable}`)).toHaveLength(1);
      } finally {
        await app.close();
        await connection.manager().consumers.delete('PRODUCTION', options.durable);
      }
    });
  });
});
