import type {
  SapMaterialDocumentHeader,
  SapMaterialDocumentItem,
  SapProductionOrder,
  SapProductionOrderComponent,
} from '@plantbridge/erp';
import type { MaterialsMaster, SimulatedMaterial } from './materials-master';
import { SapBusinessException } from './sap-rejection';
import type { SapStockType, StockChange, StockLedger } from './stock-ledger';

/** What the simulator needs of production orders: the order, and its components by reservation item. */
export interface OrderBook {
  order(id: string): SapProductionOrder | undefined;
  component(reservation: string, reservationItem: string): SapProductionOrderComponent | undefined;
}

/** A posted material document with its items, and when it was committed. */
export interface MaterialDocument {
  header: SapMaterialDocumentHeader;
  items: SapMaterialDocumentItem[];
  committedAt: number;
}

/** The deep insert of `A_MaterialDocumentHeader`, as the contract let it through. */
export interface MaterialDocumentInput {
  GoodsMovementCode?: string;
  PostingDate?: string | null;
  DocumentDate?: string | null;
  MaterialDocumentHeaderText?: string;
  to_MaterialDocumentItem?: MaterialDocumentItemInput[] | { results: MaterialDocumentItemInput[] };
}

export type MaterialDocumentItemInput = Partial<SapMaterialDocumentItem>;

/** The company code of every simulated plant, as SAP's period message names it. */
const COMPANY_CODE = '1000';

/** Movement types the simulator posts, the goods movement code each is posted with, and its reversal's type. */
const MOVEMENTS: Readonly<Record<string, { code: string; reversal: string }>> = {
  '101': { code: '02', reversal: '102' },
  '261': { code: '03', reversal: '262' },
  '551': { code: '03', reversal: '552' },
  '311': { code: '04', reversal: '312' },
};

/**
 * Refusals. M7 021 (deficit, in StockLedger) and M7 053 (posting period) are SAP's messages with
 * SAP's text; M7 001 is SAP's generic "Check table &1: entry &2 does not exist" and M7 018 its
 * "Enter &1", M3 351 "Material &1 not maintained in plant &2", as SAP answers are quoted in public
 * sources (not checked against a system here). `SIM/…` stands for a refusal whose SAP message id we
 * could not confirm, or for what the simulator does not model (unit conversion, other movement
 * types): the text says what is wrong, the code says it is the simulator's.
 */
const refuse = (code: string, message: string) => new SapBusinessException(code, message);

const ORDER_MOVEMENTS: ReadonlySet<string> = new Set(['101', '261']);
const STOCK_TYPES: ReadonlySet<string> = new Set(['01', '02', '07']);

const SAP_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;
const DAY_MS = 86_400_000;

/** An Edm.DateTime date (`/Date(ms)/`, the plant's day at midnight UTC) as that midnight in ms. */
function dayOf(value: string | null | undefined): number | undefined {
  const match = value ? SAP_DATE.exec(value) : null;
  if (!match) return undefined;
  const ms = Number(match[1]);
  return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}

const today = () => dayOf(`/Date(${Date.now()})/`) as number;
const sapDay = (ms: number) => `/Date(${ms})/`;
const sapTime = (ms: number) => {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `PT${two(d.getUTCHours())}H${two(d.getUTCMinutes())}M${two(d.getUTCSeconds())}S`;
};

/** `yyyy/mm`, MM's posting period of a day. */
function periodOf(day: number): string {
  const d = new Date(day);
  return `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

function previousPeriod(period: string): string {
  const [year, month] = period.split('/').map(Number);
  return month === 1 ? `${year - 1}/12` : `${year}/${String(month - 1).padStart(2, '0')}`;
}

const itemId = (year: string, document: string, item: string) => `${year}/${document}/${item}`;
const idOf = (item: SapMaterialDocumentItem) =>
  itemId(item.MaterialDocumentYear, item.MaterialDocument, item.MaterialDocumentItem);

/** What posting one item does: the item as SAP keeps it, its stock changes, the component it withdraws. */
interface ItemPlan {
  item: SapMaterialDocumentItem;
  changes: StockChange[];
  withdraws?: SapProductionOrderComponent;
}

/**
 * The simulated inventory management: posts material documents (one or more items, each a goods
 * movement of stock), numbers them as SAP does (year, then 49xxxxxxxx per year, items 0001…),
 * reverses documents and items, and keeps MM's posting period. Like SAP, it has no duplicate check:
 * the same item text twice is two documents.
 */
export class MaterialDocuments {
  private readonly posted: MaterialDocument[] = [];
  private readonly byNumber = new Map<string, MaterialDocument>();
  private readonly byItem = new Map<string, SapMaterialDocumentItem>();
  /** What each posted item did to stock, so its reversal undoes exactly that. */
  private readonly changesOf = new Map<string, StockChange[]>();
  private readonly nextNumber = new Map<string, number>();
  /** MM's current posting period (`yyyy/mm`); postings go to it or the one before. Unset: every period is open. */
  private currentPeriod?: string;

  constructor(
    private readonly materials: MaterialsMaster,
    private readonly stock: StockLedger,
    private readonly orders: OrderBook,
  ) {}

  /**
   * Moves MM's posting period to `current` (`yyyy/mm`), as SAP's period closing does: postings are
   * then possible in it and in the period before, and refused with M7 053 in any other. Undefined
   * opens every period again.
   */
  setPostingPeriod(current: string | undefined): void {
    if (current !== undefined && !/^\d{4}\/(0[1-9]|1[0-2])$/.test(current))
      throw new Error(`a posting period is yyyy/mm, got "${current}"`);
    this.currentPeriod = current;
  }

  get postingPeriod(): string | undefined {
    return this.currentPeriod;
  }

  /** Posts a material document, all of it or (refused) nothing. */
  post(input: MaterialDocumentInput): MaterialDocument {
    const inputs = itemsOf(input);
    if (!inputs.length) throw refuse('SIM/NO-ITEMS', 'A material document needs at least one item');
    const day = dayOf(input.PostingDate) ?? today();
    this.checkPeriod(day);
    const plans = inputs.map((item) => this.plan(input.GoodsMovementCode, item));
    this.stock.apply(plans.flatMap((plan) => plan.changes));
    const document = this.record(
      day,
      {
        DocumentDate: input.DocumentDate ?? sapDay(day),
        MaterialDocumentHeaderText: input.MaterialDocumentHeaderText ?? '',
        GoodsMovementCode: input.GoodsMovementCode ?? '',
      },
      plans,
    );
    for (const plan of plans) if (plan.withdraws) withdraw(plan.withdraws, plan.item, +1);
    return document;
  }

  /** Reverses one item (SAP's `CancelItem`): the reversal document, whose one item reverses it. */
  cancelItem(year: string, document: string, item: string, postingDate?: number): MaterialDocument {
    const original = this.byItem.get(itemId(year, document, item));
    if (!original)
      throw refuse('SIM/NO-DOCUMENT', `Item ${item} of material document ${document} ${year} does not exist`);
    if (original.ReversedMaterialDocument)
      throw refuse('SIM/REVERSED', `Material document ${document} ${year} is itself a reversal`);
    if (original.GoodsMovementIsCancelled)
      throw refuse(
        'SIM/REVERSED',
        `Item ${item} of material document ${document} ${year} has already been reversed`,
      );
    return this.reverse([original], postingDate);
  }

  /** Reverses every item of a document not reversed yet (SAP's `Cancel`). */
  cancel(year: string, document: string, postingDate?: number): MaterialDocument {
    const found = this.document(year, document);
    if (!found) throw refuse('SIM/NO-DOCUMENT', `Material document ${document} ${year} does not exist`);
    if (found.items.some((item) => item.ReversedMaterialDocument))
      throw refuse('SIM/REVERSED', `Material document ${document} ${year} is itself a reversal`);
    const open = found.items.filter((item) => !item.GoodsMovementIsCancelled);
    if (!open.length)
      throw refuse('SIM/REVERSED', `Material document ${document} ${year} has already been reversed`);
    return this.reverse(open, postingDate);
  }

  document(year: string, document: string): MaterialDocument | undefined {
    return this.byNumber.get(`${year}/${document}`);
  }

  /** The materials a reversal of the document (or one item of it) moves, for the lock fault. */
  materialsOf(year: string, document: string, item?: string): string[] {
    const items = this.document(year, document)?.items ?? [];
    return items.filter((i) => item === undefined || i.MaterialDocumentItem === item).map((i) => i.Material);
  }

  /** Every document posted, in posting order, from position `from` on. */
  documents(from = 0): MaterialDocument[] {
    return this.posted.slice(from);
  }

  /** Every item of every document, in posting order: `A_MaterialDocumentItem`. */
  items(): SapMaterialDocumentItem[] {
    return this.posted.flatMap((document) => document.items);
  }

  private checkPeriod(day: number): void {
    const current = this.currentPeriod;
    if (!current) return;
    const previous = previousPeriod(current);
    const period = periodOf(day);
    if (period !== current && period !== previous)
      throw refuse(
        'M7/053',
        `Posting only possible in periods ${current} and ${previous} in company code ${COMPANY_CODE}`,
      );
  }

  /** Checks one item as SAP would and works out what it does; changes nothing. */
  private plan(code: string | undefined, input: MaterialDocumentItemInput): ItemPlan {
    const type = input.GoodsMovementType ?? '';
    const movement = MOVEMENTS[type];
    if (!movement)
      throw refuse(
        'SIM/MOVEMENT-TYPE',
        `Movement type ${type} is not simulated (only 101, 261, 311, 551 are)`,
      );
    if (code !== movement.code)
      throw refuse(
        'SIM/GM-CODE',
        `Movement type ${type} is posted with goods movement code ${movement.code}, not ${code ?? '(none)'}`,
      );
    const plant = input.Plant ?? '';
    const material = this.materials.get(input.Material ?? '', plant);
    if (!material)
      throw refuse('M3/351', `Material ${input.Material ?? ''} not maintained in plant ${plant}`);
    const storageLocation = this.storageLocationOf(material, input.StorageLocation);
    const batch = input.Batch ?? '';
    if (material.batchManaged && !batch) throw refuse('M7/018', 'Enter Batch');
    if (!material.batchManaged && batch)
      throw refuse(
        'SIM/BATCH',
        `Material ${material.material} is not handled in batches; batch ${batch} given`,
      );
    const quantity = quantityOf(input, material);
    const order = ORDER_MOVEMENTS.has(type) ? this.orderOf(type, input, material) : undefined;
    const withdraws = this.componentOf(type, input, material);
    const stockType = stockTypeOf(type, input, material);
    const place = { material: material.material, plant, batch, unit: material.baseUnit };
    const changes: StockChange[] =
      type === '101'
        ? [{ ...place, storageLocation, stockType, delta: quantity }]
        : [{ ...place, storageLocation, stockType, delta: -quantity }];
    let receiving = '';
    if (type === '311') {
      receiving = this.receivingOf(material, storageLocation, input);
      changes.push({ ...place, storageLocation: receiving, stockType, delta: quantity });
    }
    const item: SapMaterialDocumentItem = {
      MaterialDocumentYear: '',
      MaterialDocument: '',
      MaterialDocumentItem: '',
      Material: material.material,
      Plant: plant,
      StorageLocation: storageLocation,
      Batch: batch,
      GoodsMovementType: type,
      InventoryStockType: stockType,
      InventorySpecialStockType: '',
      ManufacturingOrder: order?.ManufacturingOrder ?? '',
      // A receipt goes to the order's item, 0001 for an order with one product.
      ManufacturingOrderItem: input.ManufacturingOrderItem ?? (type === '101' ? '0001' : ''),
      GoodsMovementRefDocType: order && type === '101' ? 'F' : '',
      GoodsMovementReasonCode: input.GoodsMovementReasonCode ?? '',
      MaterialBaseUnit: material.baseUnit,
      QuantityInBaseUnit: quantity.toFixed(3),
      EntryUnit: material.baseUnit,
      QuantityInEntryUnit: quantity.toFixed(3),
      IssuingOrReceivingPlant: type === '311' ? plant : '',
      IssuingOrReceivingStorageLoc: receiving,
      MaterialDocumentItemText: input.MaterialDocumentItemText ?? '',
      Reservation: withdraws?.Reservation ?? '',
      ReservationItem: withdraws?.ReservationItem ?? '',
      ReservationIsFinallyIssued: input.ReservationIsFinallyIssued ?? false,
      GoodsMovementIsCancelled: false,
      ReversedMaterialDocumentYear: '',
      ReversedMaterialDocument: '',
      ReversedMaterialDocumentItem: '',
      DebitCreditCode: type === '101' ? 'S' : 'H',
    };
    return { item, changes, withdraws };
  }

  private storageLocationOf(material: SimulatedMaterial, storageLocation: string | undefined): string {
    if (!storageLocation) throw refuse('M7/018', 'Enter Storage location');
    if (!material.storageLocations.includes(storageLocation))
      throw refuse(
        'M7/001',
        `Check table MARD: entry ${material.material} ${material.plant} ${storageLocation} does not exist`,
      );
    return storageLocation;
  }

  private receivingOf(material: SimulatedMaterial, from: string, input: MaterialDocumentItemInput): string {
    const plant = input.IssuingOrReceivingPlant || material.plant;
    if (plant !== material.plant)
      throw refuse(
        'SIM/TRANSFER',
        `The simulator transfers within plant ${material.plant} only, not to ${plant}`,
      );
    if (!input.IssuingOrReceivingStorageLoc) throw refuse('M7/018', 'Enter Receiving storage location');
    const receiving = this.storageLocationOf(material, input.IssuingOrReceivingStorageLoc);
    if (receiving === from)
      throw refuse('SIM/TRANSFER', `Storage location ${from} cannot transfer to itself`);
    return receiving;
  }

  /** The order a receipt (101) or an issue (261) is posted against. */
  private orderOf(
    type: string,
    input: MaterialDocumentItemInput,
    material: SimulatedMaterial,
  ): SapProductionOrder {
    // F, the movement indicator of a goods receipt for a production order, on receipts only.
    const indicator = type === '101' ? 'F' : '';
    if ((input.GoodsMovementRefDocType ?? '') !== indicator || !input.ManufacturingOrder)
      throw refuse(
        'SIM/ORDER',
        `Movement type ${type} needs an order: ManufacturingOrder with GoodsMovementRefDocType '${indicator}'`,
      );
    const order = this.orders.order(input.ManufacturingOrder);
    if (!order) throw refuse('CO/005', `Order ${input.ManufacturingOrder} does not exist`);
    if (order.OrderIsClosed === 'X')
      throw refuse(
        'SIM/ORDER-CLOSED',
        `Order ${order.ManufacturingOrder} is closed; no goods movements possible`,
      );
    if (order.ProductionPlant !== material.plant || (type === '101' && order.Material !== material.material))
      throw refuse(
        'SIM/ORDER-MATERIAL',
        `Order ${order.ManufacturingOrder} makes ${order.Material} in plant ${order.ProductionPlant}; movement type ${type} of ${material.material} in ${material.plant} does not fit it`,
      );
    return order;
  }

  /** The component an issue withdraws against, when it names a reservation item. */
  private componentOf(
    type: string,
    input: MaterialDocumentItemInput,
    material: SimulatedMaterial,
  ): SapProductionOrderComponent | undefined {
    if (!input.Reservation && !input.ReservationItem) return undefined;
    const component = this.orders.component(input.Reservation ?? '', input.ReservationItem ?? '');
    if (
      type !== '261' ||
      !component ||
      component.ManufacturingOrder !== input.ManufacturingOrder ||
      component.Material !== material.material
    )
      throw refuse(
        'SIM/RESERVATION',
        `Reservation ${input.Reservation ?? ''} item ${input.ReservationItem ?? ''} is no component of order ${input.ManufacturingOrder ?? ''} for ${material.material} (movement type ${type})`,
      );
    return component;
  }

  private reverse(originals: SapMaterialDocumentItem[], postingDate: number | undefined): MaterialDocument {
    const day = postingDate ?? today();
    this.checkPeriod(day);
    const plans: ItemPlan[] = originals.map((original) => ({
      item: {
        ...original,
        GoodsMovementType: MOVEMENTS[original.GoodsMovementType].reversal,
        DebitCreditCode: original.DebitCreditCode === 'S' ? 'H' : 'S',
        GoodsMovementIsCancelled: false,
        ReversedMaterialDocumentYear: original.MaterialDocumentYear,
        ReversedMaterialDocument: original.MaterialDocument,
        ReversedMaterialDocumentItem: original.MaterialDocumentItem,
      },
      changes: (this.changesOf.get(idOf(original)) ?? []).map((change) => ({
        ...change,
        delta: -change.delta,
      })),
    }));
    // A reversal that would take out stock no longer there is refused as any movement is (M7 021).
    this.stock.apply(plans.flatMap((plan) => plan.changes));
    const document = this.record(
      day,
      { DocumentDate: sapDay(day), MaterialDocumentHeaderText: '', GoodsMovementCode: '' },
      plans,
    );
    for (const original of originals) {
      original.GoodsMovementIsCancelled = true;
      const component = original.Reservation
        ? this.orders.component(original.Reservation, original.ReservationItem)
        : undefined;
      if (component) withdraw(component, original, -1);
    }
    return document;
  }

  /** Numbers and keeps a document whose stock changes were applied. */
  private record(
    day: number,
    fields: Pick<
      SapMaterialDocumentHeader,
      'DocumentDate' | 'MaterialDocumentHeaderText' | 'GoodsMovementCode'
    >,
    plans: ItemPlan[],
  ): MaterialDocument {
    const year = String(new Date(day).getUTCFullYear());
    const number = this.nextNumber.get(year) ?? 4_900_000_001;
    this.nextNumber.set(year, number + 1);
    const now = Date.now();
    const header: SapMaterialDocumentHeader = {
      MaterialDocumentYear: year,
      MaterialDocument: String(number),
      InventoryTransactionType: '',
      DocumentDate: fields.DocumentDate,
      PostingDate: sapDay(day),
      CreationDate: sapDay(today()),
      CreationTime: sapTime(now),
      CreatedByUser: 'SIMULATOR',
      MaterialDocumentHeaderText: fields.MaterialDocumentHeaderText,
      ReferenceDocument: '',
      GoodsMovementCode: fields.GoodsMovementCode,
    };
    const items = plans.map((plan, i) => ({
      ...plan.item,
      MaterialDocumentYear: year,
      MaterialDocument: header.MaterialDocument,
      MaterialDocumentItem: String(i + 1).padStart(4, '0'),
    }));
    items.forEach((item, i) => {
      this.byItem.set(idOf(item), item);
      this.changesOf.set(idOf(item), plans[i].changes);
    });
    const document = { header, items, committedAt: now };
    this.posted.push(document);
    this.byNumber.set(`${year}/${header.MaterialDocument}`, document);
    return document;
  }
}

/** The items of a deep insert: OData V2 JSON sends them as an array or as `{results: [...]}`. */
export function itemsOf(input: MaterialDocumentInput): MaterialDocumentItemInput[] {
  const nested = input.to_MaterialDocumentItem;
  if (!nested) return [];
  return Array.isArray(nested) ? nested : nested.results;
}

/** The item's quantity in the material's base unit; the simulator converts no units. */
function quantityOf(input: MaterialDocumentItemInput, material: SimulatedMaterial): number {
  const [text, unit] = input.QuantityInEntryUnit
    ? [input.QuantityInEntryUnit, input.EntryUnit]
    : [input.QuantityInBaseUnit, input.MaterialBaseUnit];
  const quantity = Number(text);
  if (!(quantity > 0))
    throw refuse('SIM/QUANTITY', `Enter a quantity greater than zero, not ${text ?? '(none)'}`);
  if (unit && unit !== material.baseUnit)
    throw refuse(
      'SIM/UNIT',
      `Unit ${unit} is not the base unit ${material.baseUnit} of material ${material.material}; the simulator converts no units`,
    );
  return quantity;
}

/**
 * The stock type a movement posts to: a receipt to the one asked for, else to quality inspection
 * when the material posts to inspection stock, else to unrestricted use; issues and transfers take
 * unrestricted-use stock.
 */
function stockTypeOf(
  type: string,
  input: MaterialDocumentItemInput,
  material: SimulatedMaterial,
): SapStockType {
  const asked = input.InventoryStockType;
  if (type === '101') {
    if (asked && !STOCK_TYPES.has(asked))
      throw refuse('SIM/STOCK-TYPE', `Stock type ${asked} is not simulated`);
    return (asked as SapStockType | undefined) || (material.postsToInspectionStock ? '02' : '01');
  }
  if (asked && asked !== '01')
    throw refuse('SIM/STOCK-TYPE', `Movement type ${type} takes unrestricted-use stock (01), not ${asked}`);
  return '01';
}

/** Books an issue against its component, or (sign −1) takes a reversed one back. */
function withdraw(component: SapProductionOrderComponent, item: SapMaterialDocumentItem, sign: 1 | -1): void {
  const withdrawn = Number(component.WithdrawnQuantity) + sign * Number(item.QuantityInBaseUnit);
  component.WithdrawnQuantity = Math.max(0, withdrawn).toFixed(3);
  if (item.ReservationIsFinallyIssued) component.ReservationIsFinallyIssued = sign === 1;
}
