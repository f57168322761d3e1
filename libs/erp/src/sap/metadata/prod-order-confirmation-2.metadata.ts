import type { ServiceMetadata } from './edm';

/**
 * `API_PROD_ORDER_CONFIRMATION_2_SRV`, the part Plantbridge writes: operation confirmations and
 * their cancellation. From SAP's `$metadata`: `ExternalSystemConfirmation` is a nullable Edm.Guid,
 * not part of the key and with no uniqueness rule (SAP takes a second confirmation with the same
 * one); `FinalConfirmationType` an Edm.String of 1 (`''` partial, `'X'` final, `'1'` automatic
 * final); a confirmation is cancelled with the function import `CancelProdnOrdConf` (not `Cancel`,
 * which belongs to the material document service).
 */
export const PROD_ORDER_CONFIRMATION_2_METADATA: ServiceMetadata = {
  name: 'API_PROD_ORDER_CONFIRMATION_2_SRV',
  entitySets: {
    ProdnOrdConf2: {
      entityType: 'ProdnOrdConf2Type',
      key: ['ConfirmationGroup', 'ConfirmationCount'],
      properties: {
        ConfirmationGroup: { type: 'Edm.String', maxLength: 10, nullable: false },
        ConfirmationCount: { type: 'Edm.String', maxLength: 8, nullable: false },
        OrderID: { type: 'Edm.String', maxLength: 12 },
        Sequence: { type: 'Edm.String', maxLength: 6 },
        OrderOperation: { type: 'Edm.String', maxLength: 4 },
        Plant: { type: 'Edm.String', maxLength: 4 },
        ConfirmationText: { type: 'Edm.String', maxLength: 40 },
        FinalConfirmationType: { type: 'Edm.String', maxLength: 1 },
        ConfirmationUnit: { type: 'Edm.String', maxLength: 3 },
        ConfirmationYieldQuantity: { type: 'Edm.Decimal', precision: 13, scale: 3 },
        ConfirmationScrapQuantity: { type: 'Edm.Decimal', precision: 13, scale: 3 },
        ConfirmationReworkQuantity: { type: 'Edm.Decimal', precision: 13, scale: 3 },
        PostingDate: { type: 'Edm.DateTime', precision: 0 },
        ConfirmedExecutionStartDate: { type: 'Edm.DateTime', precision: 0 },
        ConfirmedExecutionStartTime: { type: 'Edm.Time', precision: 0 },
        ConfirmedExecutionEndDate: { type: 'Edm.DateTime', precision: 0 },
        ConfirmedExecutionEndTime: { type: 'Edm.Time', precision: 0 },
        ExternalSystemConfirmation: { type: 'Edm.Guid' },
        IsReversed: { type: 'Edm.Boolean' },
        IsReversal: { type: 'Edm.Boolean' },
      },
    },
  },
  functionImports: {
    CancelProdnOrdConf: {
      httpMethod: 'POST',
      returns: 'ProdnOrdConf2',
      parameters: {
        ConfirmationGroup: { type: 'Edm.String', maxLength: 10, nullable: false },
        ConfirmationCount: { type: 'Edm.String', maxLength: 8, nullable: false },
        PostingDate: { type: 'Edm.DateTime', precision: 0 },
        ConfirmationText: { type: 'Edm.String', maxLength: 40 },
        ExternalSystemConfirmation: { type: 'Edm.Guid' },
      },
    },
  },
};
