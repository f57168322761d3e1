import type { MaterialDocumentInput, MaterialDocumentItemInput } from './material-documents';
import { ErpStore } from './store';

const DAY = `/Date(${Date.UTC(2026, 10, 26)})/`;

function setup() {
  const store = new ErpStore();
  const order = store.releaseOrder({ plant: 'P100', quantity: 10 });
  const [rm100, rm200] = store.componentsOf(order.ManufacturingOrder);
  return { store, order: order.ManufacturingOrder, rm100, rm200, documents: store.materialDocuments };
}

const document = (
  code: string,
  item: MaterialDocumentItemInput,
  postingDate = DAY,
): MaterialDocumentInput => ({
  GoodsMovementCode: code,
  PostingDate: postingDate,
  MaterialDocumentHeaderText: 'Plantbridge',
  to_MaterialDocumentItem: [item],
});

const issue = (order: string, quantity: string, extra: MaterialDocumentItemInput = {}) =>
  document('03', {
    Material: 'RM-100',
    Plant: 'P100',
    StorageLocation: '0001',
    GoodsMovementType: '261',
    ManufacturingOrder: order,
    EntryUnit: 'PC',
    QuantityInEntryUnit: quantity,
    MaterialDocumentItemText: 'PB:key',
    ...extra,
  });

const unrestricted = (storageLocation = '0001', material = 'RM-100', batch = '') => ({
  material,
  plant: 'P100',
  storageLocation,
  batch,
  stockType: '01' as const,
});

describe('the simulated inventory management', () => {
  it('numbers documents as SAP does and posts the same item text twice: SAP has no duplicate check', () => {
    const { store, order, documents } = setup();
    store.setStock({ material: 'RM-100', plant: 'P100', storageLocation: '0001', quantity: 10 });
    const first = documents.post(issue(order, '2.000'));
    const second = documents.post(issue(order, '2.000'));
    expect([first.header.MaterialDocumentYear, first.header.MaterialDocument]).toEqual([
      '2026',
      '4900000001',
    ]);
    expect(second.header.MaterialDocument).toBe('4900000002');
    expect(first.items.map((i) => i.MaterialDocumentItem)).toEqual(['0001']);
    expect(documents.items().filter((i) => i.MaterialDocumentItemText === 'PB:key')).toHaveLength(2);
    expect(store.stock.quantity(unrestricted())).toBe(6);
  });

  it("refuses a movement that would make stock negative with SAP's deficit message, and posts nothing", () => {
    const { store, order, documents } = setup();
    store.setStock({ material: 'RM-100', plant: 'P100', storageLocation: '0001', quantity: 3 });
    expect(() => documents.post(issue(order, '8.000'))).toThrow(
      expect.objectContaining({
        code: 'M7/021',
        message: 'Deficit of SL Unrestricted-use 5 PC : RM-100 P100 0001',
      }),
    );
    expect(documents.documents()).toEqual([]);
    expect(store.stock.quantity(unrestricted())).toBe(3);
  });

  it('receives from an order to unrestricted use, or to quality inspection when the material posts there', () => {
    const { store, order, documents } = setup();
    const receipt = document('02', {
      Material: 'FG-1000',
      Plant: 'P100',
      StorageLocation: 'FG01',
      GoodsMovementType: '101',
      GoodsMovementRefDocType: 'F',
      ManufacturingOrder: order,
      EntryUnit: 'PC',
      QuantityInEntryUnit: '4.000',
    });
    expect(documents.post(receipt).items[0]).toMatchObject({
      InventoryStockType: '01',
      DebitCreditCode: 'S',
    });
    store.materials.define({ material: 'FG-1000', plant: 'P100', postsToInspectionStock: true });
    expect(documents.post(receipt).items[0]).toMatchObject({ InventoryStockType: '02' });
    expect(store.stockPositions({ material: 'FG-1000' })).toEqual([
      expect.objectContaining({ storageLocation: 'FG01', stockType: 'unrestricted', quantity: 4 }),
      expect.objectContaining({ storageLocation: 'FG01', stockType: 'quality-inspection', quantity: 4 }),
    ]);
  });

  it('transfers between storage locations of a plant (311) and scraps (551) from unrestricted use', () => {
    const { store, documents } = setup();
    store.setStock({ material: 'RM-200', plant: 'P100', storageLocation: '0001', batch: 'B1', quantity: 10 });
    const move = (type: string, code: string, extra: MaterialDocumentItemInput) =>
      documents.post(
        document(code, {
          Material: 'RM-200',
          Plant: 'P100',
          StorageLocation: '0001',
          Batch: 'B1',
          GoodsMovementType: type,
          EntryUnit: 'KG',
          QuantityInEntryUnit: '2.500',
          ...extra,
        }),
      );
    move('311', '04', { IssuingOrReceivingPlant: 'P100', IssuingOrReceivingStorageLoc: '0002' });
    move('551', '03', { GoodsMovementReasonCode: '0001' });
    expect(store.stock.quantity(unrestricted('0001', 'RM-200', 'B1'))).toBe(5);
    expect(store.stock.quantity(unrestricted('0002', 'RM-200', 'B1'))).toBe(2.5);
  });

  it('books an issue against its component and takes it back when reversed; the reversal restores the stock', () => {
    const { store, order, rm100, documents } = setup();
    store.setStock({ material: 'RM-100', plant: 'P100', storageLocation: '0001', quantity: 10 });
    const posted = documents.post(
      issue(order, '4.000', { Reservation: rm100.Reservation, ReservationItem: rm100.ReservationItem }),
    );
    expect(rm100.WithdrawnQuantity).toBe('4.000');
    const reversal = documents.cancelItem('2026', posted.header.MaterialDocument, '0001');
    expect(reversal.items[0]).toMatchObject({
      GoodsMovementType: '262',
      DebitCreditCode: 'S',
      ReversedMaterialDocumentYear: '2026',
      ReversedMaterialDocument: posted.header.MaterialDocument,
      ReversedMaterialDocumentItem: '0001',
    });
    expect(documents.items()[0].GoodsMovementIsCancelled).toBe(true);
    expect(rm100.WithdrawnQuantity).toBe('0.000');
    expect(store.stock.quantity(unrestricted())).toBe(10);
    expect(() => documents.cancelItem('2026', posted.header.MaterialDocument, '0001')).toThrow(
      /already been reversed/,
    );
    expect(() => documents.cancelItem('2026', reversal.header.MaterialDocument, '0001')).toThrow(
      /itself a reversal/,
    );
    expect(() => documents.cancel('2026', posted.header.MaterialDocument)).toThrow(/already been reversed/);
  });

  it('refuses a reversal that would make stock negative, with the deficit message too', () => {
    const { store, order, documents } = setup();
    const receipt = documents.post(
      document('02', {
        Material: 'FG-1000',
        Plant: 'P100',
        StorageLocation: '0001',
        GoodsMovementType: '101',
        GoodsMovementRefDocType: 'F',
        ManufacturingOrder: order,
        QuantityInEntryUnit: '5.000',
        EntryUnit: 'PC',
      }),
    );
    store.setStock({ material: 'FG-1000', plant: 'P100', storageLocation: '0001', quantity: 2 });
    expect(() => documents.cancel('2026', receipt.header.MaterialDocument)).toThrow(
      expect.objectContaining({
        code: 'M7/021',
        message: 'Deficit of SL Unrestricted-use 3 PC : FG-1000 P100 0001',
      }),
    );
    expect(documents.items()[0].GoodsMovementIsCancelled).toBe(false);
  });

  it("refuses postings outside MM's period with M7 053 once the period moved on, and takes them again when opened", () => {
    const { store, order, documents } = setup();
    store.setStock({ material: 'RM-100', plant: 'P100', storageLocation: '0001', quantity: 10 });
    documents.setPostingPeriod('2027/01');
    expect(() => documents.post(issue(order, '1.000'))).toThrow(
      expect.objectContaining({
        code: 'M7/053',
        message: 'Posting only possible in periods 2027/01 and 2026/12 in company code 1000',
      }),
    );
    documents.setPostingPeriod('2026/12');
    expect(documents.post(issue(order, '1.000')).header.PostingDate).toBe(DAY);
    documents.setPostingPeriod(undefined);
    expect(() => documents.post(issue(order, '1.000', {}))).not.toThrow();
    expect(() => documents.setPostingPeriod('2026-11')).toThrow(/yyyy\/mm/);
  });

  it.each([
    [
      'a material not at the plant',
      { Material: 'RM-999' },
      'M3/351',
      'Material RM-999 not maintained in plant P100',
    ],
    [
      'a storage location it is not extended to',
      { StorageLocation: '0009' },
      'M7/001',
      'Check table MARD: entry RM-100 P100 0009 does not exist',
    ],
    ['a unit other than its base unit', { EntryUnit: 'KG' }, 'SIM/UNIT', /not the base unit PC/],
    ['a batch of a material without batches', { Batch: 'B1' }, 'SIM/BATCH', /not handled in batches/],
    ['an issue without its order', { ManufacturingOrder: '' }, 'SIM/ORDER', /needs an order/],
    [
      "an issue with a receipt's movement indicator",
      { GoodsMovementRefDocType: 'F' },
      'SIM/ORDER',
      /GoodsMovementRefDocType ''/,
    ],
    [
      'an order that does not exist',
      { ManufacturingOrder: '9999999' },
      'CO/005',
      'Order 9999999 does not exist',
    ],
    [
      'a reservation item of another component',
      { Reservation: '0000000001', ReservationItem: '0002' },
      'SIM/RESERVATION',
      /no component/,
    ],
    [
      'a movement type not simulated',
      { GoodsMovementType: '201' },
      'SIM/MOVEMENT-TYPE',
      /201 is not simulated/,
    ],
  ])('refuses %s', (_what, change, code, message) => {
    const { store, order, documents } = setup();
    store.setStock({ material: 'RM-100', plant: 'P100', storageLocation: '0001', quantity: 10 });
    expect(() => documents.post(issue(order, '1.000', change))).toThrow(expect.objectContaining({ code }));
    expect(() => documents.post(issue(order, '1.000', change))).toThrow(message);
  });

  it('refuses a batch-managed material without its batch, and a movement type under another code', () => {
    const { store, order, documents } = setup();
    store.setStock({ material: 'RM-200', plant: 'P100', storageLocation: '0001', batch: 'B1', quantity: 10 });
    const rm200 = { Material: 'RM-200', EntryUnit: 'KG' };
    expect(() => documents.post(issue(order, '1.000', rm200))).toThrow(
      expect.objectContaining({ code: 'M7/018', message: 'Enter Batch' }),
    );
    expect(() => documents.post({ ...issue(order, '1.000'), GoodsMovementCode: '02' })).toThrow(
      expect.objectContaining({ code: 'SIM/GM-CODE' }),
    );
  });
});

describe('orders released with components', () => {
  it('gives the default order two components: RM-100 backflushed at 0010, batch-managed RM-200 at 0020', () => {
    const store = new ErpStore();
    const order = store.releaseOrder({ plant: 'P100', quantity: 100 });
    expect(store.componentsOf(order.ManufacturingOrder)).toEqual([
      expect.objectContaining({
        ReservationItem: '0001',
        Material: 'RM-100',
        ManufacturingOrderOperation: '0010',
        RequiredQuantity: '200.000',
        BaseUnit: 'PC',
        MatlCompIsMarkedForBackflush: true,
        StorageLocation: '0001',
      }),
      expect.objectContaining({
        ReservationItem: '0002',
        Material: 'RM-200',
        ManufacturingOrderOperation: '0020',
        RequiredQuantity: '50.000',
        BaseUnit: 'KG',
        MatlCompIsMarkedForBackflush: false,
      }),
    ]);
    expect(store.materials.get('RM-200', 'P100')).toMatchObject({ baseUnit: 'KG', batchManaged: true });
  });

  it("takes an order's own components and makes their materials known at its plant", () => {
    const store = new ErpStore();
    const order = store.releaseOrder({
      plant: 'P200',
      material: 'FG-2000',
      quantity: 4,
      operations: 1,
      components: [
        { material: 'RM-900', quantityPerUnit: 1.5, unit: 'L', operation: '0020', storageLocation: '0002' },
      ],
    });
    const [component] = store.componentsOf(order.ManufacturingOrder);
    // 0020 is no operation of a one-operation order: the component is assigned to none.
    expect(component).toMatchObject({
      Material: 'RM-900',
      RequiredQuantity: '6.000',
      ManufacturingOrderOperation: '',
    });
    expect(store.materials.get('RM-900', 'P200')).toMatchObject({ baseUnit: 'L' });
    expect(store.materials.get('FG-2000', 'P200')).toMatchObject({ baseUnit: 'PC' });
    expect(
      store.componentsOf(store.releaseOrder({ plant: 'P200', material: 'FG-2000' }).ManufacturingOrder),
    ).toEqual([]);
  });
});
