import { Controller, HttpException, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type CanonicalEvent, Equipment } from '@plantbridge/canonical-model';
import { type JetStreamContext, OnEvent, PermanentError } from '@plantbridge/messaging';
import { AcceptConfirmation } from './accept-confirmation.usecase';

/**
 * Automatic confirmations: production counts from the edge gateway (per order operation) become
 * operation confirmations. Registered only when the plant sets AUTO_CONFIRM_COUNTS=true. A count the
 * order refuses (unknown order, closed, above tolerance) is dead-lettered with the reason.
 */
@Controller()
export class ProductionCountsHandler {
  private readonly logger = new Logger(ProductionCountsHandler.name);

  constructor(private readonly accept: AcceptConfirmation) {}

  @OnEvent(Equipment.ProductionCountedV1Event, { concurrency: 4 })
  async onProductionCounted(
    @Payload() event: CanonicalEvent<'plantbridge.equipment.production-counted.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    const { goodCount, scrapCount } = event.data;
    if (goodCount === 0 && scrapCount === 0) return;
    try {
      const applied = await this.accept.fromCounts(event);
      if (!applied) this.logger.debug(`production count ${event.id} was already confirmed`);
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() < 500) {
        throw new PermanentError(`production count ${event.id} cannot be confirmed: ${error.message}`);
      }
      throw error;
    }
  }
}
