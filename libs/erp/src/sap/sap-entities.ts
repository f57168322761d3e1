/**
 * The SAP S/4HANA OData V2 entities the adapter reads and writes, with SAP's field names. Only the
 * fields Plantbridge uses are listed; SAP sends many more.
 */

/** The OData services (the ERP endpoints, each with its in-flight limit) by name, and their paths. */
export const PRODUCTION_ORDER_ENDPOINT = 'API_PRODUCTION_ORDER_2_SRV';
export const CONFIRMATION_ENDPOINT = 'API_PROD_ORDER_CONFIRMATION_2_SRV';
export const PRODUCTION_ORDER_SERVICE = `/sap/opu/odata/sap/${PRODUCTION_ORDER_ENDPOINT}`;
export const CONFIRMATION_SERVICE = `/sap/opu/odata/sap/${CONFIRMATION_ENDPOINT}`;

/** `A_ProductionOrder_2`. */
export interface SapProductionOrder {
  ManufacturingOrder: string;
  ManufacturingOrderType: string;
  ProductionPlant: string;
  Material: string;
  /** Decimal as a string, e.g. "100.000". */
  TotalQuantity: string;
  ProductionUnit: string;
  MfgOrderPlannedStartDate: string | null;
  MfgOrderPlannedStartTime: string;
  MfgOrderPlannedEndDate: string | null;
  MfgOrderPlannedEndTime: string;
  OrderIsCreated: boolean;
  OrderIsReleased: boolean;
  OrderIsTechnicallyCompleted: boolean;
  OrderIsClosed: boolean;
  /** Edm.DateTimeOffset: `/Date(1764146400000+0000)/`. */
  LastChangeDateTime: string;
  to_ProductionOrderOperation?: { results: SapProductionOrderOperation[] };
}

/** `A_ProductionOrderOperation_2`. */
export interface SapProductionOrderOperation {
  ManufacturingOrder: string;
  ManufacturingOrderSequence: string;
  ManufacturingOrderOperation: string;
  MfgOrderOperationText: string;
  WorkCenter: string;
  OpPlannedTotalQuantity: string;
  OperationUnit: string;
}

/** `ProdnOrdConf2`: what the adapter sends. */
export interface SapConfirmationCreate {
  OrderID: string;
  Sequence: string;
  OrderOperation: string;
  ConfirmationYieldQuantity: string;
  ConfirmationScrapQuantity: string;
  ConfirmationReworkQuantity: string;
  ConfirmationUnit: string;
  /** `X` final confirmation, `1` partial. */
  FinalConfirmationType: 'X' | '1';
  PostingDate: string;
  ConfirmedExecutionStartDate: string;
  ConfirmedExecutionStartTime: string;
  ConfirmedExecutionEndDate: string;
  ConfirmedExecutionEndTime: string;
  /** Edm.Guid: the sender's idempotency key. */
  ExternalSystemConfirmation: string;
}

/** `ProdnOrdConf2`: what SAP answers and lists (create fields plus the document key). */
export interface SapConfirmation extends SapConfirmationCreate {
  ConfirmationGroup: string;
  ConfirmationCount: string;
  IsReversed: boolean;
  IsReversal: boolean;
}
