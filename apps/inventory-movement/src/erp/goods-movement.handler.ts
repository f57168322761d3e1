import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type CanonicalEvent, Inventory } from '@plantbridge/canonical-model';
import { FailOrphanedPosting, postingConsumer, PostToErp } from '@plantbridge/erp-posting';
import { type DeadLetter, type JetStreamContext, OnDeadLetter, OnEvent } from '@plantbridge/messaging';
import { GOODS_MOVEMENT_ERP } from './goods-movement.kind';

const POSTINGS = postingConsumer(GOODS_MOVEMENT_ERP);

/**
 * The triggers of goods movement postings, handed to the posting pipeline: a new movement, an
 * operator's retry, and a discard (the material's movements that waited behind the discarded one go
 * to ERP now). A trigger that cannot be handled sends its posting to the exception queue.
 */
@Controller()
export class GoodsMovementHandler {
  constructor(
    private readonly post: PostToErp,
    private readonly orphaned: FailOrphanedPosting,
  ) {}

  @OnEvent(Inventory.MaterialMovementRequestedV1Event, POSTINGS)
  onRequested(
    @Payload() event: CanonicalEvent<'plantbridge.inventory.material-movement-requested.v1'>,
    @Ctx() ctx: JetStreamContext,
  ): Promise<void> {
    // A redelivery may be all that is left to move the postings waiting behind this one.
    return this.post.execute(event.data.movementKey, event, { drive: ctx.delivery.deliveryCount > 1 });
  }

  @OnEvent(Inventory.MaterialMovementRetryRequestedV1Event, POSTINGS)
  onRetryRequested(
    @Payload() event: CanonicalEvent<'plantbridge.inventory.material-movement-retry-requested.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    return this.post.execute(event.data.movementKey, event, { drive: true, since: Date.parse(event.time) });
  }

  @OnEvent(Inventory.MaterialMovementDiscardedV1Event, POSTINGS)
  onDiscarded(
    @Payload() event: CanonicalEvent<'plantbridge.inventory.material-movement-discarded.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    return this.post.execute(event.data.movementKey, event, { drive: true, since: Date.parse(event.time) });
  }

  @OnDeadLetter(Inventory.MaterialMovementRequestedV1Event, POSTINGS)
  onRequestedDeadLettered(letter: DeadLetter): Promise<void> {
    return this.orphaned.deadLettered(letter);
  }

  @OnDeadLetter(Inventory.MaterialMovementRetryRequestedV1Event, POSTINGS)
  onRetryDeadLettered(letter: DeadLetter): Promise<void> {
    return this.orphaned.deadLettered(letter);
  }

  @OnDeadLetter(Inventory.MaterialMovementDiscardedV1Event, POSTINGS)
  onDiscardDeadLettered(letter: DeadLetter): Promise<void> {
    return this.orphaned.deadLettered(letter);
  }
}
