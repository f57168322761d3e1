import type { SapMaterialStock, StockType } from '@plantbridge/erp';
import { SapBusinessException } from './sap-rejection';

/** SAP's stock types (`InventoryStockType`) the simulator keeps: unrestricted, quality inspection, blocked. */
export type SapStockType = '01' | '02' | '07';

export const SAP_STOCK_TYPE_OF: Readonly<Record<StockType, SapStockType>> = {
  unrestricted: '01',
  'quality-inspection': '02',
  blocked: '07',
};

/** Stock of one material, plant, storage location, batch (`''` for none) and stock type. */
export interface StockKey {
  material: string;
  plant: string;
  storageLocation: string;
  batch: string;
  stockType: SapStockType;
}

/** A change of one stock by `delta` (negative takes out), in the material's base unit. */
export interface StockChange extends StockKey {
  delta: number;
  unit: string;
}

/**
 * How SAP names a stock in its deficit message (M7 021): `SL` is the storage location level. The
 * unrestricted-use text is SAP's; the others follow its pattern.
 */
const DEFICIT_OF: Readonly<Record<SapStockType, string>> = {
  '01': 'SL Unrestricted-use',
  '02': 'SL Quality inspection',
  '07': 'SL Blocked stock',
};

/** Quantities in thousandths, SAP's three decimals, so sums stay exact. */
const milli = (quantity: number) => Math.round(quantity * 1000);
const fromMilli = (thousandths: number) => thousandths / 1000;

const keyOf = (k: StockKey) => [k.material, k.plant, k.storageLocation, k.batch, k.stockType].join('\u0000');

/** SAP writes the missing quantity without trailing zeros: `5 PC`, `2.5 KG`. */
const asSapQuantity = (quantity: number) => String(Number(quantity.toFixed(3)));

/** The simulated stock: a quantity per material, plant, storage location, batch and stock type. */
export class StockLedger {
  private readonly stocks = new Map<string, { key: StockKey; unit: string; thousandths: number }>();

  quantity(key: StockKey): number {
    return fromMilli(this.stocks.get(keyOf(key))?.thousandths ?? 0);
  }

  /** Sets a stock to a quantity (a test's or the demo's opening stock). */
  set(key: StockKey, quantity: number, unit: string): void {
    if (!Number.isFinite(quantity) || quantity < 0) throw new Error(`stock cannot be ${quantity}`);
    this.stocks.set(keyOf(key), { key: { ...key }, unit, thousandths: milli(quantity) });
  }

  /**
   * Applies every change or none: a change that would make a stock negative is refused with SAP's
   * deficit message (M7 021), naming the stock and the quantity missing.
   */
  apply(changes: readonly StockChange[]): void {
    const after = new Map<string, { change: StockChange; thousandths: number }>();
    for (const change of changes) {
      const id = keyOf(change);
      const before = after.get(id)?.thousandths ?? this.stocks.get(id)?.thousandths ?? 0;
      after.set(id, { change, thousandths: before + milli(change.delta) });
    }
    for (const { change, thousandths } of after.values())
      if (thousandths < 0) {
        const place = [change.material, change.plant, change.storageLocation, change.batch].filter(Boolean);
        throw new SapBusinessException(
          'M7/021',
          `Deficit of ${DEFICIT_OF[change.stockType]} ${asSapQuantity(fromMilli(-thousandths))} ${change.unit} : ${place.join(' ')}`,
        );
      }
    for (const [id, { change, thousandths }] of after)
      this.stocks.set(id, {
        key: {
          material: change.material,
          plant: change.plant,
          storageLocation: change.storageLocation,
          batch: change.batch,
          stockType: change.stockType,
        },
        unit: change.unit,
        thousandths,
      });
  }

  /** Every stock that is not zero, as SAP's `A_MatlStkInAcctMod` lists it (the plant's own stock). */
  rows(): SapMaterialStock[] {
    return [...this.stocks.values()]
      .filter((stock) => stock.thousandths !== 0)
      .map(({ key, unit, thousandths }) => ({
        Material: key.material,
        Plant: key.plant,
        StorageLocation: key.storageLocation,
        Batch: key.batch,
        Supplier: '',
        Customer: '',
        WBSElementInternalID: '00000000',
        SDDocument: '',
        SDDocumentItem: '000000',
        InventorySpecialStockType: '',
        InventoryStockType: key.stockType,
        MaterialBaseUnit: unit,
        MatlWrhsStkQtyInMatlBaseUnit: fromMilli(thousandths).toFixed(14),
      }));
  }
}
