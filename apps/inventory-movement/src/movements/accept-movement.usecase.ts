import {
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { createEvent, type EventOrigin, Inventory } from '@plantbridge/canonical-model';
import type { ErpOrderComponent } from '@plantbridge/erp';
import { PostingLedger } from '@plantbridge/erp-posting';
import { IdempotentRequests, type IdempotentResponse, type Transaction } from '@plantbridge/persistence';
import { badRequest, type CommandRequest, EventOrigins } from '@plantbridge/service-runtime';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { InventoryMovementConfig } from '../config';
import { GoodsMovementKind } from '../erp/goods-movement.kind';
import { erpOrderTable } from '../master-data/erp-order.entity';
import { MasterData, type Prepared } from '../master-data/master-data';
import { type MaterialMovementRecord, movementTable } from './material-movement.entity';
import { toMovementPayload } from './movement-document';
import {
  assertFitsMaterial,
  assertOrderOutput,
  assertOrderTakesMovements,
  assertWithinTolerance,
  componentFor,
} from './movement-rules';
import {
  type MaterialMovementRequest,
  movementFieldProblems,
  type MovementReversalRequest,
} from './movement.requests';
import { MovementRepository } from './movement.repository';
import { type MovementView, toMovementView } from './movement.views';

export interface MovementCommand extends CommandRequest {
  plant: string;
}

/** A movement to accept: everything but what accepting adds (acceptance time). */
export type NewMovement = Omit<MaterialMovementRecord, 'acceptedAt'>;

const KIND_OF_TYPE: Record<string, Inventory.MovementKind> = {
  '261': 'goods-issue',
  '101': 'goods-receipt',
  '311': 'transfer',
  '551': 'scrap',
};

/**
 * Accepts a goods movement from MES or WMS, or one made from a posted confirmation: checks it
 * against the order and the material master, then records it, opens its ERP ledger entry and
 * publishes `material-movement-requested`, all in one transaction. Posting to ERP happens later,
 * from JetStream, so the plant keeps moving material while ERP is down.
 */
@Injectable()
export class AcceptMovement {
  constructor(
    private readonly masterData: MasterData,
    private readonly movements: MovementRepository,
    private readonly idempotent: IdempotentRequests,
    private readonly ledger: PostingLedger,
    private readonly origins: EventOrigins,
    @Inject(InventoryMovementConfig) private readonly config: InventoryMovementConfig,
  ) {}

  async fromMes(
    ctx: MovementCommand,
    request: MaterialMovementRequest,
  ): Promise<IdempotentResponse<MovementView>> {
    const problems = movementFieldProblems(request);
    if (problems.length) throw badRequest(problems);
    // ERP is read before the transaction: no database connection waits on ERP.
    const prepared = await this.masterData.prepare(ctx.plant, {
      order: request.manufacturingOrder,
      materials: [request.material],
    });
    return this.idempotent.execute(
      ctx.replayKey,
      { method: 'POST', path: ctx.path, body: request },
      async (tx) => {
        const movement = await this.checked(tx.manager, ctx.plant, request, prepared);
        const view = await this.accept(
          tx,
          { ...movement, id: uuidv7(), source: 'mes', sourceRef: ctx.idempotencyKey },
          this.origins.fromRequest(ctx.plant, request.material, ctx.correlationId),
        );
        return { statusCode: 202, body: view };
      },
    );
  }

  /** The reversal of a posted movement (SAP `CancelItem`), as a movement of its own. */
  reverse(
    ctx: MovementCommand,
    id: string,
    request: MovementReversalRequest,
  ): Promise<IdempotentResponse<MovementView>> {
    return this.idempotent.execute(
      ctx.replayKey,
      { method: 'POST', path: ctx.path, body: request },
      async (tx) => {
        // Locked (PostgreSQL; SQLite runs one writer): two reversal requests of one movement, with
        // different keys, take turns, and the second finds the first.
        const original = await movementTable.findOne(tx.manager, { id }, { forUpdate: true });
        if (!original || original.plant !== ctx.plant)
          throw new NotFoundException(`movement ${id} is not known in plant ${ctx.plant}`);
        if (original.reversesMovementKey)
          throw new UnprocessableEntityException(
            `movement ${id} is a reversal itself; post the movement again instead`,
          );
        const earlier = await this.movements.reversalOf(id, tx.manager);
        if (earlier)
          throw new ConflictException(`movement ${id} was reversed already, by movement ${earlier.id}`);
        const posting = await this.ledger.find(id, tx.manager);
        if (posting?.state !== 'posted')
          throw new ConflictException(
            `movement ${id} is not in ERP (its posting is ${posting?.state ?? 'unknown'}): only a posted movement can be reversed`,
          );
        const reversal: NewMovement = {
          ...original,
          id: uuidv7(),
          goodsMovementType: String(Number(original.goodsMovementType) + 1),
          reversesMovementKey: id,
          confirmationKey: null,
          occurredAt: iso(request.occurredAt),
          source: 'mes',
          sourceRef: ctx.idempotencyKey,
        };
        const view = await this.accept(
          tx,
          reversal,
          this.origins.fromRequest(ctx.plant, original.material, ctx.correlationId),
        );
        return { statusCode: 202, body: view };
      },
    );
  }

  /**
   * Records a movement, opens its posting and publishes `material-movement-requested`, in the
   * caller's transaction. The event is checked against its own rules when it is written (the
   * outbox refuses one that breaks them), so what is accepted here is what the posting sends.
   */
  async accept(tx: Transaction, movement: NewMovement, origin: EventOrigin): Promise<MovementView> {
    const record: MaterialMovementRecord = { ...movement, acceptedAt: new Date().toISOString() };
    await movementTable.insert(tx.manager, record);
    const posting = await this.ledger.open(tx.manager, {
      postingKey: record.id,
      kind: 'goods-movement',
      plant: record.plant,
      orderingReference: GoodsMovementKind.orderingReference(record.plant, record.material),
      acceptedAt: record.acceptedAt,
    });
    await tx.publish(
      createEvent(Inventory.MaterialMovementRequestedV1Event, toMovementPayload(record), origin),
    );
    return toMovementView(record, posting);
  }

  /**
   * The request against the order and the material master (as `prepare` read them before the
   * transaction); what the movement will be.
   */
  private async checked(
    manager: EntityManager,
    plant: string,
    r: MaterialMovementRequest,
    { order, materials }: Prepared,
  ): Promise<Omit<NewMovement, 'id' | 'source' | 'sourceRef'>> {
    const material = materials.get(r.material) ?? null;
    const storageLocations = [
      r.storageLocation,
      ...(r.receivingStorageLocation ? [r.receivingStorageLocation] : []),
    ];
    assertFitsMaterial(material, { ...r, plant, storageLocations });
    let component: ErpOrderComponent | undefined;
    if (r.manufacturingOrder) {
      if (!order || order.plant !== plant)
        throw new NotFoundException(`order ${r.manufacturingOrder} is not known in plant ${plant}`);
      assertOrderTakesMovements(order);
      // The order's row locked (PostgreSQL): two movements of one order checked at once would each
      // count without the other and together pass its tolerance.
      await erpOrderTable.findOne(
        manager,
        { manufacturingOrder: order.manufacturingOrder },
        { forUpdate: true },
      );
      const tolerancePercent = this.config.MOVEMENT_TOLERANCE_PERCENT;
      if (r.movementType === '261') {
        component = componentFor(order, r.material, r.batch);
        const issued = await this.movements.orderQuantity(manager, {
          plant,
          manufacturingOrder: order.manufacturingOrder,
          goodsMovementType: '261',
          reservation: component.reservation,
          reservationItem: component.reservationItem,
        });
        assertWithinTolerance({
          what: `component ${r.material} of order ${order.manufacturingOrder}, withdrawn`,
          required: component.requiredQuantity,
          moved: Math.max(issued, component.withdrawnQuantity),
          quantity: r.quantity,
          unit: r.unit,
          tolerancePercent,
        });
      } else {
        assertOrderOutput(order, r.material, r.unit);
        const received = await this.movements.orderQuantity(manager, {
          plant,
          manufacturingOrder: order.manufacturingOrder,
          goodsMovementType: '101',
        });
        assertWithinTolerance({
          what: `the output of order ${order.manufacturingOrder}, received`,
          required: order.totalQuantity,
          moved: received,
          quantity: r.quantity,
          unit: r.unit,
          tolerancePercent,
        });
      }
    }
    return {
      plant,
      movementKind: KIND_OF_TYPE[r.movementType],
      goodsMovementType: r.movementType,
      material: r.material,
      storageLocation: r.storageLocation,
      receivingStorageLocation: r.receivingStorageLocation ?? null,
      batch: r.batch ?? null,
      quantity: r.quantity,
      unit: r.unit,
      stockType:
        r.movementType === '101' && material.postsToInspectionStock ? 'quality-inspection' : 'unrestricted',
      manufacturingOrder: r.manufacturingOrder ?? null,
      reservation: component?.reservation ?? null,
      reservationItem: component?.reservationItem ?? null,
      movementReason: r.reasonCode ?? null,
      reversesMovementKey: null,
      confirmationKey: null,
      occurredAt: iso(r.occurredAt),
    };
  }
}

/** An instant as stored (UTC, milliseconds), so stored times compare as text; now when absent. */
const iso = (timestamp?: string) => (timestamp ? new Date(timestamp) : new Date()).toISOString();
