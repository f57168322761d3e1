import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type CanonicalEvent, decodeEvent } from '@plantbridge/canonical-model';
import type { ConsumerMessages, JsMsg } from 'nats';
import type { JetStreamConnection, MessagingLogger } from '../connection/jetstream-connection';
import { type ConsumerDeclaration } from '../provisioning/declarations';
import { ensureConsumer } from '../provisioning/provisioner';
import type { EventPublisher } from '../publishing/event-publisher';
import { fromNatsHeaders, type HeaderMap } from '../publishing/headers';
import { deadLetter } from './dead-letter';
import { InvalidEventError } from './errors';
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
}

const tracer = trace.getTracer('@plantbridge/messaging');

/**
 * Runs one durable pull consumer: pulls with `consume()`, handles up to `concurrency` messages at
 * once, and settles each explicitly: ack after the handler succeeded, delayed nak on a transient
 * error, copy to DLQ and term on an invalid message, a permanent error or the last delivery.
 */
export class EventConsumer {
  private messages?: ConsumerMessages;
  private readonly inFlight = new Set<Promise<void>>();
  private loop?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly connection: JetStreamConnection,
    private readonly publisher: EventPublisher,
    private readonly options: EventConsumerOptions,
    private readonly handler: EventHandler,
    private readonly logger: MessagingLogger,
  ) {}

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
      headers: fromNatsHeaders(msg.headers),
    };
    const parent = propagation.extract(ROOT_CONTEXT, delivery.headers);
    const span = tracer.startSpan(`${msg.subject} process`, { kind: SpanKind.CONSUMER }, parent);
    let settlement: Settlement;
    try {
      const outcome = await context.with(trace.setSpan(parent, span), () => this.handle(msg, delivery));
      settlement = decideSettlement(outcome, delivery.deliveryCount, this.options.retry);
      await this.settle(msg, settlement, delivery);
      if (!outcome.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: String(outcome.error) });
    } catch (error) {
      // Settling itself failed (e.g. the DLQ publish): leave the message to be redelivered.
      settlement = { kind: 'retry', delayMs: 0, reason: String(error) };
      this.logger.error(
        `could not settle ${delivery.stream}#${delivery.streamSequence}: ${(error as Error).message}`,
      );
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
    } finally {
      span.end();
    }
    consumerMetrics.settled.inc({ durable: this.durable, settlement: settlement.kind });
    consumerMetrics.handleSeconds.observe(
      { durable: this.durable },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
  }

  private async handle(msg: JsMsg, delivery: Delivery): Promise<HandlerOutcome> {
    const decoded = decodeEvent(msg.data);
    if (!decoded.ok) return { ok: false, error: new InvalidEventError(decoded.reason) };
    try {
      await this.handler(decoded.event, delivery);
      return { ok: true };
    } catch (error) {
      return { ok: false, error };
    }
  }

  private async settle(msg: JsMsg, settlement: Settlement, delivery: Delivery): Promise<void> {
    const where = `${delivery.stream}#${delivery.streamSequence} (${delivery.subject}, delivery ${delivery.deliveryCount})`;
    switch (settlement.kind) {
      case 'ack':
        msg.ack();
        return;
      case 'retry':
        this.logger.warn(
          `${this.durable}: retrying ${where} in ${settlement.delayMs} ms: ${settlement.reason}`,
        );
        msg.nak(settlement.delayMs);
        return;
      case 'dead-letter':
        await deadLetter(this.publisher, msg, this.durable, settlement.reason);
        // No reason on the term: nats-server before 2.10 ignores `+TERM <reason>` and redelivers
        // after the ack wait. The reason travels with the DLQ copy instead.
        msg.term();
        this.logger.error(`${this.durable}: dead-lettered ${where}: ${settlement.reason}`);
        return;
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
