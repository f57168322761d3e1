import type { SapConfirmationCreate } from '@plantbridge/erp';
import { ErpStore } from './store';

const confirmation = (order: string, key: string): SapConfirmationCreate => ({
  OrderID: order,
  Sequence: '0',
  OrderOperation: '0010',
  ConfirmationUnit: 'PC',
  ConfirmationYieldQuantity: '1',
  ConfirmationScrapQuantity: '0',
  ConfirmationReworkQuantity: '0',
  FinalConfirmationType: 'X',
  PostingDate: '/Date(1764115200000)/',
  ConfirmedExecutionStartDate: '/Date(1764115200000)/',
  ConfirmedExecutionStartTime: 'PT06H00M00S',
  ConfirmedExecutionEndDate: '/Date(1764115200000)/',
  ConfirmedExecutionEndTime: 'PT08H00M00S',
  ExternalSystemConfirmation: key,
});

describe('the simulated ERP store', () => {
  it('posts a second confirmation with the same ExternalSystemConfirmation, as SAP does', () => {
    // A simulator that refused it hid a missing lookup: the service's resend was "refused", then found.
    const store = new ErpStore();
    const order = store.releaseOrder({ plant: 'P100' }).ManufacturingOrder;
    const key = '0192f0c1-7d4e-7a3b-9c1d-2e3f4a5b6c7d';
    store.confirm(confirmation(order, key));
    store.confirm(confirmation(order, key));
    expect(store.findByExternalKey(key)).toHaveLength(2);
  });

  it('refuses the duplicate only when told to', () => {
    const store = new ErpStore({ refuseDuplicates: true });
    const order = store.releaseOrder({ plant: 'P100' }).ManufacturingOrder;
    const key = '0192f0c1-7d4e-7a3b-9c1d-2e3f4a5b6c7d';
    store.confirm(confirmation(order, key));
    expect(() => store.confirm(confirmation(order, key))).toThrow(/already been posted/);
  });
});
