import type { ErpMaterial, ErpOrderComponent, ErpStockPosition, StockType } from '../erp-port';
import type { SapMaterialStock, SapProductPlant } from './inventory-entities';
import { fromSapDecimal, odataString } from './odata-values';
import type { SapProductionOrderComponent } from './sap-entities';

/**
 * SAP's stock types (`InventoryStockType`, the stock identifier of a goods movement) Plantbridge
 * keeps: `01` unrestricted use, `02` quality inspection, `07` blocked. The others (returns, stock in
 * transfer or transit, restricted-use batches, GR blocked stock) are not the plant's to move.
 */
export const SAP_STOCK_TYPES: Readonly<Record<string, StockType>> = {
  '01': 'unrestricted',
  '02': 'quality-inspection',
  '07': 'blocked',
};

/** Materials per stock request: a `$filter` of a thousand `or`s is a URL SAP's gateway refuses. */
export const MATERIALS_PER_STOCK_REQUEST = 40;

/**
 * The `$filter` of a plant's own stock (no special stock: consignment, sales order or project stock
 * belongs to someone else), of the listed materials only when given.
 */
export function stockFilter(plant: string, materials?: string[]): string {
  const filters = [`Plant eq ${odataString(plant)}`, `InventorySpecialStockType eq ''`];
  if (materials?.length)
    filters.push(`(${materials.map((m) => `Material eq ${odataString(m)}`).join(' or ')})`);
  return filters.join(' and ');
}

/** A stock row as Plantbridge keeps it; undefined for a stock type it does not. */
export function toErpStockPosition(row: SapMaterialStock): ErpStockPosition | undefined {
  const stockType = SAP_STOCK_TYPES[row.InventoryStockType];
  if (!stockType || row.InventorySpecialStockType) return undefined;
  return {
    material: row.Material,
    plant: row.Plant,
    storageLocation: row.StorageLocation,
    batch: row.Batch,
    stockType,
    quantity: fromSapDecimal(row.MatlWrhsStkQtyInMatlBaseUnit),
    unit: row.MaterialBaseUnit,
  };
}

/** A material at a plant, with the storage locations it is extended to and not marked for deletion. */
export function toErpMaterial(plant: SapProductPlant): ErpMaterial {
  return {
    material: plant.Product,
    plant: plant.Plant,
    baseUnit: plant.BaseUnit,
    batchManaged: plant.IsBatchManagementRequired,
    postsToInspectionStock: plant.HasPostToInspectionStock,
    storageLocations: (plant.to_StorageLocation?.results ?? [])
      .filter((location) => !location.IsMarkedForDeletion)
      .map((location) => location.StorageLocation),
  };
}

export function toErpOrderComponent(component: SapProductionOrderComponent): ErpOrderComponent {
  return {
    reservation: component.Reservation,
    reservationItem: component.ReservationItem,
    material: component.Material,
    plant: component.Plant,
    operation: component.ManufacturingOrderOperation ?? '',
    storageLocation: component.StorageLocation,
    batch: component.Batch,
    requiredQuantity: fromSapDecimal(component.RequiredQuantity),
    withdrawnQuantity: fromSapDecimal(component.WithdrawnQuantity),
    unit: component.BaseUnit,
    goodsMovementType: component.GoodsMovementType,
    backflush: component.MatlCompIsMarkedForBackflush,
    bulk: component.IsBulkMaterialComponent,
    finallyIssued: component.ReservationIsFinallyIssued,
    markedForDeletion: component.MatlCompIsMarkedForDeletion,
  };
}
