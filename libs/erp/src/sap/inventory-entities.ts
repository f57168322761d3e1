/**
 * The SAP S/4HANA OData V2 entities of inventory management the adapter reads and writes, with SAP's
 * field names: material documents (`API_MATERIAL_DOCUMENT_SRV`), stock (`API_MATERIAL_STOCK_SRV`)
 * and material master data (`API_PRODUCT_SRV`). Only the fields Plantbridge uses are listed.
 */

/** The OData services (the ERP endpoints, each with its in-flight limit) by name, and their paths. */
export const MATERIAL_DOCUMENT_ENDPOINT = 'API_MATERIAL_DOCUMENT_SRV';
export const MATERIAL_STOCK_ENDPOINT = 'API_MATERIAL_STOCK_SRV';
export const PRODUCT_ENDPOINT = 'API_PRODUCT_SRV';
export const MATERIAL_DOCUMENT_SERVICE = `/sap/opu/odata/sap/${MATERIAL_DOCUMENT_ENDPOINT}`;
export const MATERIAL_STOCK_SERVICE = `/sap/opu/odata/sap/${MATERIAL_STOCK_ENDPOINT}`;
export const PRODUCT_SERVICE = `/sap/opu/odata/sap/${PRODUCT_ENDPOINT}`;

/**
 * `GoodsMovementCode`, the transaction a material document is posted as: `02` goods receipt for a
 * production order, `03` goods issue, `04` transfer posting (SAP's codes of BAPI_GOODSMVT_CREATE,
 * which the service takes as they are).
 */
export type SapGoodsMovementCode = '02' | '03' | '04';

/** `A_MaterialDocumentItem`: what the adapter sends inside the header's deep insert. */
export interface SapMaterialDocumentItemCreate {
  Material: string;
  Plant: string;
  StorageLocation: string;
  Batch?: string;
  GoodsMovementType: string;
  /** `F` (production order) for movements against an order. */
  GoodsMovementRefDocType?: string;
  ManufacturingOrder?: string;
  /** The order item a receipt goes to: `0001` for an order with one output. */
  ManufacturingOrderItem?: string;
  Reservation?: string;
  ReservationItem?: string;
  GoodsMovementReasonCode?: string;
  IssuingOrReceivingPlant?: string;
  IssuingOrReceivingStorageLoc?: string;
  EntryUnit: string;
  /** Decimal as a string, SAP's 3 decimals. */
  QuantityInEntryUnit: string;
  /** 50 characters: Plantbridge's posting key, `PB:<uuid>`. */
  MaterialDocumentItemText: string;
}

/** `A_MaterialDocumentHeader`: the deep insert the adapter sends, one item per document. */
export interface SapMaterialDocumentCreate {
  GoodsMovementCode: SapGoodsMovementCode;
  /** The plant's calendar day, `/Date(midnight UTC)/`. */
  PostingDate: string;
  DocumentDate: string;
  /** 25 characters. */
  MaterialDocumentHeaderText: string;
  to_MaterialDocumentItem: SapMaterialDocumentItemCreate[];
}

/** `A_MaterialDocumentItem` as SAP answers and lists it. */
export interface SapMaterialDocumentItem {
  MaterialDocumentYear: string;
  MaterialDocument: string;
  MaterialDocumentItem: string;
  Material: string;
  Plant: string;
  StorageLocation: string;
  Batch: string;
  GoodsMovementType: string;
  InventoryStockType: string;
  InventorySpecialStockType: string;
  ManufacturingOrder: string;
  ManufacturingOrderItem: string;
  GoodsMovementRefDocType: string;
  GoodsMovementReasonCode: string;
  MaterialBaseUnit: string;
  QuantityInBaseUnit: string;
  EntryUnit: string;
  QuantityInEntryUnit: string;
  IssuingOrReceivingPlant: string;
  IssuingOrReceivingStorageLoc: string;
  MaterialDocumentItemText: string;
  Reservation: string;
  ReservationItem: string;
  ReservationIsFinallyIssued: boolean;
  GoodsMovementIsCancelled: boolean;
  /** Set on a reversal's item: the item it reverses. */
  ReversedMaterialDocumentYear: string;
  ReversedMaterialDocument: string;
  ReversedMaterialDocumentItem: string;
  /** `S` debit (into stock), `H` credit (out of it). */
  DebitCreditCode: string;
}

/** `A_MaterialDocumentHeader` as SAP answers it, with the items when created or expanded. */
export interface SapMaterialDocumentHeader {
  MaterialDocumentYear: string;
  MaterialDocument: string;
  InventoryTransactionType: string;
  DocumentDate: string | null;
  PostingDate: string | null;
  CreationDate: string | null;
  CreationTime: string;
  CreatedByUser: string;
  MaterialDocumentHeaderText: string;
  ReferenceDocument: string;
  GoodsMovementCode: string;
  to_MaterialDocumentItem?: { results: SapMaterialDocumentItem[] };
}

/** `A_MatlStkInAcctMod`: stock of one material, plant, storage location, batch and stock type. */
export interface SapMaterialStock {
  Material: string;
  Plant: string;
  StorageLocation: string;
  Batch: string;
  Supplier: string;
  Customer: string;
  WBSElementInternalID: string;
  SDDocument: string;
  SDDocumentItem: string;
  /** `''` for the plant's own stock; `K` consignment, `E` sales order stock, `Q` project stock, … */
  InventorySpecialStockType: string;
  /** `01` unrestricted use, `02` quality inspection, `07` blocked, … */
  InventoryStockType: string;
  MaterialBaseUnit: string;
  /** Edm.Decimal 31,14 as a string. */
  MatlWrhsStkQtyInMatlBaseUnit: string;
}

/** `A_ProductStorageLocation`: a material extended to a storage location of a plant. */
export interface SapProductStorageLocation {
  Product: string;
  Plant: string;
  StorageLocation: string;
  IsMarkedForDeletion: boolean;
}

/** `A_ProductPlant`: a material at a plant. Its flags are Edm.Boolean. */
export interface SapProductPlant {
  Product: string;
  Plant: string;
  BaseUnit: string;
  IsBatchManagementRequired: boolean;
  HasPostToInspectionStock: boolean;
  IsMarkedForDeletion: boolean;
  to_StorageLocation?: { results: SapProductStorageLocation[] };
}
