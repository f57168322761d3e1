import { Inventory } from '@plantbridge/canonical-model';
import type { ErpMaterialRecord } from '../master-data/erp-material.entity';
import type { ErpOrderRecord } from '../master-data/erp-order.entity';
import type { NewMovement } from '../movements/accept-movement.usecase';
import type { ProductionConfirmationRecord } from './production-confirmation.entity';

export interface AutomaticMovements {
  goodsReceipt: boolean;
  backflush: boolean;
}

/** A movement that could not be made automatically, and why (logged; the MES can post it by hand). */
export interface SkippedMovement {
  what: string;
  why: string;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The goods movements a posted confirmation makes, as SAP's own automatic goods receipt and
 * backflush would: the yield of the order's last operation is received (101) into the order's
 * storage location (the output material's first when the order names none), and the backflushed components staged for the confirmed
 * operation (those staged for none, with the last operation) are issued (261) in proportion to the
 * confirmed yield and scrap of the order quantity. Bulk components and components issued finally
 * are left alone, as SAP leaves them. A batch-managed output is received into a batch named after
 * the order; a batch-managed component without a batch in the reservation cannot be backflushed.
 * Each movement's key derives from the confirmation's, so a redelivered confirmation finds them.
 */
export function movementsForConfirmation(
  c: ProductionConfirmationRecord,
  order: ErpOrderRecord,
  materials: Map<string, ErpMaterialRecord>,
  switches: AutomaticMovements,
): { movements: NewMovement[]; skipped: SkippedMovement[] } {
  const movements: NewMovement[] = [];
  const skipped: SkippedMovement[] = [];
  const last = order.operations[order.operations.length - 1];
  const common = {
    plant: c.plant,
    manufacturingOrder: c.manufacturingOrder,
    receivingStorageLocation: null,
    movementReason: null,
    reversesMovementKey: null,
    confirmationKey: c.confirmationKey,
    occurredAt: c.executionEnd,
    source: 'confirmation' as const,
    sourceRef: c.confirmationKey,
  };
  if (switches.goodsReceipt && c.operation === last && c.yieldQuantity > 0) {
    const output = materials.get(order.material);
    const what = `goods receipt of ${c.yieldQuantity} ${c.unit} ${order.material}`;
    if (!output)
      skipped.push({ what, why: `material ${order.material} is not known at plant ${c.plant} in ERP` });
    else if (output.baseUnit !== c.unit) skipped.push({ what, why: `its base unit is ${output.baseUnit}` });
    else if (!order.storageLocation && !output.storageLocations.length)
      skipped.push({ what, why: 'neither the order nor the material names a storage location' });
    else
      movements.push({
        ...common,
        id: Inventory.movementKeyForConfirmation(c.confirmationKey, 'receipt'),
        movementKind: 'goods-receipt',
        goodsMovementType: '101',
        material: order.material,
        storageLocation: order.storageLocation ?? output.storageLocations[0],
        batch: output.batchManaged ? c.manufacturingOrder.slice(-10) : null,
        quantity: c.yieldQuantity,
        unit: c.unit,
        stockType: output.postsToInspectionStock ? 'quality-inspection' : 'unrestricted',
        reservation: null,
        reservationItem: null,
      });
  }
  if (switches.backflush && order.totalQuantity > 0) {
    const share = (c.yieldQuantity + c.scrapQuantity) / order.totalQuantity;
    for (const component of order.components) {
      const stagedHere =
        component.operation === c.operation || (component.operation === '' && c.operation === last);
      if (!component.backflush || component.bulk || component.finallyIssued || !stagedHere) continue;
      const quantity = round(component.requiredQuantity * share);
      if (quantity <= 0) continue;
      const what = `backflush of ${quantity} ${component.unit} ${component.material}`;
      const material = materials.get(component.material);
      if (material?.batchManaged && !component.batch) {
        skipped.push({
          what,
          why: `material ${component.material} is batch-managed and the reservation names no batch`,
        });
        continue;
      }
      movements.push({
        ...common,
        id: Inventory.movementKeyForConfirmation(
          c.confirmationKey,
          `backflush/${component.reservation}/${component.reservationItem}`,
        ),
        movementKind: 'goods-issue',
        goodsMovementType: '261',
        material: component.material,
        storageLocation: component.storageLocation,
        batch: component.batch || null,
        quantity,
        unit: component.unit,
        stockType: 'unrestricted',
        reservation: component.reservation,
        reservationItem: component.reservationItem,
      });
    }
  }
  return { movements, skipped };
}
