import type { EdmProperty, ServiceMetadata } from './edm';

const text = (maxLength: number): EdmProperty => ({ type: 'Edm.String', maxLength });
const key = (maxLength: number): EdmProperty => ({ type: 'Edm.String', maxLength, nullable: false });
const quantity: EdmProperty = { type: 'Edm.Decimal', precision: 13, scale: 3 };
const day: EdmProperty = { type: 'Edm.DateTime', precision: 0 };
const flag: EdmProperty = { type: 'Edm.Boolean' };

/**
 * `API_MATERIAL_DOCUMENT_SRV`, the part Plantbridge writes and reads: goods movements as material
 * documents. From SAP's `$metadata`: a document is created by a deep insert of
 * `A_MaterialDocumentHeader` with its items under `to_MaterialDocumentItem`, and
 * `A_MaterialDocumentItem` on its own is not creatable (`sap:creatable="false"`); neither entity has
 * a field for a sender's key, so duplicates post twice and the item text (`MaterialDocumentItemText`,
 * 50 characters) carries ours; the header text is 25 characters. A document or one item is reversed
 * with the function imports `Cancel` / `CancelItem` (POST; year, number and item are mandatory
 * Edm.String literals, `PostingDate` an optional Edm.DateTime), which answer the reversal.
 */
export const MATERIAL_DOCUMENT_METADATA: ServiceMetadata = {
  name: 'API_MATERIAL_DOCUMENT_SRV',
  entitySets: {
    A_MaterialDocumentHeader: {
      entityType: 'A_MaterialDocumentHeaderType',
      key: ['MaterialDocumentYear', 'MaterialDocument'],
      properties: {
        MaterialDocumentYear: key(4),
        MaterialDocument: key(10),
        InventoryTransactionType: text(2),
        DocumentDate: day,
        PostingDate: day,
        CreationDate: day,
        CreationTime: { type: 'Edm.Time', precision: 0 },
        CreatedByUser: text(12),
        MaterialDocumentHeaderText: text(25),
        ReferenceDocument: text(16),
        GoodsMovementCode: text(2),
      },
      navigation: { to_MaterialDocumentItem: 'A_MaterialDocumentItem' },
    },
    A_MaterialDocumentItem: {
      entityType: 'A_MaterialDocumentItemType',
      key: ['MaterialDocumentYear', 'MaterialDocument', 'MaterialDocumentItem'],
      creatable: false,
      properties: {
        MaterialDocumentYear: key(4),
        MaterialDocument: key(10),
        MaterialDocumentItem: key(4),
        Material: text(40),
        Plant: text(4),
        StorageLocation: text(4),
        Batch: text(10),
        GoodsMovementType: text(3),
        InventoryStockType: text(2),
        InventorySpecialStockType: text(1),
        ManufacturingOrder: text(12),
        ManufacturingOrderItem: text(4),
        GoodsMovementRefDocType: text(1),
        GoodsMovementReasonCode: text(4),
        MaterialBaseUnit: text(3),
        QuantityInBaseUnit: quantity,
        EntryUnit: text(3),
        QuantityInEntryUnit: quantity,
        IssuingOrReceivingPlant: text(4),
        IssuingOrReceivingStorageLoc: text(4),
        MaterialDocumentItemText: text(50),
        Reservation: text(10),
        ReservationItem: text(4),
        ReservationIsFinallyIssued: flag,
        GoodsMovementIsCancelled: flag,
        ReversedMaterialDocumentYear: text(4),
        ReversedMaterialDocument: text(10),
        ReversedMaterialDocumentItem: text(4),
        DebitCreditCode: text(1),
      },
    },
  },
  functionImports: {
    Cancel: {
      httpMethod: 'POST',
      returns: 'A_MaterialDocumentHeader',
      parameters: { MaterialDocumentYear: key(4), MaterialDocument: key(10), PostingDate: day },
    },
    CancelItem: {
      httpMethod: 'POST',
      returns: 'A_MaterialDocumentItem',
      parameters: {
        MaterialDocumentYear: key(4),
        MaterialDocument: key(10),
        MaterialDocumentItem: key(4),
        PostingDate: day,
      },
    },
  },
};
