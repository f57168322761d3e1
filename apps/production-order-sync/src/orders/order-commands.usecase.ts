import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { createEvent, Production } from '@plantbridge/canonical-model';
import { IdempotentRequests, type IdempotentResponse, type Transaction } from '@plantbridge/persistence';
import { type CommandRequest, EventOrigins } from '@plantbridge/service-runtime';
import type {
  AcknowledgeOrderRequest,
  CompleteOperationRequest,
  StartOperationRequest,
} from './order.requests';
import { OrderRepository } from './order.repository';
import { toOrderView, type OrderView } from './order.views';
import type { OrderOperationState, ProductionOrderRecord } from './production-order.entity';

/** A MES command on one order, with its idempotency key, path and correlation id. */
export interface CommandContext extends CommandRequest {
  plant: string;
  manufacturingOrder: string;
}

/**
 * What MES does to an order: acknowledge or reject it, start and complete its operations. Each
 * command checks the order's state, records the change and publishes its event in one transaction,
 * under the caller's Idempotency-Key.
 */
@Injectable()
export class OrderCommands {
  constructor(
    private readonly orders: OrderRepository,
    private readonly idempotent: IdempotentRequests,
    private readonly origins: EventOrigins,
  ) {}

  acknowledge(ctx: CommandContext, request: AcknowledgeOrderRequest): Promise<IdempotentResponse<OrderView>> {
    return this.command(ctx, request, async (order, tx) => {
      if (order.mesStatus !== 'released') {
        throw new ConflictException(`order ${order.manufacturingOrder} is already ${order.mesStatus}`);
      }
      assertOpenInErp(order);
      const now = new Date().toISOString();
      order.mesStatus = request.accepted ? 'acknowledged' : 'rejected';
      order.rejectionReason = request.accepted ? null : (request.rejectionReason ?? null);
      // The verified caller, not a name from the body, unless there is no token (AUTH_MODE=none).
      const acknowledgedBy = ctx.caller?.subject ?? request.acknowledgedBy;
      order.acknowledgedBy = acknowledgedBy ?? null;
      order.acknowledgedAt = now;
      await tx.publish(
        createEvent(
          Production.OrderAcknowledgedV1Event,
          {
            manufacturingOrder: order.manufacturingOrder,
            plant: order.plant,
            accepted: request.accepted,
            rejectionReason: request.accepted ? undefined : request.rejectionReason,
            acknowledgedBy,
            acknowledgedAt: now,
          },
          this.origins.fromRequest(order.plant, order.manufacturingOrder, ctx.correlationId),
        ),
      );
    });
  }

  startOperation(ctx: CommandContext, operation: string, request: StartOperationRequest) {
    return this.command(ctx, request, async (order, tx) => {
      if (order.mesStatus !== 'acknowledged' && order.mesStatus !== 'in-progress') {
        throw new ConflictException(
          `order ${order.manufacturingOrder} must be acknowledged before its operations start (it is ${order.mesStatus})`,
        );
      }
      assertOpenInErp(order);
      const op = operationOf(order, operation);
      if (op.status !== 'pending')
        throw new ConflictException(`operation ${operation} is already ${op.status}`);
      op.status = 'started';
      op.startedAt = request.startedAt ?? new Date().toISOString();
      op.equipmentId = request.equipmentId;
      order.mesStatus = 'in-progress';
      await tx.publish(
        createEvent(
          Production.OperationStartedV1Event,
          {
            manufacturingOrder: order.manufacturingOrder,
            operation,
            plant: order.plant,
            workCenter: op.workCenter,
            equipmentId: request.equipmentId,
            startedAt: op.startedAt,
          },
          this.origins.fromRequest(order.plant, order.manufacturingOrder, ctx.correlationId),
        ),
      );
    });
  }

  completeOperation(ctx: CommandContext, operation: string, request: CompleteOperationRequest) {
    return this.command(ctx, request, async (order, tx) => {
      const op = operationOf(order, operation);
      if (op.status !== 'started') {
        throw new ConflictException(
          `operation ${operation} cannot complete: it is ${op.status}, not started`,
        );
      }
      op.status = 'completed';
      op.completedAt = request.completedAt ?? new Date().toISOString();
      if (order.operations.every((o) => o.status === 'completed')) order.mesStatus = 'completed';
      await tx.publish(
        createEvent(
          Production.OperationCompletedV1Event,
          {
            manufacturingOrder: order.manufacturingOrder,
            operation,
            plant: order.plant,
            equipmentId: op.equipmentId,
            completedAt: op.completedAt,
          },
          this.origins.fromRequest(order.plant, order.manufacturingOrder, ctx.correlationId),
        ),
      );
    });
  }

  private command(
    ctx: CommandContext,
    body: object,
    change: (order: ProductionOrderRecord, tx: Transaction) => Promise<void>,
  ): Promise<IdempotentResponse<OrderView>> {
    return this.idempotent.execute(ctx.replayKey, { method: 'POST', path: ctx.path, body }, async (tx) => {
      const order = await this.orders.get(ctx.plant, ctx.manufacturingOrder, tx.manager, { lock: true });
      await change(order, tx);
      await this.orders.update(order, tx.manager);
      return { statusCode: 200, body: toOrderView(order) };
    });
  }
}

export function operationOf(order: ProductionOrderRecord, operation: string): OrderOperationState {
  const op = order.operations.find((o) => o.operation === operation);
  if (!op)
    throw new NotFoundException(`operation ${operation} is not part of order ${order.manufacturingOrder}`);
  return op;
}

/** ERP closed or technically completed the order: the plant may no longer report against it. */
export function assertOpenInErp(order: ProductionOrderRecord): void {
  if (order.erpStatus === 'closed' || order.erpStatus === 'technically-completed') {
    throw new ConflictException(`order ${order.manufacturingOrder} is ${order.erpStatus} in ERP`);
  }
}
