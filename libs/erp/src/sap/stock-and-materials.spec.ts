import type { SapMaterialStock } from './inventory-entities';
import { stockFilter, toErpMaterial, toErpOrderComponent, toErpStockPosition } from './stock-and-materials';

const row = (overrides: Partial<SapMaterialStock> = {}): SapMaterialStock => ({
  Material: 'RM-100',
  Plant: 'P100',
  StorageLocation: '0001',
  Batch: '',
  Supplier: '',
  Customer: '',
  WBSElementInternalID: '00000000',
  SDDocument: '',
  SDDocumentItem: '000000',
  InventorySpecialStockType: '',
  InventoryStockType: '01',
  MaterialBaseUnit: 'PC',
  MatlWrhsStkQtyInMatlBaseUnit: '125.50000000000000',
  ...overrides,
});

describe('stock and master data from SAP', () => {
  it("reads SAP's stock types 01, 02 and 07 and skips the others and special stock", () => {
    expect(toErpStockPosition(row())).toEqual({
      material: 'RM-100',
      plant: 'P100',
      storageLocation: '0001',
      batch: '',
      stockType: 'unrestricted',
      quantity: 125.5,
      unit: 'PC',
    });
    expect(toErpStockPosition(row({ InventoryStockType: '02' }))?.stockType).toBe('quality-inspection');
    expect(toErpStockPosition(row({ InventoryStockType: '07' }))?.stockType).toBe('blocked');
    // 03 returns, 06 stock in transit: not the plant's to move.
    expect(toErpStockPosition(row({ InventoryStockType: '03' }))).toBeUndefined();
    expect(toErpStockPosition(row({ InventoryStockType: '06' }))).toBeUndefined();
    // Consignment stock belongs to the supplier.
    expect(
      toErpStockPosition(row({ InventorySpecialStockType: 'K', Supplier: '0000100001' })),
    ).toBeUndefined();
  });

  it("asks for the plant's own stock, of some materials only when given", () => {
    expect(stockFilter('P100')).toBe("Plant eq 'P100' and InventorySpecialStockType eq ''");
    expect(stockFilter('P100', ['RM-100', "O'BRIEN"])).toBe(
      "Plant eq 'P100' and InventorySpecialStockType eq '' and (Material eq 'RM-100' or Material eq 'O''BRIEN')",
    );
  });

  it('reads a material at a plant with the storage locations not marked for deletion', () => {
    expect(
      toErpMaterial({
        Product: 'RM-200',
        Plant: 'P100',
        BaseUnit: 'KG',
        IsBatchManagementRequired: true,
        HasPostToInspectionStock: false,
        IsMarkedForDeletion: false,
        to_StorageLocation: {
          results: [
            { Product: 'RM-200', Plant: 'P100', StorageLocation: '0001', IsMarkedForDeletion: false },
            { Product: 'RM-200', Plant: 'P100', StorageLocation: '0009', IsMarkedForDeletion: true },
          ],
        },
      }),
    ).toEqual({
      material: 'RM-200',
      plant: 'P100',
      baseUnit: 'KG',
      batchManaged: true,
      postsToInspectionStock: false,
      storageLocations: ['0001'],
    });
  });

  it("reads an order component's quantities and Edm.Boolean flags", () => {
    expect(
      toErpOrderComponent({
        Reservation: '0000000001',
        ReservationItem: '0002',
        Material: 'RM-200',
        Plant: 'P100',
        ManufacturingOrder: '1000001',
        ManufacturingOrderSequence: '0',
        ManufacturingOrderOperation: '0020',
        StorageLocation: '0001',
        Batch: '',
        GoodsMovementType: '261',
        BaseUnit: 'KG',
        RequiredQuantity: '50.000',
        WithdrawnQuantity: '12.500',
        MatlCompIsMarkedForBackflush: false,
        IsBulkMaterialComponent: false,
        ReservationIsFinallyIssued: false,
        MatlCompIsMarkedForDeletion: true,
      }),
    ).toEqual({
      reservation: '0000000001',
      reservationItem: '0002',
      material: 'RM-200',
      plant: 'P100',
      operation: '0020',
      storageLocation: '0001',
      batch: '',
      requiredQuantity: 50,
      withdrawnQuantity: 12.5,
      unit: 'KG',
      goodsMovementType: '261',
      backflush: false,
      bulk: false,
      finallyIssued: false,
      markedForDeletion: true,
    });
  });
});
