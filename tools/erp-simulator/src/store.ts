import type { SapConfirmation, SapConfirmationCreate, SapProductionOrder } from '@plantbridge/erp';

export interface ReleaseOrderInput {
  plant: string;
  material?: string;
  quantity?: number;
  unit?: string;
  /** Number of operations, 0010, 0020, … */
  operations?: number;
}

/** A business rejection, answered as SAP's 400 error body. */
export class SapRejection extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

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
 * The simulated ERP's state: production orders with operations, and the confirmation ledger (what
 * it posted).
 */
export class ErpStore {
  private readonly orders = new Map<string, SapProductionOrder>();
  private readonly confirmations: SapConfirmation[] = [];
  /** When each confirmation was committed (ms since epoch), for end-to-end latency in benchmarks. */
  private readonly committedAt: number[] = [];
  private readonly byExternalKey = new Map<string, SapConfirmation>();
  /** Each order operation's confirmation group, and the entries of each group so far. */
  private readonly groupOfOperation = new Map<string, string>();
  private readonly entriesInGroup = new Map<string, number>();
  private nextOrder = 1_000_000;
  private nextGroup = 1;

  constructor(private readonly options: ErpStoreOptions = {}) {}

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
    return order;
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
