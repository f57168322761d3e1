import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  type CanonicalEvent,
  createEvent,
  type EventOrigin,
  Inventory,
  toText,
} from '@plantbridge/canonical-model';
import {
  type GoodsMovementPosting,
  GoodsMovementsPort,
  type GoodsMovementType,
  MATERIAL_DOCUMENT_ENDPOINT,
  type PostedGoodsMovement,
} from '@plantbridge/erp';
import type { OperatorAction, PostingFailure, PostingKind } from '@plantbridge/erp-posting';
import type { EntityManager } from 'typeorm';
import type { MaterialMovementRecord } from '../movements/material-movement.entity';
import {
  materialDocumentKey,
  type MovementDocument,
  toMovementPayload,
} from '../movements/movement-document';
import { MovementRepository } from '../movements/movement.repository';
import { StockProjection } from '../stock/stock-projection';

/** The ERP endpoint goods movements go to: one material document per request. */
export const GOODS_MOVEMENT_ERP = { endpoint: MATERIAL_DOCUMENT_ENDPOINT, batched: false };

/** The events that move a movement's posting (see PostingKind.triggers). */
export const GOODS_MOVEMENT_TRIGGERS = {
  requested: Inventory.MaterialMovementRequestedV1Event,
  retryRequested: Inventory.MaterialMovementRetryRequestedV1Event,
  discarded: Inventory.MaterialMovementDiscardedV1Event,
};

/**
 * Goods movements as ERP postings (SAP `A_MaterialDocumentHeader` with one item, or `CancelItem`
 * for a reversal). The posting key is the movement's id, written into the item text, by which an
 * uncertain posting is found in ERP; a reversal is found by the item it reverses. The movements of
 * one material at a plant reach ERP in the order the plant made them (a receipt before the issue
 * that consumes it, a transfer before the issue from where it went): their ordering reference is
 * `{plant}/{material}`; one ERP refused does not hold back the later ones.
 */
@Injectable()
export class GoodsMovementKind implements PostingKind<MovementDocument, PostedGoodsMovement> {
  readonly name = 'goods-movement';
  readonly noun = 'movement';
  readonly triggers = GOODS_MOVEMENT_TRIGGERS;
  /**
   * A movement ERP refused (a deficit, a closed period) holds back nothing: the receipt that covers
   * a refused issue must go through so that the issue can be retried, and a plant's material flow
   * must not stop behind one refusal.
   */
  readonly failureHoldsLater = false;

  constructor(
    private readonly erp: GoodsMovementsPort,
    private readonly movements: MovementRepository,
    private readonly stock: StockProjection,
  ) {}

  /**
   * `P100/RM-100`; a material number too long for the ledger's 40 characters is hashed, so every
   * movement of a material still shares one reference.
   */
  static orderingReference(plant: string, material: string): string {
    const reference = `${plant}/${material}`;
    if (reference.length <= 40) return reference;
    return `${plant}/#${createHash('sha256').update(material).digest('base64url')}`.slice(0, 40);
  }

  keyOf(data: unknown): string | undefined {
    const key = (data as { movementKey?: unknown } | undefined)?.movementKey;
    return typeof key === 'string' ? key : undefined;
  }

  orderingReferenceOf(data: unknown): string | undefined {
    const { plant, material } = (data ?? {}) as { plant?: unknown; material?: unknown };
    return typeof plant === 'string' && typeof material === 'string'
      ? GoodsMovementKind.orderingReference(plant, material)
      : undefined;
  }

  load(postingKey: string, manager: EntityManager): Promise<MovementDocument | null> {
    return this.movements.document(postingKey, manager);
  }

  subjectOf({ movement }: MovementDocument): string {
    return movement.material;
  }

  describe({ movement: m }: MovementDocument): string {
    return `${m.goodsMovementType} ${m.quantity} ${m.unit} ${m.material} ${m.storageLocation}`;
  }

  post({ movement, reverses }: MovementDocument): Promise<PostedGoodsMovement> {
    if (reverses)
      return this.erp.reverseGoodsMovement({
        postingKey: movement.id,
        original: reverses.erpDocument,
        postingDate: movement.occurredAt,
      });
    return this.erp.postGoodsMovement(toPosting(movement));
  }

  async find(postingKey: string): Promise<PostedGoodsMovement | undefined> {
    const document = await this.movements.document(postingKey);
    if (document?.reverses) return this.erp.findReversal(postingKey, document.reverses.erpDocument);
    return this.erp.findGoodsMovement(postingKey);
  }

  documentOf(posted: PostedGoodsMovement): string {
    return materialDocumentKey(posted);
  }

  async applyPosted(
    document: MovementDocument,
    _posted: PostedGoodsMovement,
    manager: EntityManager,
  ): Promise<void> {
    await this.stock.apply(manager, document.movement, document.reverses?.movement);
  }

  posted({ movement }: MovementDocument, posted: PostedGoodsMovement, origin: EventOrigin): CanonicalEvent {
    return createEvent(
      Inventory.MaterialMovementPostedV1Event,
      {
        ...toMovementPayload(movement),
        materialDocument: posted.materialDocument,
        materialDocumentYear: posted.materialDocumentYear,
      },
      origin,
    );
  }

  failed({ movement }: MovementDocument, failure: PostingFailure, origin: EventOrigin): CanonicalEvent {
    return createEvent(
      Inventory.MaterialMovementRejectedV1Event,
      // The event's reason holds 255 characters (the ledger keeps the whole text).
      { ...toMovementPayload(movement), reason: toText(failure.reason, 255), reasonCode: failure.erpCode },
      origin,
    );
  }

  retryRequested(
    { movement }: MovementDocument,
    action: OperatorAction,
    origin: EventOrigin,
  ): CanonicalEvent {
    return createEvent(
      Inventory.MaterialMovementRetryRequestedV1Event,
      { ...reference(movement), requestedBy: action.by, reason: action.reason, requestedAt: action.at },
      origin,
    );
  }

  discarded(
    { movement }: MovementDocument,
    action: Required<OperatorAction>,
    origin: EventOrigin,
  ): CanonicalEvent {
    return createEvent(
      Inventory.MaterialMovementDiscardedV1Event,
      { ...reference(movement), discardedBy: action.by, reason: action.reason, discardedAt: action.at },
      origin,
    );
  }
}

function reference(m: MaterialMovementRecord): Inventory.MaterialMovementReferenceV1 {
  return { movementKey: m.id, plant: m.plant, material: m.material };
}

/** What SAP is sent for a movement. */
export function toPosting(m: MaterialMovementRecord): GoodsMovementPosting {
  return {
    postingKey: m.id,
    goodsMovementType: m.goodsMovementType as GoodsMovementType,
    material: m.material,
    plant: m.plant,
    storageLocation: m.storageLocation,
    receivingStorageLocation: m.receivingStorageLocation ?? undefined,
    batch: m.batch ?? undefined,
    quantity: m.quantity,
    unit: m.unit,
    manufacturingOrder: m.manufacturingOrder ?? undefined,
    reservation: m.reservation ?? undefined,
    reservationItem: m.reservationItem ?? undefined,
    reasonCode: m.movementReason ?? undefined,
    postingDate: m.occurredAt,
  };
}
