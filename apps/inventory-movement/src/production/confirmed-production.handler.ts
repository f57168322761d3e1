import { Controller, HttpException } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type CanonicalEvent, Production } from '@plantbridge/canonical-model';
import { type JetStreamContext, OnEvent, PermanentError } from '@plantbridge/messaging';
import { MoveConfirmedProduction } from './move-confirmed-production.usecase';

/**
 * Production's confirmations as automatic goods movements. Registered only when the plant sets
 * AUTO_GOODS_RECEIPT or AUTO_BACKFLUSH. ERP being away must not lose a receipt, so these messages
 * are tried again for hours (the last copy of the order is used meanwhile) before they give up.
 */
const PATIENT = { concurrency: 4, retry: { maxDeliveries: 1000, maxDelayMs: 60_000 } };

@Controller()
export class ConfirmedProductionHandler {
  constructor(private readonly move: MoveConfirmedProduction) {}

  @OnEvent(Production.OperationConfirmedV1Event, PATIENT)
  async onConfirmed(
    @Payload() event: CanonicalEvent<'plantbridge.production.operation-confirmed.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    await this.move.confirmed(event);
  }

  @OnEvent(Production.ConfirmationPostedV1Event, PATIENT)
  async onPosted(
    @Payload() event: CanonicalEvent<'plantbridge.production.confirmation-posted.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    try {
      await this.move.posted(event);
    } catch (error) {
      // ERP does not know the order, or it is not this plant's: no retry will move this stock.
      if (error instanceof HttpException && error.getStatus() < 500)
        throw new PermanentError(
          `confirmation ${event.data.confirmationKey} moves no stock: ${error.message}`,
        );
      throw error;
    }
  }
}
