import {
  MATERIAL_DOCUMENT_METADATA,
  MATERIAL_STOCK_METADATA,
  PROD_ORDER_CONFIRMATION_2_METADATA,
  PRODUCTION_ORDER_2_METADATA,
} from '@plantbridge/erp';
import { Contract } from './contract';

const valid = {
  OrderID: '1000001',
  Sequence: '0',
  OrderOperation: '0010',
  ConfirmationUnit: 'PC',
  ConfirmationYieldQuantity: '10.500',
  ConfirmationScrapQuantity: '0.000',
  ConfirmationReworkQuantity: '0.000',
  FinalConfirmationType: '',
  PostingDate: '/Date(1764115200000)/',
  ConfirmedExecutionStartDate: '/Date(1764115200000)/',
  ConfirmedExecutionStartTime: 'PT06H00M00S',
  ConfirmedExecutionEndDate: '/Date(1764115200000)/',
  ConfirmedExecutionEndTime: 'PT08H00M00S',
  ExternalSystemConfirmation: '0192f0c1-7d4e-7a3b-9c1d-2e3f4a5b6c7d',
};

describe("the simulator's hold on SAP's metadata", () => {
  const confirmations = () => new Contract(PROD_ORDER_CONFIRMATION_2_METADATA);

  it('takes a confirmation that fits ProdnOrdConf2', () => {
    expect(() => confirmations().checkCreate('ProdnOrdConf2', valid)).not.toThrow();
    // OData V2 JSON allows an offset on an Edm.DateTime too; SAP Cloud SDK sends one.
    const withOffset = { ...valid, PostingDate: '/Date(1764115200000+0000)/' };
    expect(() => confirmations().checkCreate('ProdnOrdConf2', withOffset)).not.toThrow();
  });

  it.each([
    ['an unknown property', { ConfirmationQuantity: '1.000' }, /Property 'ConfirmationQuantity' is invalid/],
    ['a value over its length', { OrderOperation: '00010' }, /longer than its 4 characters/],
    ['more decimals than its scale', { ConfirmationYieldQuantity: '1.2345' }, /more than 3 decimals/],
    [
      'more digits than its precision',
      { ConfirmationYieldQuantity: '12345678901.000' },
      /more than 10 digits/,
    ],
    ['a decimal as a JSON number', { ConfirmationYieldQuantity: 10.5 }, /decimal in a string/],
    ['a date in another format', { PostingDate: '2026-11-26' }, /\/Date\(ms\)\//],
    ['a GUID that is not one', { ExternalSystemConfirmation: 'conf-1' }, /must be a GUID/],
  ])('refuses %s, with SAP error, and records it', (_what, change, reason) => {
    const contract = confirmations();
    expect(() => contract.checkCreate('ProdnOrdConf2', { ...valid, ...change })).toThrow(reason);
    expect(contract.violations).toHaveLength(1);
  });

  it('refuses creating what SAP does not let you create, and function imports it does not have', () => {
    const orders = new Contract(PRODUCTION_ORDER_2_METADATA);
    expect(() => orders.checkCreate('A_ProductionOrderOperation_2', {})).toThrow(/cannot be created/);
    const contract = confirmations();
    expect(() => contract.checkFunctionImport('Cancel', 'POST', new URLSearchParams())).toThrow(
      expect.objectContaining({ status: 404 }),
    );
    expect(() => contract.checkFunctionImport('CancelProdnOrdConf', 'GET', new URLSearchParams())).toThrow(
      expect.objectContaining({ status: 405 }),
    );
    const tooLong = new URLSearchParams({
      ConfirmationGroup: "'00000000001'",
      ConfirmationCount: "'00000001'",
    });
    expect(() => contract.checkFunctionImport('CancelProdnOrdConf', 'POST', tooLong)).toThrow(
      /longer than its 10/,
    );
    const unquoted = new URLSearchParams({
      ConfirmationGroup: '0000000001',
      ConfirmationCount: "'00000001'",
    });
    expect(() => contract.checkFunctionImport('CancelProdnOrdConf', 'POST', unquoted)).toThrow(
      /not a Edm.String literal/,
    );
    const missing = new URLSearchParams({ ConfirmationGroup: "'0000000001'" });
    expect(() => contract.checkFunctionImport('CancelProdnOrdConf', 'POST', missing)).toThrow(
      /'ConfirmationCount' is mandatory/,
    );
    const fine = new URLSearchParams({ ConfirmationGroup: "'0000000001'", ConfirmationCount: "'00000001'" });
    expect(() => contract.checkFunctionImport('CancelProdnOrdConf', 'POST', fine)).not.toThrow();
  });
});

describe("the simulator's hold on the material document service", () => {
  const contract = () => new Contract(MATERIAL_DOCUMENT_METADATA);
  const item = {
    Material: 'RM-100',
    Plant: 'P100',
    StorageLocation: '0001',
    GoodsMovementType: '261',
    ManufacturingOrder: '1000000',
    EntryUnit: 'PC',
    QuantityInEntryUnit: '5.000',
    MaterialDocumentItemText: 'PB:0192f0c1-7d4e-7a3b-9c1d-2e3f4a5b6c7d',
  };
  const header = (items: unknown) => ({
    GoodsMovementCode: '03',
    PostingDate: '/Date(1764115200000)/',
    DocumentDate: '/Date(1764115200000)/',
    MaterialDocumentHeaderText: 'Plantbridge',
    to_MaterialDocumentItem: items,
  });

  it('takes a deep insert of the header with its items, as an array or as {results}', () => {
    expect(() => contract().checkCreate('A_MaterialDocumentHeader', header([item]))).not.toThrow();
    expect(() =>
      contract().checkCreate('A_MaterialDocumentHeader', header({ results: [item, item] })),
    ).not.toThrow();
  });

  it('refuses a POST to A_MaterialDocumentItem, which SAP creates only through its header', () => {
    const refusing = contract();
    expect(() => refusing.checkCreate('A_MaterialDocumentItem', item)).toThrow(/cannot be created/);
    expect(refusing.violations).toEqual([
      'API_MATERIAL_DOCUMENT_SRV: entities of type A_MaterialDocumentItemType cannot be created',
    ]);
  });

  it.each([
    [
      'an unknown field',
      { ...item, Quantity: '5.000' },
      /to_MaterialDocumentItem\[1\]: Property 'Quantity' is invalid for A_MaterialDocumentItemType/,
    ],
    [
      'an item text over its 50 characters',
      { ...item, MaterialDocumentItemText: 'x'.repeat(51) },
      /\[1\]: Property 'MaterialDocumentItemText' is longer than its 50/,
    ],
    [
      'a quantity as a JSON number',
      { ...item, QuantityInEntryUnit: 5 },
      /\[1\]: Property 'QuantityInEntryUnit' must be a decimal/,
    ],
    ['a flag that is no boolean', { ...item, GoodsMovementIsCancelled: 'X' }, /must be true or false/],
  ])('refuses an item with %s inside the deep insert', (_what, bad, reason) => {
    const refusing = contract();
    // The second item is the bad one, and the refusal says so.
    expect(() => refusing.checkCreate('A_MaterialDocumentHeader', header([item, bad]))).toThrow(reason);
    expect(refusing.violations).toHaveLength(1);
  });

  it('refuses items that are not a list, and a header text over its 25 characters', () => {
    expect(() => contract().checkCreate('A_MaterialDocumentHeader', header(item))).toThrow(
      /'to_MaterialDocumentItem' must be an array/,
    );
    expect(() =>
      contract().checkCreate('A_MaterialDocumentHeader', {
        ...header([item]),
        MaterialDocumentHeaderText: 'x'.repeat(26),
      }),
    ).toThrow(/longer than its 25/);
  });

  it("checks Cancel and CancelItem's parameters as SAP's metadata has them", () => {
    const cancel = contract();
    const item3 = (params: Record<string, string>) => () =>
      cancel.checkFunctionImport('CancelItem', 'POST', new URLSearchParams(params));
    const key = {
      MaterialDocumentYear: "'2026'",
      MaterialDocument: "'4900000001'",
      MaterialDocumentItem: "'0001'",
    };
    expect(item3(key)).not.toThrow();
    expect(item3({ ...key, PostingDate: "datetime'2026-11-26T00:00'" })).not.toThrow();
    expect(item3({ ...key, MaterialDocumentItem: "'00001'" })).toThrow(
      /'MaterialDocumentItem' is longer than its 4/,
    );
    expect(item3({ MaterialDocumentYear: "'2026'", MaterialDocument: "'4900000001'" })).toThrow(
      /'MaterialDocumentItem' is mandatory/,
    );
    expect(item3({ ...key, PostingDate: "'2026-11-26'" })).toThrow(/not a Edm.DateTime literal/);
    expect(item3({ ...key, PostingDate: "datetime'2026-11-26'" })).toThrow(/not a Edm.DateTime literal/);
    expect(item3({ ...key, MaterialDocument: '4900000001' })).toThrow(/not a Edm.String literal/);
    expect(() => cancel.checkFunctionImport('CancelItem', 'GET', new URLSearchParams(key))).toThrow(
      expect.objectContaining({ status: 405 }),
    );
    expect(() =>
      cancel.checkFunctionImport(
        'Cancel',
        'POST',
        new URLSearchParams({ ...key, MaterialDocumentItem: "'0001'" }),
      ),
    ).toThrow(/'MaterialDocumentItem' is invalid for Cancel/);
    expect(() =>
      cancel.checkFunctionImport(
        'Cancel',
        'POST',
        new URLSearchParams({ MaterialDocumentYear: "'2026'", MaterialDocument: "'4900000001'" }),
      ),
    ).not.toThrow();
  });

  it('refuses a key predicate that does not name the key, and stock cannot be created', () => {
    const documents = contract();
    expect(
      documents.checkKey('A_MaterialDocumentHeader', { MaterialDocumentYear: '2026', MaterialDocument: '1' }),
    ).toEqual({
      MaterialDocumentYear: '2026',
      MaterialDocument: '1',
    });
    expect(() => documents.checkKey('A_MaterialDocumentHeader', ['4900000001'])).toThrow(
      /its key is MaterialDocumentYear, MaterialDocument/,
    );
    expect(() => new Contract(MATERIAL_STOCK_METADATA).checkCreate('A_MatlStkInAcctMod', {})).toThrow(
      /cannot be created/,
    );
  });
});
