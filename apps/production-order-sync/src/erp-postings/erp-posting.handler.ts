import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type CanonicalEvent, Production } from '@plantbridge/canonical-model';
import { postingCapacity } from '@plantbridge/erp';
import {
  type DeadLetter,
  type JetStreamContext,
  OnDeadLetter,
  OnEvent,
  type OnEventOptions,
} from '@plantbridge/messaging';
import { KeyedLanes } from '@plantbridge/service-runtime';
import type { ProductionOrderSyncConfig } from '../config';
import { FailOrphanedPosting } from './fail-orphaned-posting.usecase';
import { PostConfirmationToErp } from './post-confirmation.usecase';

/**
 * JetStream's default max_ack_pending. A posting that waits for ERP to come back stays pending at
 * JetStream until its redelivery, so during an outage this many cycle per retry delay; the defaults
 * (2 × 32 × 50 = 3,200) would triple that churn for rates no plant posts.
 */
const MAX_POSTINGS_AT_ONCE = 1000;

/**
 * ERP postings are driven by JetStream, so they survive restarts and spread over replicas. The ledger
 * decides when to give up, not the delivery count, so an ERP outage of hours never dead-letters a
 * confirmation. A redelivery while a posting is still in flight waits for its lease (see the ledger).
 *
 * ERP_MAX_IN_FLIGHT bounds the calls to ERP; the consumer holds twice the confirmations those calls
 * can carry (× ERP_BATCH_SIZE: one set in flight, the next gathering), so behind a slow ERP every
 * call goes out full. A fixed 64 capped posting at 64 ÷ ERP latency: 77/s where 2 calls of 50 at
 * 500 ms allow 200/s; now 180/s.
 */
const POSTING_CONSUMER: OnEventOptions<ProductionOrderSyncConfig> = {
  concurrency: (config) => Math.min(postingCapacity(config), MAX_POSTINGS_AT_ONCE),
  retry: { maxDeliveries: 1_000_000 },
};

@Controller()
export class ErpPostingHandler {
  /**
   * Messages of one order operation are handled one after another, in delivery order: the use case
   * would otherwise find the earlier confirmation still in flight next door and send the later one
   * back to JetStream to wait. Other operations go on side by side.
   */
  private readonly lanes = new KeyedLanes();

  constructor(
    private readonly post: PostConfirmationToErp,
    private readonly orphaned: FailOrphanedPosting,
  ) {}

  @OnEvent(Production.OperationConfirmedV1Event, POSTING_CONSUMER)
  onConfirmed(
    @Payload() event: CanonicalEvent<'plantbridge.production.operation-confirmed.v1'>,
    @Ctx() ctx: JetStreamContext,
  ): Promise<void> {
    // A redelivery may be all that is left to move the postings waiting behind this one.
    const drive = ctx.delivery.deliveryCount > 1;
    return this.inLane(event.data, () => this.post.execute(event.data.confirmationKey, event, drive));
  }

  @OnEvent(Production.ConfirmationRetryRequestedV1Event, POSTING_CONSUMER)
  onRetryRequested(
    @Payload() event: CanonicalEvent<'plantbridge.production.confirmation-retry-requested.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    const since = Date.parse(event.time);
    return this.inLane(event.data, () => this.post.execute(event.data.confirmationKey, event, true, since));
  }

  /** The operation's confirmations that waited behind a discarded one go to ERP now. */
  @OnEvent(Production.ConfirmationDiscardedV1Event, POSTING_CONSUMER)
  onDiscarded(
    @Payload() event: CanonicalEvent<'plantbridge.production.confirmation-discarded.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    const since = Date.parse(event.time);
    return this.inLane(event.data, () => this.post.execute(event.data.confirmationKey, event, true, since));
  }

  /**
   * A posting's own message that could not be handled must not leave the posting open with nothing
   * to move it: it goes to the exception queue, where an operator sees, retries or discards it.
   */
  @OnDeadLetter(Production.OperationConfirmedV1Event, POSTING_CONSUMER)
  onConfirmedDeadLettered(letter: DeadLetter): Promise<void> {
    return this.orphaned.deadLettered(letter);
  }

  @OnDeadLetter(Production.ConfirmationRetryRequestedV1Event, POSTING_CONSUMER)
  onRetryDeadLettered(letter: DeadLetter): Promise<void> {
    return this.orphaned.deadLettered(letter);
  }

  @OnDeadLetter(Production.ConfirmationDiscardedV1Event, POSTING_CONSUMER)
  onDiscardDeadLettered(letter: DeadLetter): Promise<void> {
    return this.orphaned.deadLettered(letter);
  }

  private inLane(
    operation: { plant: string; manufacturingOrder: string; operation: string },
    work: () => Promise<void>,
  ): Promise<void> {
    return this.lanes.run(`${operation.plant}/${operation.manufacturingOrder}/${operation.operation}`, work);
  }
}
