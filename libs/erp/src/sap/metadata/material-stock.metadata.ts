import type { EdmProperty, ServiceMetadata } from './edm';

const key = (maxLength: number): EdmProperty => ({ type: 'Edm.String', maxLength, nullable: false });

/**
 * `API_MATERIAL_STOCK_SRV`, the part Plantbridge reads: stock per material, plant, storage location,
 * batch and stock type (`A_MatlStkInAcctMod`, read only). From SAP's `$metadata`: its key has eleven
 * parts, special stock (supplier, customer, sales order, WBS element) among them, so the plant's own
 * stock is the one with an empty `InventorySpecialStockType`; `InventoryStockType` is an Edm.String of
 * 2 (`01` unrestricted use, `02` quality inspection, `07` blocked, …); the quantity is an Edm.Decimal
 * of 31,14 in the material's base unit.
 */
export const MATERIAL_STOCK_METADATA: ServiceMetadata = {
  name: 'API_MATERIAL_STOCK_SRV',
  entitySets: {
    A_MatlStkInAcctMod: {
      entityType: 'A_MatlStkInAcctModType',
      key: [
        'Material',
        'Plant',
        'StorageLocation',
        'Batch',
        'Supplier',
        'Customer',
        'WBSElementInternalID',
        'SDDocument',
        'SDDocumentItem',
        'InventorySpecialStockType',
        'InventoryStockType',
      ],
      creatable: false,
      properties: {
        Material: key(40),
        Plant: key(4),
        StorageLocation: key(4),
        Batch: key(10),
        Supplier: key(10),
        Customer: key(10),
        WBSElementInternalID: key(8),
        SDDocument: key(10),
        SDDocumentItem: key(6),
        InventorySpecialStockType: key(1),
        InventoryStockType: key(2),
        MaterialBaseUnit: { type: 'Edm.String', maxLength: 3 },
        MatlWrhsStkQtyInMatlBaseUnit: { type: 'Edm.Decimal', precision: 31, scale: 14 },
      },
    },
  },
  functionImports: {},
};
