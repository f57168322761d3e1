import { toErpOrder, toSapConfirmation } from './sap-erp-adapter';
import type { SapProductionOrder } from './sap-entities';

const posting = {
  externalKey: '0192f0c1-7d4e-7a3b-9c1d-2e3f4a5b6c7d',
  manufacturingOrder: '1000123',
  operation: '0010',
  yieldQuantity: 5,
  scrapQuantity: 0,
  reworkQuantity: 0,
  unit: 'PC',
  finalConfirmation: false,
  executionStart: '2026-11-26T06:00:00Z',
  executionEnd: '2026-11-26T07:00:00Z',
};

describe('SAP field values', () => {
  it("sends a partial confirmation with FinalConfirmationType '' (SAP's '1' is automatic final)", () => {
    // With '1', SAP final-confirmed the operation by itself once the planned quantity was reached.
    expect(toSapConfirmation(posting).FinalConfirmationType).toBe('');
    expect(toSapConfirmation({ ...posting, finalConfirmation: true }).FinalConfirmationType).toBe('X');
  });

  it("reads SAP's status flags as 'X' or '' and LastChangeDateTime as yyyyMMddHHmmss", () => {
    const order: SapProductionOrder = {
      ManufacturingOrder: '1000123',
      ManufacturingOrderType: 'YBM1',
      ProductionPlant: 'P100',
      Material: 'FG-1000',
      TotalQuantity: '100.000',
      ProductionUnit: 'PC',
      MfgOrderPlannedStartDate: null,
      MfgOrderPlannedStartTime: 'PT00H00M00S',
      MfgOrderPlannedEndDate: null,
      MfgOrderPlannedEndTime: 'PT00H00M00S',
      OrderIsCreated: 'X',
      OrderIsReleased: 'X',
      OrderIsTechnicallyCompleted: '',
      OrderIsClosed: '',
      LastChangeDateTime: '20261126064005',
    };
    expect(toErpOrder(order)).toMatchObject({
      status: 'released',
      lastChangedAt: '2026-11-26T06:40:05.000Z',
    });
    expect(toErpOrder({ ...order, OrderIsClosed: 'X' }).status).toBe('closed');
    expect(toErpOrder({ ...order, OrderIsReleased: '' }).status).toBe('created');
  });
});
