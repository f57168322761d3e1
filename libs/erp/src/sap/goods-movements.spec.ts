import type { GoodsMovementPosting } from '../erp-port';
import { MATERIAL_DOCUMENT_METADATA } from './metadata/material-document.metadata';
import { createProblems } from './metadata/edm';
import { DEFAULT_RESILIENCE, ErpResilience } from '../resilience';
import {
  goodsMovementProblem,
  postingKeyText,
  SapGoodsMovements,
  toSapMaterialDocument,
} from './goods-movements';
import { MATERIAL_DOCUMENT_ENDPOINT } from './inventory-entities';
import type { ODataClient } from './odata-client';

const KEY = '0192f0c1-7d4e-7a3b-9c1d-2e3f4a5b6c7d';

const posting = (overrides: Partial<GoodsMovementPosting> = {}): GoodsMovementPosting => ({
  postingKey: KEY,
  goodsMovementType: '261',
  material: 'RM-100',
  plant: 'P100',
  storageLocation: '0001',
  quantity: 12.3456,
  unit: 'PC',
  manufacturingOrder: '1000001',
  reservation: '0000000001',
  reservationItem: '0001',
  postingDate: '2026-11-26T05:30:00.000Z',
  ...overrides,
});

const itemOf = (p: GoodsMovementPosting, timeZone?: string) =>
  toSapMaterialDocument(p, timeZone).to_MaterialDocumentItem[0];

describe('goods movements as SAP material documents', () => {
  it('issues a component to its order: code 03, the order without a movement indicator, the reservation item, the key in the item text', () => {
    const document = toSapMaterialDocument(posting());
    expect(document).toEqual({
      GoodsMovementCode: '03',
      PostingDate: `/Date(${Date.UTC(2026, 10, 26)})/`,
      DocumentDate: `/Date(${Date.UTC(2026, 10, 26)})/`,
      MaterialDocumentHeaderText: 'Plantbridge',
      to_MaterialDocumentItem: [
        {
          Material: 'RM-100',
          Plant: 'P100',
          StorageLocation: '0001',
          GoodsMovementType: '261',
          ManufacturingOrder: '1000001',
          Reservation: '0000000001',
          ReservationItem: '0001',
          EntryUnit: 'PC',
          QuantityInEntryUnit: '12.346',
          MaterialDocumentItemText: `PB:${KEY}`,
        },
      ],
    });
    // Every field fits SAP's metadata: lengths, decimals, and items only through the header.
    expect(createProblems(MATERIAL_DOCUMENT_METADATA, 'A_MaterialDocumentHeader', document)).toEqual([]);
  });

  it('sends each movement type with its transaction code and only the fields it takes', () => {
    const receipt = toSapMaterialDocument(
      posting({
        goodsMovementType: '101',
        material: 'FG-1000',
        reservation: undefined,
        reservationItem: undefined,
      }),
    );
    expect(receipt.GoodsMovementCode).toBe('02');
    expect(receipt.to_MaterialDocumentItem[0]).toMatchObject({
      GoodsMovementRefDocType: 'F',
      ManufacturingOrder: '1000001',
    });
    expect(receipt.to_MaterialDocumentItem[0]).not.toHaveProperty('Reservation');

    const scrap = toSapMaterialDocument(
      posting({
        goodsMovementType: '551',
        reasonCode: '0002',
        reservation: undefined,
        reservationItem: undefined,
      }),
    );
    expect(scrap.GoodsMovementCode).toBe('03');
    expect(scrap.to_MaterialDocumentItem[0]).toMatchObject({ GoodsMovementReasonCode: '0002' });
    // Scrap is no order movement: no reference document, whatever the posting carries.
    expect(scrap.to_MaterialDocumentItem[0]).not.toHaveProperty('ManufacturingOrder');

    const transfer = toSapMaterialDocument(
      posting({
        goodsMovementType: '311',
        receivingStorageLocation: '0002',
        batch: 'B1',
        manufacturingOrder: undefined,
        reservation: undefined,
        reservationItem: undefined,
      }),
    );
    expect(transfer.GoodsMovementCode).toBe('04');
    expect(transfer.to_MaterialDocumentItem[0]).toMatchObject({
      StorageLocation: '0001',
      IssuingOrReceivingPlant: 'P100',
      IssuingOrReceivingStorageLoc: '0002',
      Batch: 'B1',
    });
  });

  it("posts on the plant's calendar day, which SAP reads the posting date as", () => {
    // 23:30 on 25 November in Chicago is 26 November in UTC.
    const document = toSapMaterialDocument(posting(), 'America/Chicago');
    expect(document.PostingDate).toBe(`/Date(${Date.UTC(2026, 10, 25)})/`);
    expect(document.DocumentDate).toBe(document.PostingDate);
  });

  it('writes the posting key in lower case, within the item text of 50 characters', () => {
    const text = itemOf(posting({ postingKey: KEY.toUpperCase() })).MaterialDocumentItemText;
    expect(text).toBe(postingKeyText(KEY));
    expect(text.length).toBeLessThanOrEqual(50);
  });

  it.each([
    ['a key that is no UUID', { postingKey: 'movement-1' }, /must be a UUID/],
    ['no quantity', { quantity: 0 }, /must be positive/],
    ['an issue without its order', { manufacturingOrder: undefined }, /needs the production order/],
    ['a reservation without its item', { reservationItem: undefined }, /reservation needs its item/],
    [
      'a transfer without a receiving location',
      { goodsMovementType: '311' as const },
      /receiving storage location/,
    ],
    [
      'a transfer to the same location',
      { goodsMovementType: '311' as const, receivingStorageLocation: '0001' },
      /to itself/,
    ],
  ])('refuses %s before asking SAP', (_what, change, reason) => {
    expect(goodsMovementProblem(posting(change))).toMatch(reason);
  });

  it('takes a posting SAP would take', () => {
    expect(goodsMovementProblem(posting())).toBeUndefined();
  });
});

describe('looking a goods movement up in SAP', () => {
  /** SAP answering every item query with `items`, as a gateway that ignored the filter would. */
  const answering = (items: Array<Record<string, string>>) =>
    new SapGoodsMovements(
      { get: async () => ({ results: items }) } as unknown as ODataClient,
      new ErpResilience(DEFAULT_RESILIENCE, [MATERIAL_DOCUMENT_ENDPOINT]),
      'UTC',
    );
  const item = (document: string, text: string, reversed = '') => ({
    MaterialDocumentYear: '2026',
    MaterialDocument: document,
    MaterialDocumentItem: '0001',
    MaterialDocumentItemText: text,
    ReversedMaterialDocument: reversed,
    ReversedMaterialDocumentYear: reversed ? '2026' : '',
    ReversedMaterialDocumentItem: reversed ? '0001' : '',
  });

  it('takes only an item that carries the key, never whatever SAP sent first', async () => {
    const other = item('4900000001', 'PB:0192f0c1-0000-7a3b-9c1d-2e3f4a5b6c7d');
    expect(await answering([other]).find(KEY)).toBeUndefined();
    const ours = item('4900000002', postingKeyText(KEY));
    expect(await answering([other, ours]).find(KEY)).toMatchObject({
      materialDocument: '4900000002',
      alreadyPosted: true,
    });
  });

  it('takes only a reversal of the item it looks for', async () => {
    const original = {
      materialDocument: '4900000002',
      materialDocumentYear: '2026',
      materialDocumentItem: '0001',
    };
    const elsewhere = item('4900000003', '', '4900000001');
    expect(await answering([elsewhere]).findReversal(KEY, original)).toBeUndefined();
    const reversal = item('4900000004', '', '4900000002');
    expect(await answering([elsewhere, reversal]).findReversal(KEY, original)).toMatchObject({
      materialDocument: '4900000004',
    });
  });
});
