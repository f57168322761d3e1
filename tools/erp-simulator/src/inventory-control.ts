import type { MaterialDefinition } from './materials-master';
import type { ErpStore, StockInput } from './store';

/** A control call's answer. */
export interface ControlAnswer {
  status: number;
  body: unknown;
}

/** A control call whose input does not make sense: answered 400 with the reason. */
export class ControlInputError extends Error {}

function required(body: Record<string, unknown>, ...fields: string[]): void {
  const missing = fields.filter((field) => typeof body[field] !== 'string' || !body[field]);
  if (missing.length) throw new ControlInputError(`${missing.join(', ')} must be given as strings`);
}

/**
 * The control API of the simulated inventory management, under `/__sim`: materials, stock, the
 * material document ledger, MM's posting period and an order's components. Undefined for a path it
 * does not serve. (The lock of a material is a fault: `PUT /__sim/faults {"materialLock": …}`.)
 */
export function inventoryControl(
  store: ErpStore,
  method: string,
  path: string,
  body: Record<string, unknown>,
  query: URLSearchParams,
): ControlAnswer | undefined {
  if (path === '/materials' && method === 'POST') {
    required(body, 'material', 'plant');
    return { status: 201, body: store.materials.define(body as unknown as MaterialDefinition) };
  }
  if (path === '/materials' && method === 'GET')
    return { status: 200, body: { materials: store.materials.all(query.get('plant') ?? undefined) } };
  if (path === '/stock' && method === 'PUT') {
    const inputs = Array.isArray(body.positions) ? (body.positions as Record<string, unknown>[]) : [body];
    const positions = inputs.map((input) => {
      required(input, 'material', 'plant', 'storageLocation');
      if (typeof input.quantity !== 'number') throw new ControlInputError('quantity must be a number');
      try {
        return store.setStock(input as unknown as StockInput);
      } catch (error) {
        throw new ControlInputError((error as Error).message);
      }
    });
    return { status: 200, body: { positions } };
  }
  if (path === '/stock' && method === 'GET') {
    const filter = { plant: query.get('plant') ?? undefined, material: query.get('material') ?? undefined };
    return { status: 200, body: { positions: store.stockPositions(filter) } };
  }
  if (path === '/material-documents' && method === 'GET') {
    const from = Number(query.get('from') ?? 0);
    const documents = store.materialDocuments.documents(from);
    return {
      status: 200,
      body: {
        from,
        documents: documents.map(({ header, items }) => ({
          ...header,
          to_MaterialDocumentItem: { results: items },
        })),
        committedAt: documents.map((document) => document.committedAt),
      },
    };
  }
  if (path === '/posting-period' && method === 'PUT') {
    if (typeof body.current !== 'string') throw new ControlInputError('current must be a period, yyyy/mm');
    try {
      store.materialDocuments.setPostingPeriod(body.current);
    } catch (error) {
      throw new ControlInputError((error as Error).message);
    }
    return { status: 200, body: { current: store.materialDocuments.postingPeriod } };
  }
  if (path === '/posting-period' && method === 'DELETE') {
    store.materialDocuments.setPostingPeriod(undefined);
    return { status: 200, body: { current: null } };
  }
  const components = /^\/orders\/(\w+)\/components$/.exec(path);
  if (components && method === 'GET')
    return { status: 200, body: { components: store.componentsOf(components[1]) } };
  return undefined;
}
