import type { StockType } from '@plantbridge/erp';
import type { MaterialMovementRecord } from '../movements/material-movement.entity';

/** A change of one stock position. */
export interface StockEffect {
  material: string;
  storageLocation: string;
  /** '' for a material without batches. */
  batch: string;
  stockType: StockType;
  quantity: number;
  unit: string;
}

/**
 * How a posted movement changes stock, as SAP books it: 101 adds to its stock type, 261
 * and 551 take from unrestricted use, 311 moves unrestricted stock between storage locations, and a
 * reversal (the movement type plus one) undoes the movement it reverses.
 */
export function stockEffectsOf(
  movement: MaterialMovementRecord,
  reversed?: MaterialMovementRecord,
): StockEffect[] {
  if (movement.reversesMovementKey) {
    if (!reversed)
      throw new Error(`movement ${movement.id} reverses ${movement.reversesMovementKey}, which is not known`);
    return stockEffectsOf(reversed).map((e) => ({ ...e, quantity: -e.quantity }));
  }
  const at = (
    storageLocation: string,
    quantity: number,
    stockType: StockType = 'unrestricted',
  ): StockEffect => ({
    material: movement.material,
    storageLocation,
    batch: movement.batch ?? '',
    stockType,
    quantity,
    unit: movement.unit,
  });
  switch (movement.goodsMovementType) {
    case '101':
      return [at(movement.storageLocation, movement.quantity, movement.stockType)];
    case '261':
    case '551':
      return [at(movement.storageLocation, -movement.quantity)];
    case '311':
      return [
        at(movement.storageLocation, -movement.quantity),
        at(movement.receivingStorageLocation ?? '', movement.quantity),
      ];
    default:
      throw new Error(
        `movement ${movement.id} has movement type ${movement.goodsMovementType}, which moves no stock here`,
      );
  }
}
