import type { ErpStockPosition } from '@plantbridge/erp';
import { compare } from './reconcile-stock.usecase';
import type { StockPositionRecord } from './stock-position.entity';

const startedAt = '2026-11-26T08:00:00.000Z';
const position = (overrides: Partial<StockPositionRecord>): StockPositionRecord => ({
  plant: 'P100',
  material: 'RM-100',
  storageLocation: '0001',
  batch: '',
  stockType: 'unrestricted',
  quantity: 10,
  unit: 'PC',
  openedAt: '2026-11-26T07:00:00.000Z',
  updatedAt: '2026-11-26T07:30:00.000Z',
  ...overrides,
});
const erp = (overrides: Partial<ErpStockPosition>): ErpStockPosition => ({
  plant: 'P100',
  material: 'RM-100',
  storageLocation: '0001',
  batch: '',
  stockType: 'unrestricted',
  quantity: 10,
  unit: 'PC',
  ...overrides,
});

describe("the projection against ERP's stock", () => {
  it('reports a position that differs, and not one that differs by floating point only', () => {
    const result = compare(
      [position({ quantity: 10.0000001 }), position({ storageLocation: '0002', quantity: 5 })],
      [erp({}), erp({ storageLocation: '0002', quantity: 3 })],
      new Set(),
      startedAt,
    );
    expect(result.compared).toBe(2);
    expect(result.discrepancies).toEqual([
      expect.objectContaining({
        storageLocation: '0002',
        projectedQuantity: 5,
        erpQuantity: 3,
        difference: -2,
      }),
    ]);
  });

  it("opens a position from ERP's stock the first time, and takes in positions only ERP has", () => {
    const result = compare(
      [position({ openedAt: null, quantity: -4 })],
      [erp({ quantity: 96 }), erp({ batch: 'B1', quantity: 3 })],
      new Set(),
      startedAt,
    );
    expect(result.discrepancies).toEqual([]);
    expect(result.opened.map((p) => [p.batch, p.quantity])).toEqual([
      ['', 96],
      ['B1', 3],
    ]);
  });

  it('leaves out materials with open postings and positions changed while ERP was read', () => {
    const result = compare(
      [position({ quantity: 1 }), position({ material: 'RM-200', quantity: 1, updatedAt: startedAt })],
      [erp({}), erp({ material: 'RM-200' })],
      new Set(['RM-100']),
      startedAt,
    );
    expect(result).toEqual({ opened: [], discrepancies: [], compared: 0 });
  });

  it('counts stock ERP no longer holds as 0', () => {
    const result = compare([position({ quantity: 2 })], [], new Set(), startedAt);
    expect(result.discrepancies).toEqual([expect.objectContaining({ erpQuantity: 0, difference: -2 })]);
  });
});
