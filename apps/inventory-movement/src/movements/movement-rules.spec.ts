import { ConflictException, UnprocessableEntityException } from '@nestjs/common';
import type { ErpMaterialRecord } from '../master-data/erp-material.entity';
import type { ErpOrderRecord } from '../master-data/erp-order.entity';
import {
  assertFitsMaterial,
  assertOrderTakesMovements,
  assertWithinTolerance,
  componentFor,
} from './movement-rules';
import { type MaterialMovementRequest, movementFieldProblems } from './movement.requests';

const material: ErpMaterialRecord = {
  plant: 'P100',
  material: 'RM-200',
  baseUnit: 'KG',
  batchManaged: true,
  postsToInspectionStock: false,
  storageLocations: ['0001', '0002'],
  fetchedAt: '2026-11-26T06:00:00.000Z',
};

const fits = { material: 'RM-200', plant: 'P100', unit: 'KG', batch: 'B1', storageLocations: ['0001'] };

describe('the rules a movement keeps', () => {
  it('names each field the movement type needs or must not have', () => {
    const base = { material: 'RM-100', quantity: 1, unit: 'PC', storageLocation: '0001' };
    const fields = (r: Partial<MaterialMovementRequest>) =>
      movementFieldProblems({ ...base, ...r } as MaterialMovementRequest).map(
        (p) => `${p.field}: ${p.reason}`,
      );
    expect(fields({ movementType: '261' })).toEqual([
      'manufacturingOrder: is required for movement type 261',
    ]);
    expect(fields({ movementType: '311', receivingStorageLocation: '0001' })).toEqual([
      'receivingStorageLocation: must differ from storageLocation',
    ]);
    expect(fields({ movementType: '551', manufacturingOrder: '1' })).toEqual([
      'manufacturingOrder: is only for movement type 261 or 101',
      'reasonCode: is required for movement type 551',
    ]);
    expect(fields({ movementType: '101', manufacturingOrder: '1', reasonCode: '0001' })).toEqual([
      'reasonCode: is only for movement type 551',
    ]);
    expect(fields({ movementType: '311', receivingStorageLocation: '0002' })).toEqual([]);
  });

  it('refuses what does not fit the material master, naming the field', () => {
    expect(() => assertFitsMaterial(material, fits)).not.toThrow();
    const refusal = (input: Partial<typeof fits>, m: ErpMaterialRecord | null = material) => {
      try {
        assertFitsMaterial(m, { ...fits, ...input });
      } catch (error) {
        expect(error).toBeInstanceOf(UnprocessableEntityException);
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal({}, null)).toMatch(/^material: RM-200 is not known at plant P100/);
    expect(refusal({ unit: 'G' })).toMatch(/^unit: G is not the base unit .* \(KG\)/);
    expect(refusal({ batch: undefined })).toMatch(/^batch: .* batch-managed; a batch is required/);
    expect(refusal({}, { ...material, batchManaged: false })).toMatch(/^batch: .* not batch-managed/);
    expect(refusal({ storageLocations: ['0001', '0009'] })).toMatch(
      /^storageLocation: 0009 is not a storage location/,
    );
  });

  const order = {
    manufacturingOrder: '1000123',
    erpStatus: 'released',
    components: [
      { material: 'RM-100', batch: '' },
      { material: 'RM-200', batch: 'B7' },
    ],
  } as unknown as ErpOrderRecord;

  it('finds the component an issue withdraws against, by material and reserved batch, open ones first', () => {
    const twice = {
      ...order,
      components: [
        { material: 'RM-100', batch: '', reservationItem: '0001', requiredQuantity: 5, withdrawnQuantity: 5 },
        { material: 'RM-100', batch: '', reservationItem: '0002', requiredQuantity: 5, withdrawnQuantity: 0 },
      ],
    } as unknown as ErpOrderRecord;
    expect(componentFor(twice, 'RM-100')).toMatchObject({ reservationItem: '0002' });
    expect(componentFor(order, 'RM-100', 'ANY')).toMatchObject({ material: 'RM-100' });
    expect(componentFor(order, 'RM-200', 'B7')).toMatchObject({ material: 'RM-200' });
    expect(() => componentFor(order, 'RM-200', 'B8')).toThrow(
      /batch: B8 is not the batch order 1000123 reserves/,
    );
    expect(() => componentFor(order, 'RM-999')).toThrow(
      /material: RM-999 is not a component .* RM-100, RM-200/,
    );
  });

  it('takes movements only for released orders', () => {
    expect(() => assertOrderTakesMovements(order)).not.toThrow();
    expect(() => assertOrderTakesMovements({ ...order, erpStatus: 'closed' })).toThrow(ConflictException);
  });

  it('allows the order quantity plus tolerance, and not a thousandth more', () => {
    const within = { what: 'x', required: 100, moved: 95, unit: 'PC', tolerancePercent: 10 };
    expect(() => assertWithinTolerance({ ...within, quantity: 15 })).not.toThrow();
    expect(() => assertWithinTolerance({ ...within, quantity: 15.001 })).toThrow(
      /^quantity: x would reach 110.001 PC, .*\(110 PC; 15 PC still open\)/,
    );
  });
});
