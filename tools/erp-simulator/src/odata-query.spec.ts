import { applyQuery, ODataQueryError, type PropertyTypes } from './odata-query';

const TYPES: PropertyTypes = { OrderIsReleased: 'Edm.String', LastChangeDateTime: 'Edm.String' };
const orders = [
  { OrderIsReleased: 'X', LastChangeDateTime: '20261126060000' },
  { OrderIsReleased: '', LastChangeDateTime: '20261126070000' },
];
const query = (filter: string) => applyQuery(orders, new URLSearchParams({ $filter: filter }), TYPES);

describe("the simulator's $filter, typed as SAP's metadata types the properties", () => {
  it('refuses a literal of another Edm type, as SAP does, even when nothing would match', () => {
    // The adapter sent `OrderIsReleased eq true`: SAP answers 400, the old simulator answered.
    expect(() => query('OrderIsReleased eq true')).toThrow(ODataQueryError);
    expect(() => applyQuery([], new URLSearchParams({ $filter: 'OrderIsReleased eq true' }), TYPES)).toThrow(
      /incompatible/,
    );
    expect(() => query("LastChangeDateTime ge datetimeoffset'2026-11-26T06:30:00Z'")).toThrow(/Edm.String/);
    expect(() => query("Unknown eq 'X'")).toThrow(/not found/);
  });

  it('compares flags and yyyyMMddHHmmss time stamps as the strings they are', () => {
    expect(query("OrderIsReleased eq 'X'")).toEqual([orders[0]]);
    expect(query("LastChangeDateTime ge '20261126063000'")).toEqual([orders[1]]);
  });
});
