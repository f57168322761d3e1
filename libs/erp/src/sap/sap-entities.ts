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
  /** Where the order's output is received (goods receipt); '' when the order names none. */
  StorageLocation?: string;
  MfgOrderPlannedStartDate: string | null;
  MfgOrderPlannedStartTime: string;
  MfgOrderPlannedEndDate: string | null;
  MfgOrderPlannedEndTime: string;
  /** Status flags: Edm.String of 1, `'X'` or `''`, not booleans. */
  OrderIsCreated: string;
  OrderIsReleased: string;
  OrderIsTechnicallyCompleted: string;
  OrderIsClosed: string;
  /** Edm.String of 14: `yyyyMMddHHmmss`, UTC (see `toSapTimestamp`). */
  LastChangeDateTime: string;
  to_ProductionOrderOperation?: { results: SapProductionOrderOperation[] };
}

/** `A_ProductionOrderOperation_2`. */
export interface SapProductionOrderOperation {
  /** The key: the order's routing and its item, not the operation number. */
  OrderInternalBillOfOperations?: string;
  OrderIntBillOfOperationsItem?: string;
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
  /**
   * `''` partial, `'X'` final, `'1'` automatic final (SAP final-confirms the operation by itself
   * once the planned quantity is reached): the plant says when an operation is done, so never `'1'`.
   */
  FinalConfirmationType: '' | 'X';
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

/** `A_ProductionOrderComponent_2`: a component of an order, keyed by its reservation item. */
export interface SapProductionOrderComponent {
  Reservation: string;
  ReservationItem: string;
  Material: string;
  Plant: string;
  ManufacturingOrder: string;
  ManufacturingOrderSequence: string;
  /** The operation it is staged for; `''` when not assigned to one. */
  ManufacturingOrderOperation: string;
  StorageLocation: string;
  Batch: string;
  GoodsMovementType: string;
  BaseUnit: string;
  /** Decimals as strings. */
  RequiredQuantity: string;
  WithdrawnQuantity: string;
  /** Edm.Boolean, unlike the order's `'X'` flags. */
  MatlCompIsMarkedForBackflush: boolean;
  IsBulkMaterialComponent: boolean;
  ReservationIsFinallyIssued: boolean;
  MatlCompIsMarkedForDeletion: boolean;
}
