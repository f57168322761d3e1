import {
  type ErpStockPosition,
  SAP_STOCK_TYPES,
  type SapConfirmation,
  type SapConfirmationCreate,
  type SapProductionOrder,
  type SapProductionOrderComponent,
  type StockType,
} from '@plantbridge/erp';
import { MaterialDocuments, type OrderBook } from './material-documents';
import { MaterialsMaster } from './materials-master';
import { SapRejection } from './sap-rejection';
import { SAP_STOCK_TYPE_OF, type SapStockType, StockLedger } from './stock-ledger';

export { SapBusinessException, SapRejection } from './sap-rejection';

/** A component of an order to release: `quantityPerUnit` of the order's unit, in the component's unit. */
export interface ComponentInput {
  material: string;
  quantityPerUnit: number;
  /** Default 0001. */
  storageLocation?: string;
  batch?: string;
  /** The operation it is staged for, e.g. `0010`; none when absent or not one of the order's. */
  operation?: string;
  /** Withdrawn by backflush when the operation is confirmed (`MatlCompIsMarkedForBackflush`). */
  backflush?: boolean;
  /** The component's base unit; the material master's, else PC. */
  unit?: string;
}

export interface ReleaseOrderInput {
  plant: string;
  material?: string;
  quantity?: number;
  unit?: string;
  /** Number of operations, 0010, 0020, … */
  operations?: number;
  /** Where the output is received; default FG01. */
  storageLocation?: string;
  /** The order's components; the default order (FG-1000 in PC) gets DEFAULT_COMPONENTS when absent. */
  components?: ComponentInput[];
}

/** A stock to set: batch `''` and unrestricted use unless said otherwise; the unit is the material's. */
export interface StockInput {
  material: string;
  plant: string;
  storageLocation: string;
  batch?: string;
  /** Plantbridge's name or SAP's code (`01`, `02`, `07`). */
  stockType?: StockType | SapStockType;
  quantity: number;
}

/**
 * The default order's bill of material: two pieces of RM-100 per piece, backflushed at 0010, and
 * half a kilogram of batch-managed RM-200 per piece, withdrawn at 0020.
 */
export const DEFAULT_COMPONENTS: readonly ComponentInput[] = [
  { material: 'RM-100', quantityPerUnit: 2, unit: 'PC', operation: '0010', backflush: true },
  { material: 'RM-200', quantityPerUnit: 0.5, unit: 'KG', operation: '0020' },
];

const WORK_CENTERS = ['ASSEMBLY', 'TESTING', 'PACK01', 'PAINT', 'WELD01'];

/** An ABAP UTC time stamp as SAP's OData sends `LastChangeDateTime`: Edm.String `yyyyMMddHHmmss`. */
const sapTimestamp = (ms: number) => {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}` +
    `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`
  );
};
/** SAP's flags: Edm.String of 1. */
const flag = (set: boolean) => (set ? 'X' : '');
const sapDay = (ms: number) => `/Date(${ms - (ms % 86_400_000)})/`;
const sapTime = (ms: number) => {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `PT${two(d.getUTCHours())}H${two(d.getUTCMinutes())}M${two(d.getUTCSeconds())}S`;
};

export interface ErpStoreOptions {
  /**
   * Refuse a confirmation whose `ExternalSystemConfirmation` a confirmation that is not reversed
   * already holds. Off by default: SAP documents no such check, so it posts the same key twice,
   * and only our lookup before any resend keeps a posting single.
   */
  refuseDuplicates?: boolean;
  /**
   * The letter case SAP answers GUIDs in (`ExternalSystemConfirmation`): nothing documents it, so
   * a test can make it upper case to prove the adapter compares without case. Default lower.
   */
  guidCase?: 'lower' | 'upper';
}

/**
 * The simulated ERP's state: production orders with operations and components, the confirmation
 * ledger (what it posted), and inventory management: the material master, the stock and the
 * material documents that move it.
 */
export class ErpStore implements OrderBook {
  readonly materials = new MaterialsMaster();
  readonly stock = new StockLedger();
  readonly materialDocuments: MaterialDocuments;
  private readonly orders = new Map<string, SapProductionOrder>();
  /** Each order's components, apart from the order: SAP sends them only from their own entity set. */
  private readonly components = new Map<string, SapProductionOrderComponent[]>();
  private readonly byReservationItem = new Map<string, SapProductionOrderComponent>();
  private readonly confirmations: SapConfirmation[] = [];
  /** When each confirmation was committed (ms since epoch), for end-to-end latency in benchmarks. */
  private readonly committedAt: number[] = [];
  private readonly byExternalKey = new Map<string, SapConfirmation>();
  /** Each order operation's confirmation group, and the entries of each group so far. */
  private readonly groupOfOperation = new Map<string, string>();
  private readonly entriesInGroup = new Map<string, number>();
  private nextOrder = 1_000_000;
  private nextGroup = 1;
  private nextReservation = 1;

  constructor(private readonly options: ErpStoreOptions = {}) {
    this.materialDocuments = new MaterialDocuments(this.materials, this.stock, this);
  }

  releaseOrder(input: ReleaseOrderInput): SapProductionOrder {
    const now = Date.now();
    const id = String(this.nextOrder++);
    const quantity = input.quantity ?? 100;
    const operationCount = input.operations ?? 2;
    const order: SapProductionOrder = {
      ManufacturingOrder: id,
      ManufacturingOrderType: 'YBM1',
      ProductionPlant: input.plant,
      Material: input.material ?? 'FG-1000',
      TotalQuantity: quantity.toFixed(3),
      ProductionUnit: input.unit ?? 'PC',
      StorageLocation: input.storageLocation ?? 'FG01',
      MfgOrderPlannedStartDate: sapDay(now),
      MfgOrderPlannedStartTime: sapTime(now),
      MfgOrderPlannedEndDate: sapDay(now + 8 * 3_600_000),
      MfgOrderPlannedEndTime: sapTime(now + 8 * 3_600_000),
      OrderIsCreated: flag(true),
      OrderIsReleased: flag(true),
      OrderIsTechnicallyCompleted: flag(false),
      OrderIsClosed: flag(false),
      LastChangeDateTime: sapTimestamp(now),
      to_ProductionOrderOperation: {
        results: Array.from({ length: operationCount }, (_, i) => ({
          OrderInternalBillOfOperations: id.padStart(10, '0'),
          OrderIntBillOfOperationsItem: String(i + 1).padStart(8, '0'),
          ManufacturingOrder: id,
          ManufacturingOrderSequence: '0',
          ManufacturingOrderOperation: String((i + 1) * 10).padStart(4, '0'),
          MfgOrderOperationText: `Step ${i + 1}`,
          WorkCenter: WORK_CENTERS[i % WORK_CENTERS.length],
          OpPlannedTotalQuantity: quantity.toFixed(3),
          OperationUnit: input.unit ?? 'PC',
        })),
      },
    };
    this.orders.set(id, order);
    this.materials.ensure(order.Material, input.plant, order.ProductionUnit);
    const components = this.componentsFor(order, input);
    this.components.set(id, components);
    for (const c of components) this.byReservationItem.set(`${c.Reservation}/${c.ReservationItem}`, c);
    return order;
  }

  /** The order's components as SAP keeps them: one reservation per order, an item per component. */
  private componentsFor(order: SapProductionOrder, input: ReleaseOrderInput): SapProductionOrderComponent[] {
    const isDefaultOrder = order.Material === 'FG-1000' && order.ProductionUnit === 'PC';
    const inputs = input.components ?? (isDefaultOrder ? DEFAULT_COMPONENTS : []);
    const reservation = String(this.nextReservation++).padStart(10, '0');
    const operations = new Set(
      order.to_ProductionOrderOperation?.results.map((op) => op.ManufacturingOrderOperation),
    );
    const orderQuantity = Number(order.TotalQuantity);
    return inputs.map((component, i) => {
      const unit =
        component.unit ?? this.materials.get(component.material, order.ProductionPlant)?.baseUnit ?? 'PC';
      this.materials.ensure(component.material, order.ProductionPlant, unit);
      return {
        Reservation: reservation,
        ReservationItem: String(i + 1).padStart(4, '0'),
        Material: component.material,
        Plant: order.ProductionPlant,
        ManufacturingOrder: order.ManufacturingOrder,
        ManufacturingOrderSequence: '0',
        ManufacturingOrderOperation:
          component.operation && operations.has(component.operation) ? component.operation : '',
        StorageLocation: component.storageLocation ?? '0001',
        Batch: component.batch ?? '',
        GoodsMovementType: '261',
        BaseUnit: unit,
        RequiredQuantity: (component.quantityPerUnit * orderQuantity).toFixed(3),
        WithdrawnQuantity: '0.000',
        MatlCompIsMarkedForBackflush: component.backflush ?? false,
        IsBulkMaterialComponent: false,
        ReservationIsFinallyIssued: false,
        MatlCompIsMarkedForDeletion: false,
      };
    });
  }

  /**
   * Sets a stock of a material the master knows at the plant (a default one, one defined, or one of
   * a released order), in its base unit: a test's or the demo's opening stock.
   */
  setStock(input: StockInput): ErpStockPosition {
    const material = this.materials.get(input.material, input.plant);
    if (!material)
      throw new Error(`material ${input.material} is not known at plant ${input.plant}; define it first`);
    const stockType = input.stockType ?? 'unrestricted';
    const code = stockType in SAP_STOCK_TYPE_OF ? SAP_STOCK_TYPE_OF[stockType as StockType] : stockType;
    if (!(code in SAP_STOCK_TYPES)) throw new Error(`stock type ${stockType} is not one the simulator keeps`);
    const key = {
      material: input.material,
      plant: input.plant,
      storageLocation: input.storageLocation,
      batch: input.batch ?? '',
      stockType: code as SapStockType,
    };
    this.stock.set(key, input.quantity, material.baseUnit);
    return {
      ...key,
      stockType: SAP_STOCK_TYPES[code],
      quantity: this.stock.quantity(key),
      unit: material.baseUnit,
    };
  }

  /** Every stock that is not zero, of one plant or material when given, as Plantbridge reads stock. */
  stockPositions(filter: { plant?: string; material?: string } = {}): ErpStockPosition[] {
    return this.stock
      .rows()
      .filter(
        (row) =>
          (!filter.plant || row.Plant === filter.plant) &&
          (!filter.material || row.Material === filter.material),
      )
      .map((row) => ({
        material: row.Material,
        plant: row.Plant,
        storageLocation: row.StorageLocation,
        batch: row.Batch,
        stockType: SAP_STOCK_TYPES[row.InventoryStockType],
        quantity: Number(row.MatlWrhsStkQtyInMatlBaseUnit),
        unit: row.MaterialBaseUnit,
      }));
  }

  /** The order's components; empty for an order the store does not know. */
  componentsOf(order: string): SapProductionOrderComponent[] {
    return this.components.get(order) ?? [];
  }

  /** Every order's components: `A_ProductionOrderComponent_2`. */
  allComponents(): SapProductionOrderComponent[] {
    return [...this.components.values()].flat();
  }

  component(reservation: string, reservationItem: string): SapProductionOrderComponent | undefined {
    return this.byReservationItem.get(`${reservation}/${reservationItem}`);
  }

  setClosed(id: string, closed: boolean): SapProductionOrder {
    const order = this.order(id);
    if (!order) throw new SapRejection('CO/005', `Order ${id} does not exist`, 404);
    order.OrderIsClosed = flag(closed);
    order.OrderIsTechnicallyCompleted = flag(closed);
    order.LastChangeDateTime = sapTimestamp(Date.now());
    return order;
  }

  order(id: string): SapProductionOrder | undefined {
    return this.orders.get(id);
  }

  allOrders(): SapProductionOrder[] {
    return [...this.orders.values()];
  }

  confirm(input: SapConfirmationCreate): SapConfirmation {
    const key = input.ExternalSystemConfirmation?.toLowerCase();
    if (key && this.options.refuseDuplicates && this.byExternalKey.has(key)) {
      throw new SapRejection('RU/505', `Confirmation with external key ${key} has already been posted`);
    }
    const order = this.orders.get(input.OrderID);
    if (!order) throw new SapRejection('CO/005', `Order ${input.OrderID} does not exist`);
    if (order.OrderIsClosed === 'X' || order.OrderIsTechnicallyCompleted === 'X') {
      throw new SapRejection('RU/140', `Order ${input.OrderID} is already closed; no confirmation possible`);
    }
    const operation = order.to_ProductionOrderOperation?.results.find(
      (op) => op.ManufacturingOrderOperation === input.OrderOperation,
    );
    if (!operation) {
      throw new SapRejection(
        'RU/116',
        `Operation ${input.OrderOperation} does not exist in order ${input.OrderID}`,
      );
    }
    if (!['', 'X', '1'].includes(input.FinalConfirmationType)) {
      throw new SapRejection(
        'RU/303',
        `FinalConfirmationType "${input.FinalConfirmationType}" is not one of '' (partial), 'X' (final), '1' (automatic final)`,
      );
    }
    for (const field of [
      'ConfirmationYieldQuantity',
      'ConfirmationScrapQuantity',
      'ConfirmationReworkQuantity',
    ] as const) {
      const value = Number(input[field]);
      if (!Number.isFinite(value) || value < 0) {
        throw new SapRejection('RU/301', `${field} "${input[field]}" is not a valid quantity`);
      }
    }
    if (input.ConfirmationUnit !== order.ProductionUnit) {
      throw new SapRejection(
        'RU/320',
        `Unit ${input.ConfirmationUnit} cannot be converted to ${order.ProductionUnit}`,
      );
    }
    const operationKey = `${input.OrderID}/${input.OrderOperation}`;
    let group = this.groupOfOperation.get(operationKey);
    if (!group) {
      group = String(this.nextGroup++).padStart(10, '0');
      this.groupOfOperation.set(operationKey, group);
    }
    const confirmation: SapConfirmation = {
      ...input,
      ExternalSystemConfirmation: this.asAnswered(key ?? '00000000-0000-0000-0000-000000000000'),
      ConfirmationGroup: group,
      ConfirmationCount: this.nextCount(group),
      IsReversed: false,
      IsReversal: false,
    };
    this.confirmations.push(confirmation);
    this.committedAt.push(Date.now());
    if (key) this.byExternalKey.set(key, confirmation);
    return confirmation;
  }

  findByExternalKey(key: string): SapConfirmation[] {
    return this.confirmations.filter((c) => c.ExternalSystemConfirmation.toLowerCase() === key.toLowerCase());
  }

  cancel(group: string, count: string): SapConfirmation {
    const original = this.confirmations.find(
      (c) => c.ConfirmationGroup === group && c.ConfirmationCount === count && !c.IsReversal,
    );
    if (!original) throw new SapRejection('RU/200', `Confirmation ${group}/${count} does not exist`);
    if (original.IsReversed)
      throw new SapRejection('RU/201', `Confirmation ${group}/${count} is already cancelled`);
    original.IsReversed = true;
    this.byExternalKey.delete(original.ExternalSystemConfirmation.toLowerCase());
    const reversal: SapConfirmation = {
      ...original,
      ConfirmationCount: this.nextCount(group),
      ExternalSystemConfirmation: '00000000-0000-0000-0000-000000000000',
      IsReversed: false,
      IsReversal: true,
    };
    this.confirmations.push(reversal);
    this.committedAt.push(Date.now());
    return reversal;
  }

  private asAnswered(guid: string): string {
    return this.options.guidCase === 'upper' ? guid.toUpperCase() : guid;
  }

  /** The next counter in a confirmation group (SAP `ConfirmationCount`). */
  private nextCount(group: string): string {
    const count = (this.entriesInGroup.get(group) ?? 0) + 1;
    this.entriesInGroup.set(group, count);
    return String(count).padStart(8, '0');
  }

  /** What ERP posted, in posting order: the assertion source for tests and the demo. */
  ledger(): SapConfirmation[] {
    return [...this.confirmations];
  }

  /** Ledger entries from position `from` on, each with the time it was committed. */
  ledgerFrom(from: number): Array<{ confirmation: SapConfirmation; committedAt: number }> {
    return this.confirmations
      .slice(from)
      .map((confirmation, i) => ({ confirmation, committedAt: this.committedAt[from + i] }));
  }
}
