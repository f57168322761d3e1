import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type CanonicalEvent, Production } from '@plantbridge/canonical-model';
import { type JetStreamContext, OnEvent } from '@plantbridge/messaging';
import { GatewayPipeline } from './gateway-pipeline';

/** Learns which order operation runs on which equipment, so equipment events carry it. */
@Controller()
export class ProductionContextHandler {
  constructor(private readonly pipeline: GatewayPipeline) {}

  @OnEvent(Production.OperationStartedV1Event)
  async onStarted(
    @Payload() event: CanonicalEvent<'plantbridge.production.operation-started.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    const { equipmentId, manufacturingOrder, operation } = event.data;
    if (equipmentId) await this.pipeline.setContext(equipmentId, { manufacturingOrder, operation });
  }

  @OnEvent(Production.OperationCompletedV1Event)
  async onCompleted(
    @Payload() event: CanonicalEvent<'plantbridge.production.operation-completed.v1'>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    if (event.data.equipmentId) await this.pipeline.setContext(event.data.equipmentId, undefined);
  }
}
