import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import type { CanonicalEvent } from '@plantbridge/canonical-model';
import { isObservable, lastValueFrom } from 'rxjs';
import type { JetStreamConnection, MessagingLogger } from '../connection/jetstream-connection';
import type { DeadLetter, DeadLetterHook } from '../consuming/dead-letter';
import { PermanentError } from '../consuming/errors';
import { type Delivery, EventConsumer } from '../consuming/event-consumer';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../consuming/settlement';
import { durableNameFor, narrowToPlant, streamForSubject } from '../naming/name-resolver';
import type { EventPublisher } from '../publishing/event-publisher';
import { JetStreamContext } from './jetstream-context';
import { DEAD_LETTER_PATTERN_PREFIX, type DeadLetterHookExtras } from './on-dead-letter.decorator';
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

/** Which consumer a handler or hook belongs to: what its pattern and options resolve to here. */
interface ConsumerTarget {
  filterSubject: string;
  durable: string;
  /** The one plant it serves, if it does not consume every plant. */
  plant?: string;
}

/**
 * The NestJS transport for Plantbridge events: every `@OnEvent` handler becomes a durable JetStream
 * pull consumer, and an `@OnDeadLetter` method the dead-letter hook of the consumer it names. The
 * strategy stays thin: naming, provisioning, pulling and settlement live in their own modules; this
 * class maps Nest handlers onto them.
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
      const hooks = this.deadLetterHooks();
      for (const [pattern, handler] of this.messageHandlers) {
        if (pattern.startsWith(DEAD_LETTER_PATTERN_PREFIX)) continue;
        const target = this.targetOf(pattern, handler.extras);
        void this.startConsumer(pattern, handler, target, hooks.get(target.durable));
        hooks.delete(target.durable);
      }
      for (const durable of hooks.keys()) {
        this.options.logger.error(`@OnDeadLetter for ${durable} has no @OnEvent consumer with that durable`);
      }
    });
    callback();
  }

  /** The `@OnDeadLetter` methods by the durable of the consumer they belong to. */
  private deadLetterHooks(): Map<string, DeadLetterHook> {
    const hooks = new Map<string, DeadLetterHook>();
    for (const [pattern, handler] of this.messageHandlers) {
      if (!pattern.startsWith(DEAD_LETTER_PATTERN_PREFIX)) continue;
      const { durable } = this.targetOf(pattern.slice(DEAD_LETTER_PATTERN_PREFIX.length), handler.extras);
      if (hooks.has(durable))
        this.options.logger.error(`${durable} has more than one @OnDeadLetter; using one`);
      hooks.set(durable, (letter: DeadLetter) => this.call(handler, letter));
    }
    return hooks;
  }

  /**
   * A handler that names no plant is narrowed to the server's plant (and a durable of its own); it
   * then serves that plant, as does one that names a plant; one that names `*` serves every plant.
   */
  private targetOf(pattern: string, rawExtras: unknown): ConsumerTarget {
    const extras = (rawExtras ?? {}) as Partial<DeadLetterHookExtras>;
    const served = this.options.plant;
    const filterSubject =
      served !== undefined && extras.plant === undefined ? narrowToPlant(pattern, served) : pattern;
    const plant = extras.plant ?? served;
    return {
      filterSubject,
      durable: extras.durable ?? durableNameFor(this.options.serviceName, filterSubject),
      plant: plant === '*' ? undefined : plant,
    };
  }

  /** Consumer states, for readiness. */
  consumerStates(): ConsumerState[] {
    return [...this.states.values()];
  }

  private async startConsumer(
    pattern: string,
    handler: MessageHandler,
    { filterSubject, durable, plant }: ConsumerTarget,
    onDeadLetter?: DeadLetterHook,
  ): Promise<void> {
    if (!handler.isEventHandler) {
      this.logger.error(`${pattern}: request-reply handlers are not served over JetStream; use @OnEvent`);
      return;
    }
    const extras = (handler.extras ?? {}) as Partial<EventHandlerExtras<unknown>>;
    const concurrency =
      typeof extras.concurrency === 'function'
        ? extras.concurrency(this.options.settings)
        : (extras.concurrency ?? this.defaults.concurrency);
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
        plant,
        onDeadLetter,
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
    await this.call(handler, event, new JetStreamContext([delivery]));
  }

  /** Runs a Nest handler to its end: Nest hands back a promise of a value or of an Observable. */
  private async call(handler: MessageHandler, data: unknown, ctx?: JetStreamContext): Promise<void> {
    const result: unknown = await handler(data, ctx);
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
