/** A production order as the plant needs it from ERP (SAP `A_ProductionOrder_2` with its operations). */
export interface ErpOrder {
  manufacturingOrder: string;
  plant: string;
  material: string;
  totalQuantity: number;
  unit: string;
  /** Where the order's output is received (SAP `StorageLocation` of the order), if it names one. */
  storageLocation?: string;
  scheduledStart: string;
  scheduledEnd: string;
  status: ErpOrderStatus;
  operations: ErpOperation[];
  /** When ERP last changed the order; the release poller's watermark. */
  lastChangedAt: string;
}

export type ErpOrderStatus = 'created' | 'released' | 'technically-completed' | 'closed';

export interface ErpOperation {
  operation: string;
  /** SAP routing sequence; `0` for the standard sequence. */
  sequence: string;
  workCenter: string;
  description?: string;
  plannedQuantity?: number;
}

/** One operation confirmation to post (SAP `ProdnOrdConf2`). */
export interface ConfirmationPosting {
  /** The business idempotency key, a UUID: SAP's `ExternalSystemConfirmation`. */
  externalKey: string;
  manufacturingOrder: string;
  operation: string;
  sequence?: string;
  yieldQuantity: number;
  scrapQuantity: number;
  reworkQuantity: number;
  unit: string;
  finalConfirmation: boolean;
  executionStart: string;
  executionEnd: string;
  postingDate?: string;
}

/** ERP's document for a posted confirmation. */
export interface PostedConfirmation {
  externalKey: string;
  confirmationGroup: string;
  confirmationCount: string;
  /** True when this was found already posted, not posted by this call. */
  alreadyPosted: boolean;
}

/*
 * What Plantbridge services need from an ERP, one port per capability, so a service injects only
 * what it uses and a test fake implements only that. Adapters (SAP S/4HANA OData first) implement
 * them and throw the errors of `./errors`, so callers decide retry, in-doubt resolution and
 * exception handling the same way whatever the ERP. A writing capability is a post and a find by
 * its business key: the find is how an in-doubt posting is resolved.
 */

/** Production orders released to the plant. */
export abstract class ProductionOrdersPort {
  /** Orders released to a plant and changed at or after `changedSince` (all when absent). */
  abstract listReleasedOrders(plant: string, changedSince?: string): Promise<ErpOrder[]>;

  /** One order with its operations, or undefined when ERP does not know it. */
  abstract getOrder(manufacturingOrder: string): Promise<ErpOrder | undefined>;
}

/** Operation confirmations. */
export abstract class ConfirmationsPort {
  /**
   * Posts a confirmation. Throws ErpInDoubtError when the request may have been applied (timeout,
   * dropped connection): look it up with `findConfirmation` before posting again.
   */
  abstract postConfirmation(posting: ConfirmationPosting): Promise<PostedConfirmation>;

  /** The confirmation posted under this external key, if any: how an in-doubt posting is resolved. */
  abstract findConfirmation(externalKey: string): Promise<PostedConfirmation | undefined>;
}

/** How the connection to ERP is doing, for status pages and metrics. */
export abstract class ErpConnectionPort {
  /** The circuit breaker: closed (calls go), open (refused at once), half-open (one trial call). */
  abstract get circuit(): string;

  /** Each endpoint's in-flight limit and load. */
  abstract endpointLoad(): Array<{
    endpoint: string;
    maxInFlight: number;
    inFlight: number;
    waiting: number;
  }>;
}

/**
 * The goods movement types Plantbridge posts (SAP `GoodsMovementType`): 261 issue to a production
 * order, 101 receipt from one, 311 transfer between storage locations of a plant, 551 scrap.
 */
export type GoodsMovementType = '101' | '261' | '311' | '551';

/**
 * One goods movement to post: one SAP material document with one item (a deep insert of
 * `A_MaterialDocumentHeader` with `to_MaterialDocumentItem`).
 */
export interface GoodsMovementPosting {
  /**
   * The business idempotency key, a UUID. SAP gives material documents no key field and accepts
   * duplicates, so the adapter writes it into the item text (`MaterialDocumentItemText`) and finds
   * the document by it (`findGoodsMovement`).
   */
  postingKey: string;
  goodsMovementType: GoodsMovementType;
  material: string;
  plant: string;
  storageLocation: string;
  /** The receiving storage location of a transfer (311). */
  receivingStorageLocation?: string;
  batch?: string;
  /** In the material's base unit; SAP's 3 decimals. */
  quantity: number;
  unit: string;
  /** The order of a 261 or 101 (a 101 with `GoodsMovementRefDocType` F, SAP's receipt for an order). */
  manufacturingOrder?: string;
  /** The order component's reservation an issue withdraws against. */
  reservation?: string;
  reservationItem?: string;
  /** SAP `GoodsMovementReasonCode` (4 characters), e.g. for scrap. */
  reasonCode?: string;
  /** An instant; SAP gets the plant's calendar day of it. */
  postingDate: string;
}

/** ERP's document for a posted goods movement (or a reversal). */
export interface PostedGoodsMovement {
  postingKey: string;
  materialDocument: string;
  materialDocumentYear: string;
  materialDocumentItem: string;
  /** True when this was found already posted, not posted by this call. */
  alreadyPosted: boolean;
}

/** A posted material document item, as its key. */
export interface MaterialDocumentItemRef {
  materialDocument: string;
  materialDocumentYear: string;
  materialDocumentItem: string;
}

/** Reverses one posted material document item (SAP's `CancelItem`). */
export interface GoodsMovementReversal {
  /** The reversal's own idempotency key (SAP's `CancelItem` takes no text: it is found by `original`). */
  postingKey: string;
  original: MaterialDocumentItemRef;
  /** An instant; SAP gets the plant's calendar day of it. */
  postingDate?: string;
}

/** Goods movements (SAP `API_MATERIAL_DOCUMENT_SRV`). */
export abstract class GoodsMovementsPort {
  /**
   * Posts the movement as a material document. Throws ErpInDoubtError when ERP may have applied it:
   * look it up with `findGoodsMovement` before posting again. A deficit of stock (M7 021) or a
   * closed posting period (M7 053) is an ErpBusinessError; a lock by another user is transient.
   */
  abstract postGoodsMovement(posting: GoodsMovementPosting): Promise<PostedGoodsMovement>;

  /** The material document posted under this key (from its item text), if any. */
  abstract findGoodsMovement(postingKey: string): Promise<PostedGoodsMovement | undefined>;

  /** Reverses a posted item (SAP `CancelItem`): ERP's reversal document. */
  abstract reverseGoodsMovement(reversal: GoodsMovementReversal): Promise<PostedGoodsMovement>;

  /** The reversal of this item, if ERP holds one (`ReversedMaterialDocument…` of an item). */
  abstract findReversal(
    postingKey: string,
    original: MaterialDocumentItemRef,
  ): Promise<PostedGoodsMovement | undefined>;
}

/** SAP's stock types (`InventoryStockType`): 01 unrestricted use, 02 quality inspection, 07 blocked. */
export type StockType = 'unrestricted' | 'quality-inspection' | 'blocked';

/** Stock of one material, plant, storage location, batch and stock type (SAP `A_MatlStkInAcctMod`). */
export interface ErpStockPosition {
  material: string;
  plant: string;
  storageLocation: string;
  /** '' for a material without batches. */
  batch: string;
  stockType: StockType;
  quantity: number;
  unit: string;
}

/** Stock as ERP holds it (SAP `API_MATERIAL_STOCK_SRV`, read only). */
export abstract class StockPort {
  /** Every stock position of the plant, of the listed materials only when given. */
  abstract listStock(plant: string, materials?: string[]): Promise<ErpStockPosition[]>;
}

/** A material at a plant as goods movements need it (SAP `A_ProductPlant` with its storage locations). */
export interface ErpMaterial {
  material: string;
  plant: string;
  baseUnit: string;
  batchManaged: boolean;
  /** Receipts from production go to quality inspection stock (`HasPostToInspectionStock`). */
  postsToInspectionStock: boolean;
  /** The storage locations the material is extended to at the plant. */
  storageLocations: string[];
}

/** Material master data (SAP `API_PRODUCT_SRV`, read only). */
export abstract class MaterialMasterPort {
  /** The material at the plant, or undefined when ERP does not know it there. */
  abstract getMaterial(material: string, plant: string): Promise<ErpMaterial | undefined>;
}

/** A component of a production order (SAP `A_ProductionOrderComponent_2`, read only). */
export interface ErpOrderComponent {
  reservation: string;
  reservationItem: string;
  material: string;
  plant: string;
  /** The operation it is staged for ('' when not assigned). */
  operation: string;
  storageLocation: string;
  batch: string;
  requiredQuantity: number;
  withdrawnQuantity: number;
  /** The component's base unit. */
  unit: string;
  goodsMovementType: string;
  backflush: boolean;
  bulk: boolean;
  finallyIssued: boolean;
  markedForDeletion: boolean;
}

/** The components of production orders. */
export abstract class OrderComponentsPort {
  /** The order's components; empty when it has none or ERP does not know the order. */
  abstract listOrderComponents(manufacturingOrder: string): Promise<ErpOrderComponent[]>;
}
