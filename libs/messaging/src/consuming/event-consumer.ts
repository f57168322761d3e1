import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type CanonicalEvent, decodeEvent, plantMismatch } from '@plantbridge/canonical-model';
import type { ConsumerMessages, JsMsg } from 'nats';
import type { JetStreamConnection, MessagingLogger } from '../connection/jetstream-connection';
import { type ConsumerDeclaration } from '../provisioning/declarations';
import { ensureConsumer } from '../provisioning/provisioner';
import type { EventPublisher } from '../publishing/event-publisher';
import { type HeaderMap, headersOf } from '../publishing/headers';
import type { DeadLetterHook } from './dead-letter';
import { DeadLettering } from './dead-lettering';
import { InvalidEventError, PlantMismatchError } from './errors';
import { consumerMetrics } from './metrics';
import { Semaphore } from './semaphore';
import { decideSettlement, type HandlerOutcome, type RetryPolicy, type Settlement } from './settlement';

/** Where a message came from and how often it was delivered; what an inbox keys on. */
export interface Delivery {
  durable: string;
  subject: string;
  stream: string;
  streamSequence: number;
  /** 1 on the first delivery. */
  deliveryCount: number;
  headers: HeaderMap;
}

export type EventHandler = (event: CanonicalEvent, delivery: Delivery) => Promise<void>;

export interface EventConsumerOptions {
  declaration: ConsumerDeclaration;
  /** Messages handled at once by this process. */
  concurrency: number;
  retry: RetryPolicy;
  /**
   * The plant this consumer serves: an event of another plant is dead-lettered. Without it the
   * plants of subject, envelope and payload must still agree.
   */
  plant?: string;
  /** Called for every message this consumer dead-letters, after its DLQ copy is stored, before its term. */
  onDeadLetter?: DeadLetterHook;
  /** Attempts to dead-letter one message before it is terminated regardless (DEAD_LETTER_ATTEMPTS). */
  deadLetterAttempts?: number;
}

const tracer = trace.getTracer('@plantbridge/messaging');

/**
 * Runs one durable pull consumer: pulls with `consume()`, handles up to `concurrency` messages at
 * once, and settles each explicitly: ack after the handler succeeded, delayed nak on a transient
 * error, dead-letter (DLQ copy, hook, term) on an invalid message, an event of another plant, a
 * permanent error or the last delivery.
 */
export class EventConsumer {
  private messages?: ConsumerMessages;
  private readonly inFlight = new Set<Promise<void>>();
  private loop?: Promise<void>;
  private stopping = false;
  private readonly deadLettering: DeadLettering;

  constructor(
    private readonly connection: JetStreamConnection,
    publisher: EventPublisher,
    private readonly options: EventConsumerOptions,
    private readonly handler: EventHandler,
    private readonly logger: MessagingLogger,
  ) {
    this.deadLettering = new DeadLettering(
      connection,
      publisher,
      {
        durable: options.declaration.durable,
        retry: options.retry,
        hook: options.onDeadLetter,
        attempts: options.deadLetterAttempts,
      },
      logger,
    );
  }

  get durable(): string {
    return this.options.declaration.durable;
  }

  /** Provisions the durable consumer and starts pulling. Resolves once pulling has started. */
  async start(): Promise<void> {
    const { declaration, concurrency } = this.options;
    await ensureConsumer(this.connection.manager(), declaration);
    const consumer = await this.connection.jetstream().consumers.get(declaration.stream, declaration.durable);
    this.messages = await consumer.consume({ max_messages: Math.max(2 * concurrency, 10) });
    this.loop = this.pull(this.messages);
    this.logger.log(
      `consuming ${declaration.filterSubject} as ${declaration.durable} (concurrency ${concurrency})`,
    );
  }

  private async pull(messages: ConsumerMessages): Promise<void> {
    const slots = new Semaphore(this.options.concurrency);
    for await (const msg of messages) {
      await slots.acquire();
      if (this.stopping) {
        // Not ours to handle any more: let another replica (or our restart) have it at once.
        msg.nak();
        slots.release();
        continue;
      }
      const task = this.process(msg).finally(() => {
        slots.release();
        this.inFlight.delete(task);
      });
      this.inFlight.add(task);
    }
  }

  private async process(msg: JsMsg): Promise<void> {
    const started = process.hrtime.bigint();
    const delivery: Delivery = {
      durable: this.durable,
      subject: msg.subject,
      stream: msg.info.stream,
      streamSequence: msg.info.streamSequence,
      deliveryCount: msg.info.deliveryCount,
      headers: headersOf(msg),
    };
    const parent = propagation.extract(ROOT_CONTEXT, delivery.headers);
    const span = tracer.startSpan(`${msg.subject} process`, { kind: SpanKind.CONSUMER }, parent);
    let settled: Settlement['kind'];
    try {
      const settlement = await context.with(trace.setSpan(parent, span), () => this.decide(msg, delivery));
      if (settlement.kind !== 'ack')
        span.setStatus({ code: SpanStatusCode.ERROR, message: settlement.reason });
      settled = await this.settle(msg, settlement, delivery);
    } catch (error) {
      // Settling itself failed (the connection closed under an ack): the broker redelivers it.
      settled = 'retry';
      this.logger.error(
        `could not settle ${delivery.stream}#${delivery.streamSequence}: ${(error as Error).message}`,
      );
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
    } finally {
      span.end();
    }
    consumerMetrics.settled.inc({ durable: this.durable, settlement: settled });
    consumerMetrics.handleSeconds.observe(
      { durable: this.durable },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
  }

  /** What to do with a delivery. One whose dead-lettering did not finish earlier is not handled again. */
  private async decide(msg: JsMsg, delivery: Delivery): Promise<Settlement> {
    const unfinished = this.deadLettering.unfinishedReason(msg);
    if (unfinished !== undefined) return { kind: 'dead-letter', reason: unfinished };
    const outcome = await this.handle(msg, delivery);
    return decideSettlement(outcome, delivery.deliveryCount, this.options.retry);
  }

  private async handle(msg: JsMsg, delivery: Delivery): Promise<HandlerOutcome> {
    const decoded = decodeEvent(msg.data);
    if (!decoded.ok) return { ok: false, error: new InvalidEventError(decoded.reason) };
    const mismatch = plantMismatch(msg.subject, decoded.event, this.options.plant);
    if (mismatch) return { ok: false, error: new PlantMismatchError(mismatch) };
    try {
      await this.handler(decoded.event, delivery);
      return { ok: true };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** Settles as decided; dead-lettering may still hand the message back (see DeadLettering). */
  private async settle(msg: JsMsg, settlement: Settlement, delivery: Delivery): Promise<Settlement['kind']> {
    switch (settlement.kind) {
      case 'ack':
        msg.ack();
        return 'ack';
      case 'retry': {
        const where = `${delivery.stream}#${delivery.streamSequence} (${delivery.subject}, delivery ${delivery.deliveryCount})`;
        this.logger.warn(
          `${this.durable}: retrying ${where} in ${settlement.delayMs} ms: ${settlement.reason}`,
        );
        msg.nak(settlement.delayMs);
        return 'retry';
      }
      case 'dead-letter':
        return this.deadLettering.run(msg, {
          ...delivery,
          reason: settlement.reason,
          data: msg.data,
          messageId: delivery.headers['Nats-Msg-Id'],
        });
    }
  }

  /** Stops pulling, waits for the messages in hand to be settled. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.messages?.close();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }
}
