import type { ServiceMetadata } from './edm';

/**
 * `API_PRODUCTION_ORDER_2_SRV`, the part Plantbridge reads: released orders with their operations,
 * and their components. From SAP's `$metadata`: status flags and `LastChangeDateTime` are Edm.String
 * (`'X'`/`''`, `yyyyMMddHHmmss`), dates Edm.DateTime and times Edm.Time without a zone, quantities
 * Edm.Decimal 13,3; an operation's key is its routing (`OrderInternalBillOfOperations`, `…Item`), not
 * its number; a component's key is its reservation item (`Reservation`, `ReservationItem`), its
 * flags Edm.Boolean, and it is read only (issued with a material document, movement type 261).
 */
export const PRODUCTION_ORDER_2_METADATA: ServiceMetadata = {
  name: 'API_PRODUCTION_ORDER_2_SRV',
  entitySets: {
    A_ProductionOrder_2: {
      entityType: 'A_ProductionOrder_2Type',
      key: ['ManufacturingOrder'],
      properties: {
        ManufacturingOrder: { type: 'Edm.String', maxLength: 12, nullable: false },
        ManufacturingOrderType: { type: 'Edm.String', maxLength: 4 },
        ProductionPlant: { type: 'Edm.String', maxLength: 4 },
        Material: { type: 'Edm.String', maxLength: 40 },
        TotalQuantity: { type: 'Edm.Decimal', precision: 13, scale: 3 },
        ProductionUnit: { type: 'Edm.String', maxLength: 3 },
        StorageLocation: { type: 'Edm.String', maxLength: 4 },
        MfgOrderPlannedStartDate: { type: 'Edm.DateTime', precision: 0 },
        MfgOrderPlannedStartTime: { type: 'Edm.Time', precision: 0 },
        MfgOrderPlannedEndDate: { type: 'Edm.DateTime', precision: 0 },
        MfgOrderPlannedEndTime: { type: 'Edm.Time', precision: 0 },
        OrderIsCreated: { type: 'Edm.String', maxLength: 1 },
        OrderIsReleased: { type: 'Edm.String', maxLength: 1 },
        OrderIsTechnicallyCompleted: { type: 'Edm.String', maxLength: 1 },
        OrderIsClosed: { type: 'Edm.String', maxLength: 1 },
        LastChangeDateTime: { type: 'Edm.String', maxLength: 14 },
      },
      navigation: { to_ProductionOrderOperation: 'A_ProductionOrderOperation_2' },
    },
    A_ProductionOrderOperation_2: {
      entityType: 'A_ProductionOrderOperation_2Type',
      key: ['OrderInternalBillOfOperations', 'OrderIntBillOfOperationsItem'],
      creatable: false,
      properties: {
        OrderInternalBillOfOperations: { type: 'Edm.String', maxLength: 10, nullable: false },
        OrderIntBillOfOperationsItem: { type: 'Edm.String', maxLength: 8, nullable: false },
        ManufacturingOrder: { type: 'Edm.String', maxLength: 12 },
        ManufacturingOrderSequence: { type: 'Edm.String', maxLength: 6 },
        ManufacturingOrderOperation: { type: 'Edm.String', maxLength: 4 },
        MfgOrderOperationText: { type: 'Edm.String', maxLength: 40 },
        WorkCenter: { type: 'Edm.String', maxLength: 8 },
        OpPlannedTotalQuantity: { type: 'Edm.Decimal', precision: 13, scale: 3 },
        OperationUnit: { type: 'Edm.String', maxLength: 3 },
      },
    },
    A_ProductionOrderComponent_2: {
      entityType: 'A_ProductionOrderComponent_2Type',
      key: ['Reservation', 'ReservationItem'],
      creatable: false,
      properties: {
        Reservation: { type: 'Edm.String', maxLength: 10, nullable: false },
        ReservationItem: { type: 'Edm.String', maxLength: 4, nullable: false },
        Material: { type: 'Edm.String', maxLength: 40 },
        Plant: { type: 'Edm.String', maxLength: 4 },
        ManufacturingOrder: { type: 'Edm.String', maxLength: 12 },
        ManufacturingOrderSequence: { type: 'Edm.String', maxLength: 6 },
        ManufacturingOrderOperation: { type: 'Edm.String', maxLength: 4 },
        StorageLocation: { type: 'Edm.String', maxLength: 4 },
        Batch: { type: 'Edm.String', maxLength: 10 },
        GoodsMovementType: { type: 'Edm.String', maxLength: 3 },
        BaseUnit: { type: 'Edm.String', maxLength: 3 },
        RequiredQuantity: { type: 'Edm.Decimal', precision: 13, scale: 3 },
        WithdrawnQuantity: { type: 'Edm.Decimal', precision: 13, scale: 3 },
        MatlCompIsMarkedForBackflush: { type: 'Edm.Boolean' },
        IsBulkMaterialComponent: { type: 'Edm.Boolean' },
        ReservationIsFinallyIssued: { type: 'Edm.Boolean' },
        MatlCompIsMarkedForDeletion: { type: 'Edm.Boolean' },
      },
    },
  },
  functionImports: {},
};
