import { PROD_ORDER_CONFIRMATION_2_METADATA, PRODUCTION_ORDER_2_METADATA } from '@plantbridge/erp';
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
