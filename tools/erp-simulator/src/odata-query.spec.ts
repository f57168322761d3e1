import { odataKey } from '@plantbridge/erp';
import {
  applyQuery,
  ODataQueryError,
  parseLiteral,
  parseResourcePath,
  type PropertyTypes,
} from './odata-query';

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

describe("the simulator's $filter with or and parentheses", () => {
  const STOCK: PropertyTypes = { Plant: 'Edm.String', Material: 'Edm.String', Text: 'Edm.String' };
  const rows = [
    { Plant: 'P100', Material: 'RM-100', Text: 'a and b' },
    { Plant: 'P100', Material: 'RM-200', Text: '' },
    { Plant: 'P200', Material: 'RM-100', Text: "it's" },
  ];
  const where = (filter: string) => applyQuery(rows, new URLSearchParams({ $filter: filter }), STOCK);

  it('binds and tighter than or, and groups with parentheses', () => {
    expect(where("Plant eq 'P100' and (Material eq 'RM-100' or Material eq 'RM-200')")).toEqual(
      rows.slice(0, 2),
    );
    // Without the parentheses: (P100 and RM-100) or RM-200.
    expect(where("Plant eq 'P200' and Material eq 'RM-200' or Material eq 'RM-100'")).toEqual([
      rows[0],
      rows[2],
    ]);
    expect(where("(Plant eq 'P200') or (Material eq 'RM-200')")).toEqual(rows.slice(1));
  });

  it('keeps a quoted literal whole, whatever words or quotes it holds', () => {
    expect(where("Text eq 'a and b'")).toEqual([rows[0]]);
    expect(where("Text eq 'it''s' or Text eq ''")).toEqual(rows.slice(1));
  });

  it('refuses what it cannot read, as SAP does with a 400', () => {
    expect(() => where("(Plant eq 'P100'")).toThrow(/Unsupported/);
    expect(() => where("Plant eq 'P100' and")).toThrow(/Unsupported/);
    expect(() => where("Plant eq 'P100' xor Material eq 'RM-100'")).toThrow(/Unsupported/);
    expect(() => where("substringof('RM', Material)")).toThrow(/Unsupported/);
  });
});

describe('URI literals and resource paths', () => {
  it("takes datetime'…' only in OData V2's form, to the minute at least", () => {
    expect(parseLiteral("datetime'2026-11-26T00:00'")).toEqual({
      value: Date.UTC(2026, 10, 26),
      type: 'Edm.DateTime',
    });
    expect(parseLiteral("datetime'2026-11-26T06:30:15.5'").value).toBe(
      Date.UTC(2026, 10, 26, 6, 30, 15, 500),
    );
    expect(() => parseLiteral("datetime'2026-11-26'")).toThrow(ODataQueryError);
    expect(() => parseLiteral("datetime'2026-11-26T00:00Z'")).toThrow(ODataQueryError);
  });

  it('reads entity sets, key predicates and a navigation after them', () => {
    expect(parseResourcePath('/A_MaterialDocumentItem')).toEqual({ set: 'A_MaterialDocumentItem' });
    expect(parseResourcePath("/A_ProductionOrder_2('1000001')")).toEqual({
      set: 'A_ProductionOrder_2',
      key: ['1000001'],
    });
    expect(
      parseResourcePath("/A_ProductPlant(Product='O''BRIEN,(1)',Plant='P100')/to_StorageLocation"),
    ).toEqual({
      set: 'A_ProductPlant',
      key: { Product: "O'BRIEN,(1)", Plant: 'P100' },
      navigation: 'to_StorageLocation',
    });
    expect(parseResourcePath('/A_ProductPlant(Product=RM-100)')).toBeUndefined();
    // A key URL-encoded as the adapter sends it (odataKey): `/` and `#` stay inside the key.
    expect(parseResourcePath(`/A_ProductPlant(Product=${odataKey('RM/100#2')},Plant='P100')`)).toMatchObject({
      key: { Product: 'RM/100#2', Plant: 'P100' },
    });
    expect(parseResourcePath("/A_ProductPlant('a','b')")).toBeUndefined();
  });
});
