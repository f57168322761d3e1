import type { Inventory } from '@plantbridge/canonical-model';
import type { MaterialDocumentItemRef } from '@plantbridge/erp';
import type { MaterialMovementRecord } from './material-movement.entity';

/**
 * What a goods movement posting sends: the movement, and for a reversal the movement it reverses
 * with ERP's material document item of it (what SAP's `CancelItem` names).
 */
export interface MovementDocument {
  movement: MaterialMovementRecord;
  reverses?: { movement: MaterialMovementRecord; erpDocument: MaterialDocumentItemRef };
}

/** ERP's material document item as the ledger keeps it: `2026/4900000001/0001`. */
export function materialDocumentKey(ref: MaterialDocumentItemRef): string {
  return `${ref.materialDocumentYear}/${ref.materialDocument}/${ref.materialDocumentItem}`;
}

export function parseMaterialDocumentKey(
  key: string | null | undefined,
): MaterialDocumentItemRef | undefined {
  const [materialDocumentYear, materialDocument, materialDocumentItem] = key?.split('/') ?? [];
  return materialDocumentItem ? { materialDocumentYear, materialDocument, materialDocumentItem } : undefined;
}

/** The fields every material movement event carries. */
export function toMovementPayload(m: MaterialMovementRecord): Inventory.MaterialMovementV1 {
  return {
    movementKey: m.id,
    movementKind: m.movementKind,
    goodsMovementType: m.goodsMovementType,
    material: m.material,
    plant: m.plant,
    storageLocation: m.storageLocation,
    issuingOrReceivingStorageLocation: m.receivingStorageLocation ?? undefined,
    quantity: m.quantity,
    unit: m.unit,
    batch: m.batch ?? undefined,
    manufacturingOrder: m.manufacturingOrder ?? undefined,
    movementReason: m.movementReason ?? undefined,
    reversesMovementKey: m.reversesMovementKey ?? undefined,
    confirmationKey: m.confirmationKey ?? undefined,
    occurredAt: m.occurredAt,
  };
}
