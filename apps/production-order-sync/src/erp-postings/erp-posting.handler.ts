import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type CanonicalEvent, Production } from '@plantbridge/canonical-model';
import { type JetStreamContext, OnEvent, type OnEventOptions } from '@plantbridge/messaging';
import { PostConfirmationToErp } from './post-confirmation.usecase';

/**
 * ERP postings are driven by JetStream, so they survive restarts and spread over replicas. The ledger
 * decides when to give up, not the delivery count, so an ERP outage of hours never dead-letters a
 * confirmation. A redelivery while a posting is still in flight waits for its lease (see the ledger);
 * ERP_MAX_IN_FLIGHT bounds the calls to ERP.
 */
const POSTING_CONSUMER: OnEventOptions = { concurrency: 64, retry: { maxDeliveries: 1_000_000 } };

@Controller()
export class ErpPostingHandler {
  constructor(private readonly post: PostConfirmationToErp) {}

  @OnEvent(Production.OperationConfirmedV1Event, POSTING_CONSUMER)
  onConfirmed(
    @Payload() event: CanonicalEvent<'plantbridge.production.operation-confirmed.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    return this.post.execute(event.data.confirmationKey, event);
  }

  @OnEvent(Production.ConfirmationRetryRequestedV1Event, POSTING_CONSUMER)
  onRetryRequested(
    @Payload() event: CanonicalEvent<'plantbridge.production.confirmation-retry-requested.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    return this.post.execute(event.data.confirmationKey, event);
  }
}
