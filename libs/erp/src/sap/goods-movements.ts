import type {
  GoodsMovementPosting,
  GoodsMovementReversal,
  GoodsMovementType,
  MaterialDocumentItemRef,
  PostedGoodsMovement,
} from '../erp-port';
import { ErpBusinessError } from '../errors';
import type { ErpResilience } from '../resilience';
import {
  MATERIAL_DOCUMENT_ENDPOINT,
  type SapGoodsMovementCode,
  type SapMaterialDocumentCreate,
  type SapMaterialDocumentHeader,
  type SapMaterialDocumentItem,
  type SapMaterialDocumentItemCreate,
} from './inventory-entities';
import type { ODataClient } from './odata-client';
import { odataString, toSapDay, toSapDayLiteral, toSapQuantity } from './odata-values';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * SAP gives material documents no field for a sender's key and posts the same one twice, so the
 * posting key travels in the item text (`MaterialDocumentItemText`, 50 characters): `PB:` and the
 * UUID in lower case, 39 characters, which `findGoodsMovement` filters on.
 */
export const POSTING_KEY_PREFIX = 'PB:';

export const postingKeyText = (postingKey: string): string =>
  `${POSTING_KEY_PREFIX}${postingKey.toLowerCase()}`;

/** Who posted a material document, for people reading it in SAP (the header text's 25 characters). */
export const MATERIAL_DOCUMENT_HEADER_TEXT = 'Plantbridge';

/**
 * The transaction each movement type is posted as (`GoodsMovementCode`): receipt from a production
 * order `02`, goods issue `03` (to an order, or scrap), transfer posting `04`. SAP refuses a movement
 * type its code does not allow.
 */
export const GOODS_MOVEMENT_CODES: Readonly<Record<GoodsMovementType, SapGoodsMovementCode>> = {
  '101': '02',
  '261': '03',
  '551': '03',
  '311': '04',
};

/** Movements against a production order: SAP's reference document type `F`. */
const ORDER_MOVEMENTS: ReadonlySet<GoodsMovementType> = new Set(['101', '261']);

/** Why a posting cannot go to SAP as it is (SAP would refuse it, or post something else); undefined when it can. */
export function goodsMovementProblem(posting: GoodsMovementPosting): string | undefined {
  if (!UUID.test(posting.postingKey)) return `the posting key must be a UUID, got "${posting.postingKey}"`;
  if (!(posting.goodsMovementType in GOODS_MOVEMENT_CODES))
    return `movement type ${String(posting.goodsMovementType)} is not one Plantbridge posts`;
  if (!(posting.quantity > 0)) return `the quantity must be positive, got ${posting.quantity}`;
  if (ORDER_MOVEMENTS.has(posting.goodsMovementType) && !posting.manufacturingOrder)
    return `movement type ${posting.goodsMovementType} needs the production order`;
  if (!posting.reservation !== !posting.reservationItem)
    return 'a reservation needs its item, and an item its reservation';
  if (posting.goodsMovementType === '311') {
    if (!posting.receivingStorageLocation) return 'a transfer (311) needs the receiving storage location';
    if (posting.receivingStorageLocation === posting.storageLocation)
      return `a transfer (311) from storage location ${posting.storageLocation} to itself moves nothing`;
  }
  return undefined;
}

/**
 * The movement as SAP's deep insert of one material document with one item. Dates are the plant's
 * calendar day (`timeZone`), as SAP reads Edm.DateTime dates; the quantity is in the entry unit,
 * which SAP converts to the base unit itself.
 */
export function toSapMaterialDocument(
  posting: GoodsMovementPosting,
  timeZone = 'UTC',
): SapMaterialDocumentCreate {
  const item: SapMaterialDocumentItemCreate = {
    Material: posting.material,
    Plant: posting.plant,
    StorageLocation: posting.storageLocation,
    GoodsMovementType: posting.goodsMovementType,
    EntryUnit: posting.unit,
    QuantityInEntryUnit: toSapQuantity(posting.quantity),
    MaterialDocumentItemText: postingKeyText(posting.postingKey),
  };
  if (posting.batch) item.Batch = posting.batch;
  if (ORDER_MOVEMENTS.has(posting.goodsMovementType) && posting.manufacturingOrder) {
    item.ManufacturingOrder = posting.manufacturingOrder;
    // SAP's movement indicator F is the goods receipt for a production order; an issue to the order
    // (261) names the order and its reservation without one (as SAP's own sample payloads for 262 do).
    if (posting.goodsMovementType === '101') item.GoodsMovementRefDocType = 'F';
  }
  if (posting.reservation && posting.reservationItem) {
    item.Reservation = posting.reservation;
    item.ReservationItem = posting.reservationItem;
  }
  if (posting.reasonCode) item.GoodsMovementReasonCode = posting.reasonCode;
  if (posting.goodsMovementType === '311' && posting.receivingStorageLocation) {
    // Within the plant: SAP's transfer between storage locations names the receiving plant too.
    item.IssuingOrReceivingPlant = posting.plant;
    item.IssuingOrReceivingStorageLoc = posting.receivingStorageLocation;
  }
  const day = toSapDay(new Date(posting.postingDate), timeZone);
  return {
    GoodsMovementCode: GOODS_MOVEMENT_CODES[posting.goodsMovementType],
    PostingDate: day,
    DocumentDate: day,
    MaterialDocumentHeaderText: MATERIAL_DOCUMENT_HEADER_TEXT,
    to_MaterialDocumentItem: [item],
  };
}

export function toPostedGoodsMovement(
  postingKey: string,
  item: MaterialDocumentItemRef,
  alreadyPosted: boolean,
): PostedGoodsMovement {
  return {
    postingKey,
    materialDocument: item.materialDocument,
    materialDocumentYear: item.materialDocumentYear,
    materialDocumentItem: item.materialDocumentItem,
    alreadyPosted,
  };
}

const refOf = (item: SapMaterialDocumentItem): MaterialDocumentItemRef => ({
  materialDocument: item.MaterialDocument,
  materialDocumentYear: item.MaterialDocumentYear,
  materialDocumentItem: item.MaterialDocumentItem,
});

/** The first posted of several items: by year, then document and item number. */
const byPostingOrder = (a: SapMaterialDocumentItem, b: SapMaterialDocumentItem) =>
  a.MaterialDocumentYear.localeCompare(b.MaterialDocumentYear) ||
  a.MaterialDocument.localeCompare(b.MaterialDocument) ||
  a.MaterialDocumentItem.localeCompare(b.MaterialDocumentItem);

/**
 * Goods movements over `API_MATERIAL_DOCUMENT_SRV`: one material document per posting (a deep
 * insert, no `$batch`), found again by the posting key in its item text, reversed item by item with
 * `CancelItem`, whose reversal is found by the item it reverses.
 */
export class SapGoodsMovements {
  constructor(
    private readonly client: ODataClient,
    private readonly resilience: ErpResilience,
    /** The plant's IANA time zone: SAP reads posting dates as its calendar days. */
    private readonly timeZone: string,
  ) {}

  async post(posting: GoodsMovementPosting): Promise<PostedGoodsMovement> {
    const problem = goodsMovementProblem(posting);
    // Refused here, as confirmations are: a key that is no UUID, or a posting SAP would refuse.
    if (problem)
      throw new ErpBusinessError(
        'postGoodsMovement',
        problem,
        400,
        UUID.test(posting.postingKey) ? 'PLANTBRIDGE/POSTING' : 'PLANTBRIDGE/KEY',
      );
    const document = toSapMaterialDocument(posting, this.timeZone);
    const created = await this.call('postGoodsMovement', () =>
      this.client.post<SapMaterialDocumentHeader>('postGoodsMovement', '/A_MaterialDocumentHeader', document),
    );
    // The lowest item is ours: SAP adds lines of its own to some movements (a transfer's receiving side).
    const [item] = [...(created.to_MaterialDocumentItem?.results ?? [])].sort(byPostingOrder);
    return toPostedGoodsMovement(
      posting.postingKey,
      // SAP answers a deep insert with its items; were they missing, ours is the document's only one.
      item
        ? refOf(item)
        : {
            materialDocument: created.MaterialDocument,
            materialDocumentYear: created.MaterialDocumentYear,
            materialDocumentItem: '0001',
          },
      false,
    );
  }

  /**
   * The item posted under this key. Posted is posted, whether reversed since or not. A reversal
   * item can carry the original's text; it is not the posting, so items that reverse one are
   * skipped. The first wins when a key was posted twice.
   */
  async find(postingKey: string): Promise<PostedGoodsMovement | undefined> {
    if (!UUID.test(postingKey)) return undefined;
    const items = await this.items(
      'findGoodsMovement',
      `MaterialDocumentItemText eq ${odataString(postingKeyText(postingKey))}`,
    );
    // Checked here too: a gateway that ignored the filter must not make every key look posted.
    const text = postingKeyText(postingKey);
    const [posted] = items
      .filter((item) => item.MaterialDocumentItemText === text && !item.ReversedMaterialDocument)
      .sort(byPostingOrder);
    return posted && toPostedGoodsMovement(postingKey, refOf(posted), true);
  }

  async reverse(reversal: GoodsMovementReversal): Promise<PostedGoodsMovement> {
    if (!UUID.test(reversal.postingKey))
      throw new ErpBusinessError(
        'reverseGoodsMovement',
        `the posting key must be a UUID, got "${reversal.postingKey}"`,
        400,
        'PLANTBRIDGE/KEY',
      );
    const { original } = reversal;
    const parameters: Record<string, string> = {
      MaterialDocumentYear: odataString(original.materialDocumentYear),
      MaterialDocument: odataString(original.materialDocument),
      MaterialDocumentItem: odataString(original.materialDocumentItem),
    };
    // Without one SAP posts the reversal on its own today, which may be another day than the plant's.
    if (reversal.postingDate)
      parameters.PostingDate = toSapDayLiteral(new Date(reversal.postingDate), this.timeZone);
    const item = await this.call('reverseGoodsMovement', () =>
      this.client.post<SapMaterialDocumentItem>('reverseGoodsMovement', '/CancelItem', undefined, parameters),
    );
    return toPostedGoodsMovement(reversal.postingKey, refOf(item), false);
  }

  /** The reversal of `original`, if ERP holds one: the item that names it as reversed. */
  async findReversal(
    postingKey: string,
    original: MaterialDocumentItemRef,
  ): Promise<PostedGoodsMovement | undefined> {
    const items = await this.items(
      'findReversal',
      [
        `ReversedMaterialDocument eq ${odataString(original.materialDocument)}`,
        `ReversedMaterialDocumentYear eq ${odataString(original.materialDocumentYear)}`,
        `ReversedMaterialDocumentItem eq ${odataString(original.materialDocumentItem)}`,
      ].join(' and '),
    );
    const [reversal] = items
      .filter(
        (item) =>
          item.ReversedMaterialDocument === original.materialDocument &&
          item.ReversedMaterialDocumentYear === original.materialDocumentYear &&
          item.ReversedMaterialDocumentItem === original.materialDocumentItem,
      )
      .sort(byPostingOrder);
    return reversal && toPostedGoodsMovement(postingKey, refOf(reversal), true);
  }

  private async items(operation: string, filter: string): Promise<SapMaterialDocumentItem[]> {
    const page = await this.call(operation, () =>
      this.client.get<{ results: SapMaterialDocumentItem[] }>(operation, '/A_MaterialDocumentItem', {
        $filter: filter,
        $format: 'json',
      }),
    );
    return page?.results ?? [];
  }

  private call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    return this.resilience.execute(MATERIAL_DOCUMENT_ENDPOINT, operation, request);
  }
}
