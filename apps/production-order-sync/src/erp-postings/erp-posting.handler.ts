import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type CanonicalEvent, Production } from '@plantbridge/canonical-model';
import { postingCapacity } from '@plantbridge/erp';
import { type JetStreamContext, OnEvent, type OnEventOptions } from '@plantbridge/messaging';
import { KeyedLanes } from '@plantbridge/service-runtime';
import type { ProductionOrderSyncConfig } from '../config';
import { PostConfirmationToErp } from './post-confirmation.usecase';

/**
 * ERP postings are driven by JetStream, so they survive restarts and spread over replicas. The ledger
 * decides when to give up, not the delivery count, so an ERP outage of hours never dead-letters a
 * confirmation. A redelivery while a posting is still in flight waits for its lease (see the ledger).
 *
 * ERP_MAX_IN_FLIGHT bounds the calls to ERP; the consumer holds as many confirmations as those calls
 * can carry (× ERP_BATCH_SIZE), so behind a slow ERP every call goes out with a full batch. A fixed
 * 64 capped posting at 64 ÷ ERP latency: 77/s where 2 calls of 50 at 500 ms allow 200/s.
 */
const POSTING_CONSUMER: OnEventOptions<ProductionOrderSyncConfig> = {
  concurrency: postingCapacity,
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

  constructor(private readonly post: PostConfirmationToErp) {}

  @OnEvent(Production.OperationConfirmedV1Event, POSTING_CONSUMER)
  onConfirmed(
    @Payload() event: CanonicalEvent<'plantbridge.production.operation-confirmed.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    return this.inLane(event.data, () => this.post.execute(event.data.confirmationKey, event));
  }

  @OnEvent(Production.ConfirmationRetryRequestedV1Event, POSTING_CONSUMER)
  onRetryRequested(
    @Payload() event: CanonicalEvent<'plantbridge.production.confirmation-retry-requested.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    return this.inLane(event.data, () => this.post.execute(event.data.confirmationKey, event));
  }

  private inLane(
    operation: { plant: string; manufacturingOrder: string; operation: string },
    work: () => Promise<void>,
  ): Promise<void> {
    return this.lanes.run(`${operation.plant}/${operation.manufacturingOrder}/${operation.operation}`, work);
  }
}
