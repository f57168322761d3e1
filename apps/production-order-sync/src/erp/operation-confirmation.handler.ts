import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type CanonicalEvent, Production } from '@plantbridge/canonical-model';
import { FailOrphanedPosting, postingConsumer, PostToErp } from '@plantbridge/erp-posting';
import { type DeadLetter, type JetStreamContext, OnDeadLetter, OnEvent } from '@plantbridge/messaging';
import { CONFIRMATION_ERP } from './operation-confirmation.kind';

const POSTINGS = postingConsumer(CONFIRMATION_ERP);

/**
 * The triggers of confirmation postings, handed to the posting pipeline: a new confirmation, an
 * operator's retry, and a discard (the operation's confirmations that waited behind the discarded
 * one go to ERP now). A trigger that cannot be handled sends its posting to the exception queue.
 */
@Controller()
export class OperationConfirmationHandler {
  constructor(
    private readonly post: PostToErp,
    private readonly orphaned: FailOrphanedPosting,
  ) {}

  @OnEvent(Production.OperationConfirmedV1Event, POSTINGS)
  onConfirmed(
    @Payload() event: CanonicalEvent<'plantbridge.production.operation-confirmed.v1'>,
    @Ctx() ctx: JetStreamContext,
  ): Promise<void> {
    // A redelivery may be all that is left to move the postings waiting behind this one.
    const drive = ctx.delivery.deliveryCount > 1;
    return this.post.execute(event.data.confirmationKey, event, { drive });
  }

  @OnEvent(Production.ConfirmationRetryRequestedV1Event, POSTINGS)
  onRetryRequested(
    @Payload() event: CanonicalEvent<'plantbridge.production.confirmation-retry-requested.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    return this.post.execute(event.data.confirmationKey, event, {
      drive: true,
      since: Date.parse(event.time),
    });
  }

  @OnEvent(Production.ConfirmationDiscardedV1Event, POSTINGS)
  onDiscarded(
    @Payload() event: CanonicalEvent<'plantbridge.production.confirmation-discarded.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    return this.post.execute(event.data.confirmationKey, event, {
      drive: true,
      since: Date.parse(event.time),
    });
  }

  @OnDeadLetter(Production.OperationConfirmedV1Event, POSTINGS)
  onConfirmedDeadLettered(letter: DeadLetter): Promise<void> {
    return this.orphaned.deadLettered(letter);
  }

  @OnDeadLetter(Production.ConfirmationRetryRequestedV1Event, POSTINGS)
  onRetryDeadLettered(letter: DeadLetter): Promise<void> {
    return this.orphaned.deadLettered(letter);
  }

  @OnDeadLetter(Production.ConfirmationDiscardedV1Event, POSTINGS)
  onDiscardDeadLettered(letter: DeadLetter): Promise<void> {
    return this.orphaned.deadLettered(letter);
  }
}
