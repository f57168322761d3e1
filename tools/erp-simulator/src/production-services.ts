import { STATUS_CODES } from 'node:http';
import {
  type BatchMessage,
  type BatchPart,
  batchContentType,
  CONFIRMATION_SERVICE,
  decodeBatch,
  encodeBatch,
  newBoundary,
  PRODUCTION_ORDER_SERVICE,
  type SapConfirmation,
  type SapConfirmationCreate,
  type SapProductionOrder,
} from '@plantbridge/erp';
import type { Contract } from './contract';
import { applyQuery, parseResourcePath } from './odata-query';
import type { ODataRequest, ODataService, ServiceContext } from './odata-service';
import { stringParameter } from './odata-service';
import { methodNotAllowed, notFound, rejectionBody, sapErrorBody, sendJson } from './sap-responses';
import { SapRejection } from './sap-rejection';
import type { ErpStore } from './store';

/** `API_PRODUCTION_ORDER_2_SRV`, read only: orders with their operations, and their components. */
export class ProductionOrderService implements ODataService {
  readonly root = PRODUCTION_ORDER_SERVICE;

  constructor(
    readonly contract: Contract,
    private readonly store: ErpStore,
    private readonly context: ServiceContext,
  ) {}

  handle({ res, method, path, params }: ODataRequest): void {
    if (method !== 'GET') throw methodNotAllowed(method);
    if (path === '/')
      return sendJson(res, 200, {
        d: {
          EntitySets: ['A_ProductionOrder_2', 'A_ProductionOrderOperation_2', 'A_ProductionOrderComponent_2'],
        },
      });
    const resource = parseResourcePath(path);
    if (resource?.set === 'A_ProductionOrder_2' && !resource.navigation) {
      if (!resource.key) {
        const types = this.contract.filterTypes('A_ProductionOrder_2');
        const results = applyQuery(this.store.allOrders(), params, types).map((o) =>
          this.orderAsSent(o, params),
        );
        return sendJson(res, 200, { d: { results } });
      }
      const { ManufacturingOrder } = this.contract.checkKey('A_ProductionOrder_2', resource.key);
      const order = this.store.order(ManufacturingOrder);
      if (!order) throw notFound('A_ProductionOrder_2');
      return sendJson(res, 200, { d: this.orderAsSent(order, params) });
    }
    if (resource?.set === 'A_ProductionOrderComponent_2' && !resource.key) {
      const types = this.contract.filterTypes('A_ProductionOrderComponent_2');
      const results = applyQuery(this.store.allComponents(), params, types).map((c) =>
        this.contract.withMetadata(this.context.url, 'A_ProductionOrderComponent_2', c),
      );
      return sendJson(res, 200, { d: { results } });
    }
    throw notFound(path);
  }

  /** An order as SAP sends it: `__metadata` on it and on its expanded operations. */
  private orderAsSent(order: SapProductionOrder, params: URLSearchParams): SapProductionOrder {
    const sent = this.contract.withMetadata(this.context.url, 'A_ProductionOrder_2', expand(order, params));
    if (sent.to_ProductionOrderOperation)
      sent.to_ProductionOrderOperation = {
        results: sent.to_ProductionOrderOperation.results.map((op) =>
          this.contract.withMetadata(this.context.url, 'A_ProductionOrderOperation_2', op),
        ),
      };
    return sent;
  }
}

/** `API_PROD_ORDER_CONFIRMATION_2_SRV`: confirmations, alone or in `$batch`, and their cancellation. */
export class ConfirmationService implements ODataService {
  readonly root = CONFIRMATION_SERVICE;

  constructor(
    readonly contract: Contract,
    private readonly store: ErpStore,
    private readonly context: ServiceContext,
  ) {}

  handle(request: ODataRequest): void {
    const { res, method, path, params, body } = request;
    if (path === '/' && method === 'GET') return sendJson(res, 200, { d: { EntitySets: ['ProdnOrdConf2'] } });
    if (path === '/ProdnOrdConf2' && method === 'GET') {
      const types = this.contract.filterTypes('ProdnOrdConf2');
      const results = applyQuery(this.store.ledger(), params, types).map((c) => this.asSent(c));
      return sendJson(res, 200, { d: { results } });
    }
    if (path === '/$batch' && method === 'POST') return this.batch(request);
    if (path === '/ProdnOrdConf2' && method === 'POST') {
      const input = JSON.parse(body) as SapConfirmationCreate;
      this.contract.checkCreate('ProdnOrdConf2', input);
      return this.context.write(
        request,
        () => this.store.confirm(input),
        (confirmation) => sendJson(res, 201, { d: this.asSent(confirmation) }),
      );
    }
    // Function imports, as the metadata has them: `CancelProdnOrdConf` (`Cancel`, of the material
    // document service, is a 404 here).
    if (/^\/\w+$/.test(path) && path !== '/ProdnOrdConf2') {
      this.contract.checkFunctionImport(path.slice(1), method, params);
      const reversal = this.store.cancel(
        stringParameter(params, 'ConfirmationGroup'),
        stringParameter(params, 'ConfirmationCount'),
      );
      return sendJson(res, 200, { d: this.asSent(reversal) });
    }
    throw notFound(path);
  }

  private asSent(confirmation: SapConfirmation): SapConfirmation {
    return this.contract.withMetadata(this.context.url, 'ProdnOrdConf2', confirmation);
  }

  /**
   * `$batch` of confirmation changesets, one operation each (all the adapter sends). Changesets are
   * applied in order; like SAP Gateway, the first one refused ends the batch: its error is the last
   * answer and the changesets after it are not applied. The write faults count a batch as one write.
   */
  private batch(request: ODataRequest): void {
    const parts = decodeBatch(request.req.headers['content-type'], request.body);
    this.context.write(
      request,
      () => {
        const answers: BatchPart[] = [];
        for (const part of parts) {
          const answered = this.changeset(part);
          answers.push(answered);
          if ('message' in answered) break;
        }
        return answers;
      },
      (answers) => {
        const boundary = newBoundary('batchresponse');
        const text = encodeBatch(boundary, answers);
        request.res.writeHead(202, {
          'content-type': batchContentType(boundary),
          'content-length': Buffer.byteLength(text),
        });
        request.res.end(text);
      },
    );
  }

  private changeset(part: BatchPart): BatchPart {
    const requests = 'changeset' in part ? part.changeset : [part.message];
    const [request] = requests;
    if (requests.length !== 1 || !/^POST ProdnOrdConf2 HTTP\/1\.1$/.test(request.startLine)) {
      return {
        message: answer(
          400,
          sapErrorBody(
            '/IWBEP/CM_MGW_RT/022',
            'The simulator takes changesets of one POST ProdnOrdConf2 each',
          ),
        ),
      };
    }
    try {
      const input = JSON.parse(request.body) as SapConfirmationCreate;
      this.contract.checkCreate('ProdnOrdConf2', input);
      return { changeset: [answer(201, { d: this.asSent(this.store.confirm(input)) })] };
    } catch (error) {
      if (error instanceof SapRejection) return { message: answer(error.status, rejectionBody(error)) };
      if (error instanceof SyntaxError)
        return {
          message: answer(400, sapErrorBody('/IWBEP/CM_MGW_RT/021', `Malformed JSON: ${error.message}`)),
        };
      throw error;
    }
  }
}

/** One HTTP answer inside a `$batch` response. */
function answer(status: number, body: unknown): BatchMessage {
  return {
    startLine: `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`.trim(),
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** Navigation properties only when `$expand` asks for them, as SAP sends them. */
function expand<T extends { to_ProductionOrderOperation?: unknown }>(order: T, params: URLSearchParams): T {
  if (params.get('$expand')?.includes('to_ProductionOrderOperation')) return order;
  const { to_ProductionOrderOperation: _omitted, ...rest } = order;
  return rest as T;
}
