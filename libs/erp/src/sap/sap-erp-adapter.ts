import type {
  ConfirmationPosting,
  ConfirmationsPort,
  ErpConnectionPort,
  ErpMaterial,
  ErpOrder,
  ErpOrderComponent,
  ErpOrderStatus,
  ErpStockPosition,
  GoodsMovementPosting,
  GoodsMovementReversal,
  GoodsMovementsPort,
  MaterialDocumentItemRef,
  MaterialMasterPort,
  OrderComponentsPort,
  PostedConfirmation,
  PostedGoodsMovement,
  ProductionOrdersPort,
  StockPort,
} from '../erp-port';
import { CallBatcher, type ItemOutcome } from '../call-batcher';
import { ErpBusinessError, ErpTransientError } from '../errors';
import { erpMetrics } from '../metrics';
import { type EndpointLoad, ErpResilience, type ResilienceSettings } from '../resilience';
import { credentialsFor, type ErpAuth, type ErpCredentials } from './credentials';
import { SapGoodsMovements } from './goods-movements';
import {
  MATERIAL_DOCUMENT_ENDPOINT,
  MATERIAL_DOCUMENT_SERVICE,
  MATERIAL_STOCK_ENDPOINT,
  MATERIAL_STOCK_SERVICE,
  PRODUCT_ENDPOINT,
  PRODUCT_SERVICE,
  type SapMaterialStock,
  type SapProductPlant,
} from './inventory-entities';
import { ODataClient, type ODataClientSettings } from './odata-client';
import { readAllPages } from './odata-paging';
import {
  fromSapDayAndTime,
  fromSapDecimal,
  fromSapTimestamp,
  isSapFlagSet,
  odataKey,
  odataString,
  SAP_FLAG_SET,
  toSapDay,
  toSapQuantity,
  toSapTime,
  toSapTimestamp,
} from './odata-values';
import {
  CONFIRMATION_ENDPOINT,
  CONFIRMATION_SERVICE,
  PRODUCTION_ORDER_ENDPOINT,
  PRODUCTION_ORDER_SERVICE,
  type SapConfirmation,
  type SapConfirmationCreate,
  type SapProductionOrder,
  type SapProductionOrderComponent,
} from './sap-entities';
import {
  MATERIALS_PER_STOCK_REQUEST,
  stockFilter,
  toErpMaterial,
  toErpOrderComponent,
  toErpStockPosition,
} from './stock-and-materials';

export interface SapAdapterSettings extends Omit<ODataClientSettings, 'credentials'> {
  /** How to authenticate at SAP (basic, OAuth 2.0 client credentials, X.509); none when absent. */
  auth?: ErpAuth;
  /** PEM of the CA that signed SAP's server certificate, when not a public one. */
  ca?: string;
  resilience: ResilienceSettings;
  /** Entities per page when listing (orders, stock, components). */
  pageSize?: number;
  /** Most confirmations per `$batch` request; 1 (the default) posts each alone. */
  batchSize?: number;
  /**
   * The OData services this service calls (SAP_ENDPOINTS by default): each gets its in-flight slots,
   * shown on the service's status page; a call to another one is a programming error.
   */
  endpoints?: readonly string[];
  /**
   * The plant's IANA time zone: SAP reads Edm.DateTime dates and Edm.Time times as its local day
   * and time (default UTC).
   */
  timeZone?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * ERP port over SAP S/4HANA OData V2, one OData client and one ERP endpoint (in-flight limit) per
 * service: `API_PRODUCTION_ORDER_2_SRV` for orders and their components,
 * `API_PROD_ORDER_CONFIRMATION_2_SRV` for confirmations (`ExternalSystemConfirmation` as the
 * idempotency key), `API_MATERIAL_DOCUMENT_SRV` for goods movements (the posting key in the item
 * text), `API_MATERIAL_STOCK_SRV` for stock and `API_PRODUCT_SRV` for material master data. Works
 * against a real S/4HANA system or `tools/erp-simulator` unchanged.
 */
/** Every OData service the adapter can call, each an ERP endpoint with its own in-flight slots. */
export const SAP_ENDPOINTS: readonly string[] = [
  PRODUCTION_ORDER_ENDPOINT,
  CONFIRMATION_ENDPOINT,
  MATERIAL_DOCUMENT_ENDPOINT,
  MATERIAL_STOCK_ENDPOINT,
  PRODUCT_ENDPOINT,
];

export class SapErpAdapter
  implements
    ProductionOrdersPort,
    ConfirmationsPort,
    GoodsMovementsPort,
    StockPort,
    MaterialMasterPort,
    OrderComponentsPort,
    ErpConnectionPort
{
  readonly resilience: ErpResilience;
  private readonly credentials: ErpCredentials;
  private readonly orders: ODataClient;
  private readonly confirmations: ODataClient;
  private readonly stock: ODataClient;
  private readonly products: ODataClient;
  private readonly goodsMovements: SapGoodsMovements;
  private readonly pageSize: number;
  private readonly timeZone: string;
  private readonly postings: CallBatcher<ConfirmationPosting, PostedConfirmation>;

  constructor(settings: SapAdapterSettings) {
    // One set of credentials for every service: one OAuth token, one TLS identity.
    this.credentials = credentialsFor(settings.auth ?? { kind: 'none' }, settings.timeoutMs, settings.ca);
    const client = { ...settings, credentials: this.credentials };
    this.orders = new ODataClient(client, PRODUCTION_ORDER_SERVICE);
    this.confirmations = new ODataClient(client, CONFIRMATION_SERVICE);
    this.stock = new ODataClient(client, MATERIAL_STOCK_SERVICE);
    this.products = new ODataClient(client, PRODUCT_SERVICE);
    this.resilience = new ErpResilience(settings.resilience, settings.endpoints ?? SAP_ENDPOINTS);
    this.pageSize = settings.pageSize ?? 200;
    this.timeZone = settings.timeZone ?? 'UTC';
    this.goodsMovements = new SapGoodsMovements(
      new ODataClient(client, MATERIAL_DOCUMENT_SERVICE),
      this.resilience,
      this.timeZone,
    );
    this.postings = new CallBatcher(
      settings.batchSize ?? 1,
      this.resilience.has(CONFIRMATION_ENDPOINT) ? this.resilience.maxInFlightOf(CONFIRMATION_ENDPOINT) : 1,
      (batch) => this.postTogether(batch),
    );
  }

  get circuit(): string {
    return this.resilience.breakerState;
  }

  /** Lets go of connections held for the credentials (X.509's TLS pool). */
  onModuleDestroy(): Promise<void> {
    return this.credentials.close();
  }

  /**
   * Each endpoint's in-flight limit and load; postings waiting for a slot of the confirmation
   * endpoint wait in the batcher (to go out together), and count as waiting there.
   */
  endpointLoad(): EndpointLoad[] {
    return this.resilience
      .load()
      .map((endpoint) =>
        endpoint.endpoint === CONFIRMATION_ENDPOINT
          ? { ...endpoint, waiting: endpoint.waiting + this.postings.waiting }
          : endpoint,
      );
  }

  async listReleasedOrders(plant: string, changedSince?: string): Promise<ErpOrder[]> {
    const filters = [
      `ProductionPlant eq ${odataString(plant)}`,
      `OrderIsReleased eq ${odataString(SAP_FLAG_SET)}`,
    ];
    if (changedSince)
      filters.push(`LastChangeDateTime ge ${odataString(toSapTimestamp(new Date(changedSince)))}`);
    const orders = await readAllPages(this.pageSize, (page) =>
      this.resilience.execute(PRODUCTION_ORDER_ENDPOINT, 'listReleasedOrders', () =>
        this.orders.get<{ results: SapProductionOrder[] }>('listReleasedOrders', '/A_ProductionOrder_2', {
          $filter: filters.join(' and '),
          $expand: 'to_ProductionOrderOperation',
          $orderby: 'LastChangeDateTime,ManufacturingOrder',
          ...page,
          $format: 'json',
        }),
      ),
    );
    return orders.map((order) => toErpOrder(order, this.timeZone));
  }

  async getOrder(manufacturingOrder: string): Promise<ErpOrder | undefined> {
    const order = await this.resilience.execute(PRODUCTION_ORDER_ENDPOINT, 'getOrder', () =>
      this.orders.get<SapProductionOrder>(
        'getOrder',
        `/A_ProductionOrder_2(${odataKey(manufacturingOrder)})`,
        { $expand: 'to_ProductionOrderOperation', $format: 'json' },
      ),
    );
    return order && toErpOrder(order, this.timeZone);
  }

  async postConfirmation(posting: ConfirmationPosting): Promise<PostedConfirmation> {
    if (!UUID.test(posting.externalKey)) {
      throw new ErpBusinessError(
        'postConfirmation',
        `ExternalSystemConfirmation must be a UUID, got "${posting.externalKey}"`,
        400,
        'PLANTBRIDGE/KEY',
      );
    }
    return this.postings.submit(posting);
  }

  /**
   * Postings that became ready together: one POST when alone, else one `$batch` request with a
   * changeset each, so ERP applies or refuses each on its own, in order. A changeset ERP did not
   * get to (SAP may stop at a failing one) was not applied and is safe to post again.
   */
  private async postTogether(
    postings: ConfirmationPosting[],
  ): Promise<Array<ItemOutcome<PostedConfirmation>>> {
    // A failure of the request as a whole reaches every caller of the batch (see CallBatcher).
    erpMetrics.postingsPerRequest.observe(postings.length);
    if (postings.length === 1) {
      const created = await this.resilience.execute(CONFIRMATION_ENDPOINT, 'postConfirmation', () =>
        this.confirmations.post<SapConfirmation>(
          'postConfirmation',
          '/ProdnOrdConf2',
          toSapConfirmation(postings[0], this.timeZone),
        ),
      );
      return [{ ok: true, value: toPosted(created, false) }];
    }
    const answers = await this.resilience.execute(CONFIRMATION_ENDPOINT, 'postConfirmations', () =>
      this.confirmations.batch(
        'postConfirmations',
        postings.map((posting) => [
          {
            startLine: 'POST ProdnOrdConf2 HTTP/1.1',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify(toSapConfirmation(posting, this.timeZone)),
          },
        ]),
      ),
    );
    return postings.map((posting, i) => {
      const answer = answers[i];
      if (!answer)
        return {
          ok: false,
          error: new ErpTransientError(
            'postConfirmation',
            `SAP did not process confirmation ${posting.externalKey} in its $batch (${answers.length} of ${postings.length} answered)`,
          ),
        };
      return answer.ok ? { ok: true, value: toPosted(answer.data as SapConfirmation, false) } : answer;
    });
  }

  async findConfirmation(externalKey: string): Promise<PostedConfirmation | undefined> {
    if (!UUID.test(externalKey)) return undefined;
    const page = await this.resilience.execute(CONFIRMATION_ENDPOINT, 'findConfirmation', () =>
      this.confirmations.get<{ results: SapConfirmation[] }>('findConfirmation', '/ProdnOrdConf2', {
        $filter: `ExternalSystemConfirmation eq guid'${externalKey}'`,
        $format: 'json',
      }),
    );
    const posted = page?.results.find((c) => !c.IsReversal && !c.IsReversed);
    return posted && toPosted(posted, true);
  }

  postGoodsMovement(posting: GoodsMovementPosting): Promise<PostedGoodsMovement> {
    return this.goodsMovements.post(posting);
  }

  findGoodsMovement(postingKey: string): Promise<PostedGoodsMovement | undefined> {
    return this.goodsMovements.find(postingKey);
  }

  reverseGoodsMovement(reversal: GoodsMovementReversal): Promise<PostedGoodsMovement> {
    return this.goodsMovements.reverse(reversal);
  }

  findReversal(
    postingKey: string,
    original: MaterialDocumentItemRef,
  ): Promise<PostedGoodsMovement | undefined> {
    return this.goodsMovements.findReversal(postingKey, original);
  }

  /** The plant's own stock of the types Plantbridge keeps, a few dozen materials per request. */
  async listStock(plant: string, materials?: string[]): Promise<ErpStockPosition[]> {
    const groups = materials ? chunks(materials, MATERIALS_PER_STOCK_REQUEST) : [undefined];
    const positions: ErpStockPosition[] = [];
    for (const group of groups) {
      const rows = await readAllPages(this.pageSize, (page) =>
        this.resilience.execute(MATERIAL_STOCK_ENDPOINT, 'listStock', () =>
          this.stock.get<{ results: SapMaterialStock[] }>('listStock', '/A_MatlStkInAcctMod', {
            $filter: stockFilter(plant, group),
            $orderby: 'Material,StorageLocation,Batch,InventoryStockType',
            ...page,
            $format: 'json',
          }),
        ),
      );
      for (const row of rows) {
        const position = toErpStockPosition(row);
        if (position) positions.push(position);
      }
    }
    return positions;
  }

  async getMaterial(material: string, plant: string): Promise<ErpMaterial | undefined> {
    const found = await this.resilience.execute(PRODUCT_ENDPOINT, 'getMaterial', () =>
      this.products.get<SapProductPlant>(
        'getMaterial',
        `/A_ProductPlant(Product=${odataKey(material)},Plant=${odataKey(plant)})`,
        { $expand: 'to_StorageLocation', $format: 'json' },
      ),
    );
    return found && toErpMaterial(found);
  }

  async listOrderComponents(manufacturingOrder: string): Promise<ErpOrderComponent[]> {
    const components = await readAllPages(this.pageSize, (page) =>
      this.resilience.execute(PRODUCTION_ORDER_ENDPOINT, 'listOrderComponents', () =>
        this.orders.get<{ results: SapProductionOrderComponent[] }>(
          'listOrderComponents',
          '/A_ProductionOrderComponent_2',
          {
            $filter: `ManufacturingOrder eq ${odataString(manufacturingOrder)}`,
            $orderby: 'Reservation,ReservationItem',
            ...page,
            $format: 'json',
          },
        ),
      ),
    );
    return components.map(toErpOrderComponent);
  }

  /** Reverses a posted confirmation (SAP's `CancelProdnOrdConf`); no service needs it yet. */
  async cancelConfirmation(confirmationGroup: string, confirmationCount: string): Promise<void> {
    await this.resilience.execute(CONFIRMATION_ENDPOINT, 'cancelConfirmation', () =>
      this.confirmations.post('cancelConfirmation', '/CancelProdnOrdConf', undefined, {
        ConfirmationGroup: odataString(confirmationGroup),
        ConfirmationCount: odataString(confirmationCount),
      }),
    );
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );
}

function statusOf(order: SapProductionOrder): ErpOrderStatus {
  if (isSapFlagSet(order.OrderIsClosed)) return 'closed';
  if (isSapFlagSet(order.OrderIsTechnicallyCompleted)) return 'technically-completed';
  if (isSapFlagSet(order.OrderIsReleased)) return 'released';
  return 'created';
}

function isoOrEmpty(date: Date | undefined): string {
  return date ? date.toISOString() : '';
}

export function toErpOrder(order: SapProductionOrder, timeZone = 'UTC'): ErpOrder {
  return {
    manufacturingOrder: order.ManufacturingOrder,
    plant: order.ProductionPlant,
    material: order.Material,
    totalQuantity: fromSapDecimal(order.TotalQuantity),
    unit: order.ProductionUnit,
    storageLocation: order.StorageLocation || undefined,
    scheduledStart: isoOrEmpty(
      fromSapDayAndTime(order.MfgOrderPlannedStartDate, order.MfgOrderPlannedStartTime, timeZone),
    ),
    scheduledEnd: isoOrEmpty(
      fromSapDayAndTime(order.MfgOrderPlannedEndDate, order.MfgOrderPlannedEndTime, timeZone),
    ),
    status: statusOf(order),
    lastChangedAt: isoOrEmpty(fromSapTimestamp(order.LastChangeDateTime)),
    operations: (order.to_ProductionOrderOperation?.results ?? []).map((op) => ({
      operation: op.ManufacturingOrderOperation,
      sequence: op.ManufacturingOrderSequence,
      workCenter: op.WorkCenter,
      description: op.MfgOrderOperationText || undefined,
      plannedQuantity: op.OpPlannedTotalQuantity ? fromSapDecimal(op.OpPlannedTotalQuantity) : undefined,
    })),
  };
}

/** The confirmation as SAP takes it; dates and times are the plant's (`timeZone`), as SAP reads them. */
export function toSapConfirmation(posting: ConfirmationPosting, timeZone = 'UTC'): SapConfirmationCreate {
  const start = new Date(posting.executionStart);
  const end = new Date(posting.executionEnd);
  return {
    OrderID: posting.manufacturingOrder,
    Sequence: posting.sequence ?? '0',
    OrderOperation: posting.operation,
    ConfirmationYieldQuantity: toSapQuantity(posting.yieldQuantity),
    ConfirmationScrapQuantity: toSapQuantity(posting.scrapQuantity),
    ConfirmationReworkQuantity: toSapQuantity(posting.reworkQuantity),
    ConfirmationUnit: posting.unit,
    FinalConfirmationType: posting.finalConfirmation ? 'X' : '',
    PostingDate: toSapDay(posting.postingDate ? new Date(posting.postingDate) : end, timeZone),
    ConfirmedExecutionStartDate: toSapDay(start, timeZone),
    ConfirmedExecutionStartTime: toSapTime(start, timeZone),
    ConfirmedExecutionEndDate: toSapDay(end, timeZone),
    ConfirmedExecutionEndTime: toSapTime(end, timeZone),
    ExternalSystemConfirmation: posting.externalKey,
  };
}

function toPosted(confirmation: SapConfirmation, alreadyPosted: boolean): PostedConfirmation {
  return {
    // SAP answers a GUID in whatever letter case it keeps; our keys are lower case.
    externalKey: confirmation.ExternalSystemConfirmation.toLowerCase(),
    confirmationGroup: confirmation.ConfirmationGroup,
    confirmationCount: confirmation.ConfirmationCount,
    alreadyPosted,
  };
}
