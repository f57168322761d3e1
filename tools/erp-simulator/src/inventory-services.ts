import {
  MATERIAL_DOCUMENT_SERVICE,
  MATERIAL_STOCK_SERVICE,
  PRODUCT_SERVICE,
  type SapMaterialDocumentItem,
} from '@plantbridge/erp';
import type { Contract } from './contract';
import { itemsOf, type MaterialDocument, type MaterialDocumentInput } from './material-documents';
import { asProductPlant, asStorageLocations } from './materials-master';
import { applyQuery, parseLiteral, parseResourcePath, type ResourcePath } from './odata-query';
import { type ODataRequest, type ODataService, type ServiceContext, stringParameter } from './odata-service';
import { methodNotAllowed, notFound, sendJson } from './sap-responses';
import type { ErpStore } from './store';

/** The entity set a path addresses; 404 for a path that addresses none. */
function resourceOf(path: string): ResourcePath {
  const resource = parseResourcePath(path);
  if (!resource) throw notFound(path);
  return resource;
}

const expands = (params: URLSearchParams, navigation: string) =>
  (params.get('$expand') ?? '').split(',').some((e) => e.trim() === navigation);

/**
 * `API_MATERIAL_DOCUMENT_SRV`: material documents posted by deep insert of the header with its
 * items (the item set alone is not creatable, as in SAP), read by header or item with `$filter`,
 * and reversed with `Cancel` / `CancelItem`. Every write goes under the write faults and the lock
 * fault.
 */
export class MaterialDocumentService implements ODataService {
  readonly root = MATERIAL_DOCUMENT_SERVICE;

  constructor(
    readonly contract: Contract,
    private readonly store: ErpStore,
    private readonly context: ServiceContext,
  ) {}

  handle(request: ODataRequest): void {
    const { res, method, path, body } = request;
    if (path === '/' && method === 'GET')
      return sendJson(res, 200, { d: { EntitySets: Object.keys(this.contract.service.entitySets) } });
    const resource = resourceOf(path);
    if (this.contract.service.functionImports[resource.set] && !resource.key)
      return this.functionImport(request, resource.set);
    if (method === 'POST') {
      const input = JSON.parse(body) as MaterialDocumentInput;
      // Refuses A_MaterialDocumentItem (not creatable alone) and any field SAP would not take.
      this.contract.checkCreate(resource.set, input);
      if (resource.set !== 'A_MaterialDocumentHeader' || resource.key) throw methodNotAllowed(method);
      this.context.checkLocks(itemsOf(input).map((item) => item.Material ?? ''));
      return this.context.write(
        request,
        () => this.documents.post(input),
        (document) => sendJson(res, 201, { d: this.documentAsSent(document, true) }),
      );
    }
    if (method !== 'GET') throw methodNotAllowed(method);
    if (resource.set === 'A_MaterialDocumentItem') return this.readItems(request, resource);
    if (resource.set === 'A_MaterialDocumentHeader') return this.readHeaders(request, resource);
    this.contract.entitySet(resource.set);
    throw notFound(path);
  }

  private get documents() {
    return this.store.materialDocuments;
  }

  /** `Cancel` (a document) and `CancelItem` (one item): the reversal, as SAP answers it. */
  private functionImport(request: ODataRequest, name: string): void {
    const { res, method, params } = request;
    this.contract.checkFunctionImport(name, method, params);
    const year = stringParameter(params, 'MaterialDocumentYear');
    const document = stringParameter(params, 'MaterialDocument');
    const postingDate = params.get('PostingDate');
    const day = postingDate ? (parseLiteral(postingDate).value as number) : undefined;
    if (name === 'CancelItem') {
      const item = stringParameter(params, 'MaterialDocumentItem');
      this.context.checkLocks(this.documents.materialsOf(year, document, item));
      return this.context.write(
        request,
        () => this.documents.cancelItem(year, document, item, day),
        (reversal) => sendJson(res, 200, { d: this.itemAsSent(reversal.items[0]) }),
      );
    }
    this.context.checkLocks(this.documents.materialsOf(year, document));
    this.context.write(
      request,
      () => this.documents.cancel(year, document, day),
      (reversal) => sendJson(res, 200, { d: this.documentAsSent(reversal, true) }),
    );
  }

  private readItems({ res, params }: ODataRequest, resource: ResourcePath): void {
    if (resource.navigation) throw notFound(resource.navigation);
    if (resource.key) {
      const key = this.contract.checkKey('A_MaterialDocumentItem', resource.key);
      const item = this.documents
        .document(key.MaterialDocumentYear, key.MaterialDocument)
        ?.items.find((i) => i.MaterialDocumentItem === key.MaterialDocumentItem);
      if (!item) throw notFound('A_MaterialDocumentItem');
      return sendJson(res, 200, { d: this.itemAsSent(item) });
    }
    const types = this.contract.filterTypes('A_MaterialDocumentItem');
    const results = applyQuery(this.documents.items(), params, types).map((item) => this.itemAsSent(item));
    sendJson(res, 200, { d: { results } });
  }

  private readHeaders({ res, params }: ODataRequest, resource: ResourcePath): void {
    if (!resource.key) {
      const types = this.contract.filterTypes('A_MaterialDocumentHeader');
      const documents = this.documents.documents();
      const headers = applyQuery(
        documents.map((d) => d.header),
        params,
        types,
      );
      const results = headers.map((header) =>
        this.documentAsSent(
          documents.find((d) => d.header === header) as MaterialDocument,
          expands(params, 'to_MaterialDocumentItem'),
        ),
      );
      return sendJson(res, 200, { d: { results } });
    }
    const key = this.contract.checkKey('A_MaterialDocumentHeader', resource.key);
    const document = this.documents.document(key.MaterialDocumentYear, key.MaterialDocument);
    if (!document) throw notFound('A_MaterialDocumentHeader');
    if (resource.navigation === 'to_MaterialDocumentItem')
      return sendJson(res, 200, { d: { results: document.items.map((item) => this.itemAsSent(item)) } });
    if (resource.navigation) throw notFound(resource.navigation);
    sendJson(res, 200, { d: this.documentAsSent(document, expands(params, 'to_MaterialDocumentItem')) });
  }

  private documentAsSent(document: MaterialDocument, withItems: boolean) {
    const header = this.contract.withMetadata(this.context.url, 'A_MaterialDocumentHeader', document.header);
    if (!withItems) return header;
    return {
      ...header,
      to_MaterialDocumentItem: { results: document.items.map((item) => this.itemAsSent(item)) },
    };
  }

  private itemAsSent(item: SapMaterialDocumentItem) {
    return this.contract.withMetadata(this.context.url, 'A_MaterialDocumentItem', item);
  }
}

/** `API_MATERIAL_STOCK_SRV`, read only: the stock ledger as `A_MatlStkInAcctMod`. */
export class MaterialStockService implements ODataService {
  readonly root = MATERIAL_STOCK_SERVICE;

  constructor(
    readonly contract: Contract,
    private readonly store: ErpStore,
    private readonly context: ServiceContext,
  ) {}

  handle({ res, method, path, params, body }: ODataRequest): void {
    if (path === '/' && method === 'GET')
      return sendJson(res, 200, { d: { EntitySets: ['A_MatlStkInAcctMod'] } });
    const resource = resourceOf(path);
    // SAP's stock is read only: a POST is refused by the contract (the set is not creatable).
    if (method === 'POST') this.contract.checkCreate(resource.set, JSON.parse(body));
    if (method !== 'GET') throw methodNotAllowed(method);
    if (resource.set !== 'A_MatlStkInAcctMod' || resource.key) {
      this.contract.entitySet(resource.set);
      throw notFound(path);
    }
    const types = this.contract.filterTypes('A_MatlStkInAcctMod');
    const results = applyQuery(this.store.stock.rows(), params, types).map((row) =>
      this.contract.withMetadata(this.context.url, 'A_MatlStkInAcctMod', row),
    );
    sendJson(res, 200, { d: { results } });
  }
}

/** `API_PRODUCT_SRV`, the part read: a material at a plant with its storage locations. */
export class ProductService implements ODataService {
  readonly root = PRODUCT_SERVICE;

  constructor(
    readonly contract: Contract,
    private readonly store: ErpStore,
    private readonly context: ServiceContext,
  ) {}

  handle({ res, method, path, params, body }: ODataRequest): void {
    if (path === '/' && method === 'GET')
      return sendJson(res, 200, { d: { EntitySets: ['A_ProductPlant', 'A_ProductStorageLocation'] } });
    const resource = resourceOf(path);
    if (method === 'POST') {
      // SAP creates material master data this way; the simulator takes it from its control API.
      this.contract.checkCreate(resource.set, JSON.parse(body));
      throw methodNotAllowed(method);
    }
    if (method !== 'GET') throw methodNotAllowed(method);
    if (resource.set === 'A_ProductPlant' && resource.key) {
      const { Product, Plant } = this.contract.checkKey('A_ProductPlant', resource.key);
      const material = this.store.materials.get(Product, Plant);
      if (!material) throw notFound('A_ProductPlant');
      if (resource.navigation === 'to_StorageLocation')
        return sendJson(res, 200, {
          d: { results: this.storageLocationsAsSent(asStorageLocations(material)) },
        });
      if (resource.navigation) throw notFound(resource.navigation);
      return sendJson(res, 200, {
        d: this.plantAsSent(asProductPlant(material, expands(params, 'to_StorageLocation'))),
      });
    }
    if (resource.set === 'A_ProductPlant' && !resource.navigation) {
      const types = this.contract.filterTypes('A_ProductPlant');
      const plants = this.store.materials
        .all()
        .map((m) => asProductPlant(m, expands(params, 'to_StorageLocation')));
      return sendJson(res, 200, {
        d: { results: applyQuery(plants, params, types).map((p) => this.plantAsSent(p)) },
      });
    }
    this.contract.entitySet(resource.set);
    throw notFound(path);
  }

  private plantAsSent(plant: ReturnType<typeof asProductPlant>) {
    const sent = this.contract.withMetadata(this.context.url, 'A_ProductPlant', plant);
    if (sent.to_StorageLocation)
      sent.to_StorageLocation = { results: this.storageLocationsAsSent(sent.to_StorageLocation.results) };
    return sent;
  }

  private storageLocationsAsSent(locations: ReturnType<typeof asStorageLocations>) {
    return locations.map((location) =>
      this.contract.withMetadata(this.context.url, 'A_ProductStorageLocation', location),
    );
  }
}
