import fc from 'fast-check';
import type { MaterialMovementRecord } from '../movements/material-movement.entity';
import { stockEffectsOf } from './stock-effects';

const base: MaterialMovementRecord = {
  id: 'm1',
  plant: 'P100',
  movementKind: 'goods-issue',
  goodsMovementType: '261',
  material: 'RM-100',
  storageLocation: '0001',
  receivingStorageLocation: null,
  batch: null,
  quantity: 5,
  unit: 'PC',
  stockType: 'unrestricted',
  manufacturingOrder: '1000123',
  reservation: null,
  reservationItem: null,
  movementReason: null,
  reversesMovementKey: null,
  confirmationKey: null,
  occurredAt: '2026-11-26T07:00:00.000Z',
  source: 'mes',
  sourceRef: 'k',
  acceptedAt: '2026-11-26T07:00:00.000Z',
};

const net = (effects: ReturnType<typeof stockEffectsOf>) => {
  const byPosition = new Map<string, number>();
  for (const e of effects) {
    const key = `${e.storageLocation}/${e.batch}/${e.stockType}`;
    byPosition.set(key, (byPosition.get(key) ?? 0) + e.quantity);
  }
  return byPosition;
};

describe('how a posted movement changes stock', () => {
  it('books each movement type as SAP does', () => {
    expect(
      stockEffectsOf({ ...base, goodsMovementType: '101', stockType: 'quality-inspection', batch: 'B1' }),
    ).toEqual([
      {
        material: 'RM-100',
        storageLocation: '0001',
        batch: 'B1',
        stockType: 'quality-inspection',
        quantity: 5,
        unit: 'PC',
      },
    ]);
    expect(stockEffectsOf(base)).toEqual([
      expect.objectContaining({ quantity: -5, stockType: 'unrestricted' }),
    ]);
    expect(stockEffectsOf({ ...base, goodsMovementType: '551' })).toEqual([
      expect.objectContaining({ quantity: -5 }),
    ]);
    expect(stockEffectsOf({ ...base, goodsMovementType: '311', receivingStorageLocation: '0002' })).toEqual([
      expect.objectContaining({ storageLocation: '0001', quantity: -5 }),
      expect.objectContaining({ storageLocation: '0002', quantity: 5 }),
    ]);
  });

  it('a transfer keeps the total and a reversal undoes its movement, for every movement', () => {
    const movement = fc.record({
      goodsMovementType: fc.constantFrom('101', '261', '311', '551'),
      quantity: fc.integer({ min: 1, max: 10_000_000 }).map((n) => n / 1000),
      stockType: fc.constantFrom('unrestricted' as const, 'quality-inspection' as const),
      batch: fc.option(fc.constantFrom('B1', 'B2'), { nil: null }),
    });
    fc.assert(
      fc.property(movement, (m) => {
        const original = {
          ...base,
          ...m,
          receivingStorageLocation: m.goodsMovementType === '311' ? '0002' : null,
        };
        const reversal = {
          ...original,
          id: 'm2',
          goodsMovementType: String(Number(m.goodsMovementType) + 1),
          reversesMovementKey: 'm1',
        };
        const both = [...stockEffectsOf(original), ...stockEffectsOf(reversal, original)];
        for (const quantity of net(both).values()) expect(quantity).toBeCloseTo(0, 9);
        if (m.goodsMovementType === '311') {
          const total = stockEffectsOf(original).reduce((sum, e) => sum + e.quantity, 0);
          expect(total).toBeCloseTo(0, 9);
        }
      }),
    );
  });

  it('refuses a reversal whose original it is not given', () => {
    expect(() => stockEffectsOf({ ...base, goodsMovementType: '262', reversesMovementKey: 'm0' })).toThrow(
      /not known/,
    );
  });
});
