import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import type { CanonicalEvent } from '@plantbridge/canonical-model';
import { isObservable, lastValueFrom } from 'rxjs';
import type { JetStreamConnection, MessagingLogger } from '../connection/jetstream-connection';
import { PermanentError } from '../consuming/errors';
import { type Delivery, EventConsumer } from '../consuming/event-consumer';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../consuming/settlement';
import { durableNameFor, narrowToPlant, streamForSubject } from '../naming/name-resolver';
import type { EventPublisher } from '../publishing/event-publisher';
import { JetStreamContext } from './jetstream-context';
import type { EventHandlerExtras } from './on-event.decorator';

export interface ConsumerDefaults {
  concurrency: number;
  ackWaitMs: number;
  maxAckPending: number;
  retry: RetryPolicy;
}

export const DEFAULT_CONSUMER_SETTINGS: ConsumerDefaults = {
  concurrency: 16,
  ackWaitMs: 30_000,
  maxAckPending: 1000,
  retry: DEFAULT_RETRY_POLICY,
};

export interface JetStreamServerOptions {
  serviceName: string;
  connection: JetStreamConnection;
  publisher: EventPublisher;
  logger: MessagingLogger;
  defaults?: Partial<ConsumerDefaults>;
  /** The plant this deployment serves: handlers that name no plant consume only this plant's events. */
  plant?: string;
  /** The service's settings, for handlers whose concurrency derives from them. */
  settings?: unknown;
}

export type ConsumerState =
  | { durable: string; state: 'starting' | 'running' | 'stopped' }
  | { durable: string; state: 'failed'; reason: string };

const START_RETRY_MS = 5000;

/**
 * The NestJS transport for Plantbridge events: every `@OnEvent` handler becomes a durable JetStream
 * pull consumer. The strategy stays thin: naming, provisioning, pulling and settlement live in their
 * own modules; this class maps Nest handlers onto them.
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  private readonly consumers: EventConsumer[] = [];
  private readonly states = new Map<string, ConsumerState>();
  private readonly defaults: ConsumerDefaults;
  private closed = false;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    this.defaults = { ...DEFAULT_CONSUMER_SETTINGS, ...options.defaults };
  }

  /** Nest calls this at startup. Consumers start once NATS answers; the app does not wait for it. */
  listen(callback: () => void): void {
    this.options.connection.onConnected(() => {
      for (const [pattern, handler] of this.messageHandlers) void this.startConsumer(pattern, handler);
    });
    callback();
  }

  /** Consumer states, for readiness. */
  consumerStates(): ConsumerState[] {
    return [...this.states.values()];
  }

  private async startConsumer(pattern: string, handler: MessageHandler): Promise<void> {
    if (!handler.isEventHandler) {
      this.logger.error(`${pattern}: request-reply handlers are not served over JetStream; use @OnEvent`);
      return;
    }
    const extras = (handler.extras ?? {}) as Partial<EventHandlerExtras<unknown>>;
    const concurrency =
      typeof extras.concurrency === 'function'
        ? extras.concurrency(this.options.settings)
        : (extras.concurrency ?? this.defaults.concurrency);
    const filterSubject =
      this.options.plant && extras.plant === undefined ? narrowToPlant(pattern, this.options.plant) : pattern;
    const durable = extras.durable ?? durableNameFor(this.options.serviceName, filterSubject);
    const consumer = new EventConsumer(
      this.options.connection,
      this.options.publisher,
      {
        declaration: {
          stream: streamForSubject(filterSubject),
          durable,
          filterSubject,
          ackWaitMs: extras.ackWaitMs ?? this.defaults.ackWaitMs,
          // JetStream must let the consumer have at least as many messages as it handles at once.
          maxAckPending: Math.max(this.defaults.maxAckPending, concurrency),
          description: `${this.options.serviceName}: ${extras.eventType ?? pattern}`,
        },
        concurrency,
        retry: { ...this.defaults.retry, ...extras.retry },
      },
      (event, delivery) => this.invoke(handler, extras, event, delivery),
      this.options.logger,
    );
    this.states.set(durable, { durable, state: 'starting' });
    while (!this.closed) {
      try {
        await consumer.start();
        this.consumers.push(consumer);
        this.states.set(durable, { durable, state: 'running' });
        return;
      } catch (error) {
        const reason = (error as Error).message;
        this.states.set(durable, { durable, state: 'failed', reason });
        this.options.logger.error(
          `consumer ${durable} could not start: ${reason}; trying again in ${START_RETRY_MS} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS).unref());
      }
    }
  }

  private async invoke(
    handler: MessageHandler,
    extras: Partial<EventHandlerExtras<unknown>>,
    event: CanonicalEvent,
    delivery: Delivery,
  ): Promise<void> {
    if (extras.eventType && event.type !== extras.eventType) {
      throw new PermanentError(`event type ${event.type} arrived on a consumer of ${extras.eventType}`);
    }
    const result: unknown = await handler(event, new JetStreamContext([delivery]));
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }

  /** Stops pulling and lets the messages in hand finish; the connection is drained by its owner. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.consumers.map((c) => c.stop()));
    for (const c of this.consumers) this.states.set(c.durable, { durable: c.durable, state: 'stopped' });
  }

  on(): never {
    throw new Error('JetStreamServer has no events to listen to; use /health/ready');
  }

  unwrap<T>(): T {
    return this.options.connection as T;
  }
}
