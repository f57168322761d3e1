import { ConflictException, Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { type CanonicalEvent, createEvent, type EventOrigin, Production } from '@plantbridge/canonical-model';
import {
  IdempotentRequests,
  type IdempotentResponse,
  isUniqueViolation,
  type Transaction,
  UnitOfWork,
} from '@plantbridge/persistence';
import { PostingLedger } from '@plantbridge/erp-posting';
import { badRequest, EventOrigins } from '@plantbridge/service-runtime';
import { v7 as uuidv7 } from 'uuid';
import { ProductionOrderSyncConfig } from '../config';
import { OperationConfirmationKind } from '../erp/operation-confirmation.kind';
import { assertOpenInErp, type CommandContext } from '../orders/order-commands.usecase';
import { OrderRepository } from '../orders/order.repository';
import type { OrderOperationState, ProductionOrderRecord } from '../orders/production-order.entity';
import { type ConfirmationRecord, type ConfirmationSource, confirmationTable } from './confirmation.entity';
import type { ConfirmOperationRequest } from './confirmation.requests';
import { type ConfirmationView, toConfirmationView } from './confirmation.views';

interface ConfirmationInput extends Required<Omit<ConfirmOperationRequest, 'postingDate'>> {
  postingDate?: string;
}

/**
 * Accepts an operation confirmation from MES or from production counts: checks it against the
 * order, then records it, opens its ERP ledger entry and publishes `operation-confirmed`, all in one
 * transaction. Posting to ERP happens later, from JetStream, so the plant keeps confirming while
 * ERP is down. The confirmation id is SAP's `ExternalSystemConfirmation`.
 */
@Injectable()
export class AcceptConfirmation {
  constructor(
    private readonly orders: OrderRepository,
    private readonly idempotent: IdempotentRequests,
    private readonly unitOfWork: UnitOfWork,
    private readonly ledger: PostingLedger,
    private readonly kind: OperationConfirmationKind,
    private readonly origins: EventOrigins,
    @Inject(ProductionOrderSyncConfig) private readonly config: ProductionOrderSyncConfig,
  ) {}

  fromMes(
    ctx: CommandContext,
    request: ConfirmOperationRequest,
  ): Promise<IdempotentResponse<ConfirmationView>> {
    if (Date.parse(request.executionEnd) < Date.parse(request.executionStart)) {
      throw badRequest([{ field: 'executionEnd', reason: 'must not be before executionStart' }]);
    }
    return this.idempotent.execute(
      ctx.replayKey,
      { method: 'POST', path: ctx.path, body: request },
      async (tx) => {
        // Spelled out: absent DTO fields exist as `undefined`, so a spread would drop the defaults.
        const input: ConfirmationInput = {
          operation: request.operation,
          yieldQuantity: request.yieldQuantity,
          scrapQuantity: request.scrapQuantity ?? 0,
          reworkQuantity: request.reworkQuantity ?? 0,
          unit: request.unit,
          finalConfirmation: request.finalConfirmation ?? false,
          executionStart: request.executionStart,
          executionEnd: request.executionEnd,
          postingDate: request.postingDate,
        };
        const view = await this.accept(tx, ctx.plant, ctx.manufacturingOrder, input, {
          id: uuidv7(),
          source: 'mes',
          sourceRef: ctx.idempotencyKey,
          origin: this.origins.fromRequest(ctx.plant, ctx.manufacturingOrder, ctx.correlationId),
        });
        return { statusCode: 202, body: view };
      },
    );
  }

  /**
   * A production count of the edge gateway as a confirmation. Its id derives from the event id, so a
   * redelivered count finds its confirmation and changes nothing. False when it was already applied.
   */
  fromCounts(event: CanonicalEvent<'plantbridge.equipment.production-counted.v1'>): Promise<boolean> {
    const data = event.data;
    const id = Production.confirmationKeyForCount(event.id);
    return this.unitOfWork
      .run(async (tx) => {
        if (await confirmationTable.findOne(tx.manager, { id })) return false;
        const input: ConfirmationInput = {
          operation: data.operation,
          yieldQuantity: data.goodCount,
          scrapQuantity: data.scrapCount,
          reworkQuantity: 0,
          unit: data.unit,
          finalConfirmation: false,
          executionStart: data.periodStart,
          executionEnd: data.periodEnd,
        };
        await this.accept(tx, data.plant, data.manufacturingOrder, input, {
          id,
          source: 'equipment-counts',
          sourceRef: event.id,
          origin: this.origins.causedBy(event, data.manufacturingOrder),
        });
        return true;
      })
      .catch((error: unknown) => {
        // Two deliveries of one count raced and the other committed first.
        if (isUniqueViolation(error)) return false;
        throw error;
      });
  }

  private async accept(
    tx: Transaction,
    plant: string,
    manufacturingOrder: string,
    input: ConfirmationInput,
    identity: { id: string; source: ConfirmationSource; sourceRef: string; origin: EventOrigin },
  ): Promise<ConfirmationView> {
    const order = await this.orders.get(plant, manufacturingOrder, tx.manager, { lock: true });
    const operation = this.check(order, input);
    // Rounded to SAP's 3 decimals so repeated additions do not drift (0.1 + 0.2).
    operation.confirmedYield = round(operation.confirmedYield + input.yieldQuantity);
    operation.confirmedScrap = round(operation.confirmedScrap + input.scrapQuantity);
    operation.confirmedRework = round(operation.confirmedRework + input.reworkQuantity);
    await this.orders.update(order, tx.manager);
    const now = new Date().toISOString();
    const confirmation: ConfirmationRecord = {
      id: identity.id,
      plant,
      manufacturingOrder,
      operation: input.operation,
      sequence: operation.sequence,
      yieldQuantity: input.yieldQuantity,
      scrapQuantity: input.scrapQuantity,
      reworkQuantity: input.reworkQuantity,
      unit: input.unit,
      finalConfirmation: input.finalConfirmation,
      executionStart: input.executionStart,
      executionEnd: input.executionEnd,
      postingDate: input.postingDate ?? null,
      source: identity.source,
      sourceRef: identity.sourceRef,
      acceptedAt: now,
    };
    await confirmationTable.insert(tx.manager, confirmation);
    const posting = await this.ledger.open(tx.manager, {
      postingKey: identity.id,
      kind: this.kind.name,
      plant,
      orderingReference: OperationConfirmationKind.orderingReference(manufacturingOrder, input.operation),
      acceptedAt: now,
    });
    await tx.publish(
      createEvent(Production.OperationConfirmedV1Event, toOperationConfirmed(confirmation), identity.origin),
    );
    return toConfirmationView(confirmation, posting);
  }

  /** The order's rules: open, known operation, its unit, and not far above the order quantity. */
  private check(order: ProductionOrderRecord, input: ConfirmationInput): OrderOperationState {
    assertOpenInErp(order);
    if (order.mesStatus === 'rejected') {
      throw new ConflictException(`order ${order.manufacturingOrder} was rejected by the plant`);
    }
    const operation = order.operations.find((o) => o.operation === input.operation);
    if (!operation) {
      const known = order.operations.map((o) => o.operation).join(', ');
      throw new UnprocessableEntityException(
        `operation ${input.operation} is not part of order ${order.manufacturingOrder} (its operations: ${known})`,
      );
    }
    if (input.unit !== order.unit) {
      throw new UnprocessableEntityException(
        `unit ${input.unit} does not match the order's unit ${order.unit}`,
      );
    }
    const after =
      operation.confirmedYield + operation.confirmedScrap + input.yieldQuantity + input.scrapQuantity;
    const tolerance = this.config.CONFIRMATION_TOLERANCE_PERCENT;
    const limit = order.totalQuantity * (1 + tolerance / 100);
    if (after > limit + 1e-9) {
      throw new UnprocessableEntityException(
        `operation ${input.operation} of order ${order.manufacturingOrder} would have ${round(after)} ${order.unit} ` +
          `confirmed (yield + scrap), above the order quantity ${order.totalQuantity} ${order.unit} ` +
          `+ ${tolerance} % tolerance (${round(limit)} ${order.unit})`,
      );
    }
    return operation;
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** The `operation-confirmed` payload of an accepted confirmation. */
function toOperationConfirmed(c: ConfirmationRecord): Production.OperationConfirmedV1 {
  return {
    confirmationKey: c.id,
    manufacturingOrder: c.manufacturingOrder,
    operation: c.operation,
    plant: c.plant,
    yieldQuantity: c.yieldQuantity,
    scrapQuantity: c.scrapQuantity,
    reworkQuantity: c.reworkQuantity,
    unit: c.unit,
    finalConfirmation: c.finalConfirmation,
    executionStart: c.executionStart,
    executionEnd: c.executionEnd,
    postingDate: c.postingDate ?? undefined,
  };
}
