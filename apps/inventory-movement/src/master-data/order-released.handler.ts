import { Controller, HttpException, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type CanonicalEvent, Production } from '@plantbridge/canonical-model';
import { type JetStreamContext, OnEvent, PermanentError } from '@plantbridge/messaging';
import { MasterData } from './master-data';

/**
 * Reads a released order's components and materials from ERP as soon as the order reaches the
 * plant, so the MES can issue and receive for it even if ERP goes away before the first movement.
 * While ERP is away the message is tried again later; an order ERP does not know is dead-lettered.
 */
@Controller()
export class OrderReleasedHandler {
  private readonly logger = new Logger(OrderReleasedHandler.name);

  constructor(private readonly masterData: MasterData) {}

  @OnEvent(Production.OrderReleasedV1Event, {
    concurrency: 2,
    retry: { maxDeliveries: 50, maxDelayMs: 60_000 },
  })
  async onReleased(
    @Payload() event: CanonicalEvent<'plantbridge.production.order-released.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    const { plant, manufacturingOrder } = event.data;
    try {
      const order = await this.masterData.refreshOrder(plant, manufacturingOrder, true);
      const materials = new Set([order.material, ...order.components.map((c) => c.material)]);
      for (const material of materials) await this.masterData.refreshMaterial(plant, material, true);
      this.logger.debug(`order ${manufacturingOrder}: ${order.components.length} component(s) read from ERP`);
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() < 500)
        throw new PermanentError(`order ${manufacturingOrder} cannot be read ahead: ${error.message}`);
      throw error;
    }
  }
}
