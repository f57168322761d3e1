import { Controller, Inject, type Type } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { CanonicalEvent, EventDefinition } from '@plantbridge/canonical-model';
import {
  type DeadLetter,
  type JetStreamContext,
  OnDeadLetter,
  OnEvent,
  PermanentError,
} from '@plantbridge/messaging';
import { type PostingKind, PostingKinds } from '../posting-kind';
import { FailOrphanedPosting } from './fail-orphaned-posting';
import { postingConsumer } from './posting-consumer';
import { PostToErp } from './post-to-erp';

/**
 * The handler of a posting kind's triggers, for the service's controllers: a new posting, an
 * operator's retry, and a discard (the postings that waited behind the discarded one go on) are
 * handed to the posting pipeline; a trigger dead-lettered sends its posting to the exception queue.
 * Every kind's triggers are handled the same way, so a service lists this instead of writing it:
 *
 *   controllers: [postingTriggersHandler(GOODS_MOVEMENT_TRIGGERS, GOODS_MOVEMENT_ERP), …]
 *
 * `triggers` are the kind's (PostingKind.triggers; decorators need them before any kind exists),
 * `erp` its endpoint, which sets the consumers' concurrency (see postingConsumer).
 */
export function postingTriggersHandler(
  triggers: PostingKind['triggers'],
  erp: { endpoint: string; batched: boolean },
): Type<unknown> {
  @Controller()
  class PostingTriggersHandler {
    constructor(
      @Inject(PostToErp) private readonly post: PostToErp,
      @Inject(FailOrphanedPosting) private readonly orphaned: FailOrphanedPosting,
      @Inject(PostingKinds) private readonly kinds: PostingKinds,
    ) {}

    onRequested(event: CanonicalEvent, ctx: JetStreamContext): Promise<void> {
      // A redelivery may be all that is left to move the postings waiting behind this one.
      return this.post.execute(this.keyOf(event), event, { drive: ctx.delivery.deliveryCount > 1 });
    }

    onRetryRequested(event: CanonicalEvent): Promise<void> {
      return this.byOperator(event);
    }

    onDiscarded(event: CanonicalEvent): Promise<void> {
      return this.byOperator(event);
    }

    onRequestedDeadLettered(letter: DeadLetter): Promise<void> {
      return this.orphaned.deadLettered(letter);
    }

    onRetryRequestedDeadLettered(letter: DeadLetter): Promise<void> {
      return this.orphaned.deadLettered(letter);
    }

    onDiscardedDeadLettered(letter: DeadLetter): Promise<void> {
      return this.orphaned.deadLettered(letter);
    }

    /** An operator's retry or discard moves the postings behind it from the operator's time on. */
    private byOperator(event: CanonicalEvent): Promise<void> {
      return this.post.execute(this.keyOf(event), event, { drive: true, since: Date.parse(event.time) });
    }

    private keyOf(event: CanonicalEvent): string {
      const key = this.kinds.triggeredBy(event.type).keyOf(event.data);
      if (!key) throw new PermanentError(`${event.type} ${event.id} names no posting key`);
      return key;
    }
  }

  // Named after its kind's trigger, so logs and Nest's errors tell two kinds' handlers apart.
  Object.defineProperty(PostingTriggersHandler, 'name', {
    value: `PostingTriggersHandler(${triggers.requested.type})`,
  });
  const consumer = postingConsumer(erp);
  const methods: Array<[keyof PostingKind['triggers'], string]> = [
    ['requested', 'onRequested'],
    ['retryRequested', 'onRetryRequested'],
    ['discarded', 'onDiscarded'],
  ];
  const prototype = PostingTriggersHandler.prototype as unknown as Record<string, unknown>;
  const decorate = (method: string, decorator: MethodDecorator) =>
    decorator(prototype, method, Object.getOwnPropertyDescriptor(prototype, method) as PropertyDescriptor);
  for (const [trigger, method] of methods) {
    const definition = triggers[trigger] as Parameters<typeof OnEvent>[0] & EventDefinition;
    decorate(method, OnEvent(definition, consumer) as MethodDecorator);
    Payload()(prototype, method, 0);
    Ctx()(prototype, method, 1);
    decorate(`${method}DeadLettered`, OnDeadLetter(definition, consumer) as MethodDecorator);
  }
  return PostingTriggersHandler;
}
