import { Inventory } from '@plantbridge/canonical-model';
import type { ErpOrderComponent } from '@plantbridge/erp';
import type { ErpMaterialRecord } from '../master-data/erp-material.entity';
import type { ErpOrderRecord } from '../master-data/erp-order.entity';
import { movementsForConfirmation } from './confirmation-movements';
import type { ProductionConfirmationRecord } from './production-confirmation.entity';

const component = (overrides: Partial<ErpOrderComponent>): ErpOrderComponent => ({
  reservation: '0000012345',
  reservationItem: '0001',
  material: 'RM-100',
  plant: 'P100',
  operation: '0010',
  storageLocation: '0001',
  batch: '',
  requiredQuantity: 200,
  withdrawnQuantity: 0,
  unit: 'PC',
  goodsMovementType: '261',
  backflush: true,
  bulk: false,
  finallyIssued: false,
  markedForDeletion: false,
  ...overrides,
});

const order: ErpOrderRecord = {
  manufacturingOrder: '1000123',
  plant: 'P100',
  material: 'FG-1000',
  totalQuantity: 100,
  unit: 'PC',
  storageLocation: null,
  erpStatus: 'released',
  operations: ['0010', '0020'],
  components: [
    component({}),
    component({
      reservationItem: '0002',
      material: 'RM-200',
      operation: '0020',
      unit: 'KG',
      requiredQuantity: 50,
      batch: 'B7',
    }),
    component({ reservationItem: '0003', material: 'RM-300', operation: '', requiredQuantity: 10 }),
    component({ reservationItem: '0004', material: 'RM-400', bulk: true }),
    component({ reservationItem: '0005', material: 'RM-500', backflush: false }),
    component({ reservationItem: '0006', material: 'RM-600', operation: '0020', batch: '' }),
  ],
  fetchedAt: '2026-11-26T06:00:00.000Z',
};

const material = (m: Partial<ErpMaterialRecord> & { material: string }): ErpMaterialRecord => ({
  plant: 'P100',
  baseUnit: 'PC',
  batchManaged: false,
  postsToInspectionStock: false,
  storageLocations: ['FG01', '0001'],
  fetchedAt: '2026-11-26T06:00:00.000Z',
  ...m,
});

const materials = new Map(
  [
    material({ material: 'FG-1000', postsToInspectionStock: true }),
    material({ material: 'RM-100' }),
    material({ material: 'RM-200', baseUnit: 'KG', batchManaged: true }),
    material({ material: 'RM-600', batchManaged: true }),
  ].map((m) => [m.material, m]),
);

const confirmation = (
  operation: string,
  yieldQuantity: number,
  scrapQuantity = 0,
): ProductionConfirmationRecord => ({
  confirmationKey: `conf-${operation}`,
  plant: 'P100',
  manufacturingOrder: '1000123',
  operation,
  yieldQuantity,
  scrapQuantity,
  unit: 'PC',
  executionEnd: '2026-11-26T08:00:00.000Z',
  movedAt: null,
});

const BOTH = { goodsReceipt: true, backflush: true };

describe('the goods movements a posted confirmation makes', () => {
  it('backflushes the components staged for the operation, in proportion to yield and scrap', () => {
    const { movements } = movementsForConfirmation(confirmation('0010', 20, 5), order, materials, BOTH);
    expect(movements).toEqual([
      expect.objectContaining({
        goodsMovementType: '261',
        material: 'RM-100',
        quantity: 50, // 200 for 100 pieces, 25 confirmed
        reservation: '0000012345',
        reservationItem: '0001',
        storageLocation: '0001',
        confirmationKey: 'conf-0010',
        id: Inventory.movementKeyForConfirmation('conf-0010', 'backflush/0000012345/0001'),
      }),
    ]);
  });

  it("receives the last operation's yield, and backflushes what is staged for it or for no operation", () => {
    const { movements, skipped } = movementsForConfirmation(
      confirmation('0020', 40, 2),
      order,
      materials,
      BOTH,
    );
    expect(movements.map((m) => [m.goodsMovementType, m.material, m.quantity, m.batch])).toEqual([
      ['101', 'FG-1000', 40, null],
      ['261', 'RM-200', 21, 'B7'],
      ['261', 'RM-300', 4.2, null],
    ]);
    expect(movements[0]).toMatchObject({ storageLocation: 'FG01', stockType: 'quality-inspection' });
    // The order's own storage location wins over the material's first.
    const named = movementsForConfirmation(
      confirmation('0020', 1),
      { ...order, storageLocation: 'FG02' },
      materials,
      BOTH,
    );
    expect(named.movements[0]).toMatchObject({ goodsMovementType: '101', storageLocation: 'FG02' });
    // Bulk, not backflushed, and a batch-managed component without a batch: left out.
    expect(skipped).toEqual([expect.objectContaining({ what: expect.stringContaining('RM-600') })]);
  });

  it('makes each movement under a key derived from the confirmation, the same every time', () => {
    const first = movementsForConfirmation(confirmation('0020', 40), order, materials, BOTH).movements;
    const again = movementsForConfirmation(confirmation('0020', 40), order, materials, BOTH).movements;
    expect(again.map((m) => m.id)).toEqual(first.map((m) => m.id));
    expect(new Set(first.map((m) => m.id)).size).toBe(first.length);
  });

  it('does each only when the plant switched it on', () => {
    const receiptOnly = movementsForConfirmation(confirmation('0020', 40), order, materials, {
      goodsReceipt: true,
      backflush: false,
    });
    expect(receiptOnly.movements.map((m) => m.goodsMovementType)).toEqual(['101']);
    const backflushOnly = movementsForConfirmation(confirmation('0020', 40), order, materials, {
      goodsReceipt: false,
      backflush: true,
    });
    expect(backflushOnly.movements.map((m) => m.goodsMovementType)).toEqual(['261', '261']);
  });
});
