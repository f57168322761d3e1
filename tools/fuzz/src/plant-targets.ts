import { createEvent, Production } from '@plantbridge/canonical-model';
import { uniqueToken } from '@plantbridge/testing';
import type { PlantUnderFuzz } from './plant-under-fuzz';
import type { FuzzTargets } from './routes';
import type { EventTargets } from './subjects';
import { until } from './until';

type Json = Record<string, unknown>;

const confirmation = (operation = '0010') => ({
  operation,
  yieldQuantity: 1,
  unit: 'PC',
  executionStart: '2026-11-26T06:00:00Z',
  executionEnd: '2026-11-26T08:00:00Z',
});

/** Setup steps on the plant: orders, confirmations and postings made the way MES and ERP make them. */
class Setup {
  constructor(private readonly plant: PlantUnderFuzz) {}

  orderPath(order: string): string {
    return `/v1/plants/${this.plant.plant}/production-orders/${order}`;
  }

  async post(path: string, body: unknown, expected: number): Promise<Json> {
    const result = await this.plant.request('orders', 'POST', path, body, uniqueToken('setup'));
    if (result.status !== expected)
      throw new Error(`POST ${path}: ${result.status} ${JSON.stringify(result.body)}`);
    return result.body as Json;
  }

  /** Orders ERP releases, once the plant knows them; acknowledged by MES if asked. */
  async release(
    count: number,
    quantity: number,
    operations: number,
    acknowledge: boolean,
  ): Promise<string[]> {
    const { erp, plant } = this.plant;
    const orders: string[] = [];
    for (let i = 0; i < count; i++) orders.push(await erp.releaseOrder(plant, quantity, operations));
    for (const order of orders) {
      const known = async () =>
        (await this.plant.request('orders', 'GET', this.orderPath(order))).status === 200;
      await until(`order ${order} to arrive`, known);
      if (acknowledge) await this.post(`${this.orderPath(order)}/acknowledgement`, { accepted: true }, 200);
    }
    return orders;
  }

  async postingState(key: string): Promise<string> {
    const posting = (await this.plant.get(
      'orders',
      `/v1/plants/${this.plant.plant}/erp-postings/${key}`,
    )) as {
      state: string;
    };
    return posting.state;
  }

  /** Confirmations of `order`'s operations 0010 and 0020 that ERP holds, as their event payloads. */
  async posted(order: string): Promise<Production.OperationConfirmedV1[]> {
    const posted: Production.OperationConfirmedV1[] = [];
    for (const operation of ['0010', '0020']) {
      const request = confirmation(operation);
      const view = await this.post(`${this.orderPath(order)}/confirmations`, request, 202);
      const key = view.confirmationId as string;
      await until(
        `confirmation ${key} to be posted`,
        async () => (await this.postingState(key)) === 'posted',
      );
      posted.push({
        ...request,
        executionStart: new Date(request.executionStart).toISOString(),
        executionEnd: new Date(request.executionEnd).toISOString(),
        confirmationKey: key,
        manufacturingOrder: order,
        plant: this.plant.plant,
        scrapQuantity: 0,
        reworkQuantity: 0,
        finalConfirmation: false,
      });
    }
    return posted;
  }

  /**
   * Postings ERP refused (the order closed while ERP was down): the exception queue's content. One
   * per operation: a failed posting holds up the later ones of its operation until it is discarded.
   */
  async failedPostings(): Promise<string[]> {
    const [order] = await this.release(1, 1000, 6, true);
    await this.plant.erp.outage(120_000);
    const keys: string[] = [];
    for (const operation of ['0010', '0020', '0030', '0040', '0050', '0060']) {
      const view = await this.post(`${this.orderPath(order)}/confirmations`, confirmation(operation), 202);
      keys.push(view.confirmationId as string);
    }
    await this.plant.erp.close(order);
    await this.plant.erp.clearFaults();
    for (const key of keys)
      await until(`posting ${key} to fail`, async () => (await this.postingState(key)) === 'failed', 60_000);
    return keys;
  }

  /** Equipment the gateway knows an operation runs on, for operation-completed to end. */
  async runningEquipment(): Promise<EventTargets['running']> {
    const { plant, publisher } = this.plant;
    const running = Array.from({ length: 40 }, (_, i) => ({
      equipmentId: `fz-running-${i}`,
      manufacturingOrder: String(7_000_000 + i),
      operation: '0010',
    }));
    for (const r of running) {
      const data = { ...r, plant, workCenter: 'ASSY01', startedAt: new Date().toISOString() };
      await publisher.publish(
        createEvent(Production.OperationStartedV1Event, data, { plant, source: '/fuzz/setup' }),
      );
    }
    const learned = async () => (await this.plant.contexts()).size >= running.length;
    await until('the gateway to learn the running operations', learned);
    return running;
  }
}

/**
 * What valid requests and events refer to: released and acknowledged orders (10^9 pieces where
 * confirmations go: below SAP's 10^10 limit, and no run confirms that much), posted confirmations,
 * failed postings in the exception queue, equipment with a running operation.
 */
export async function makeTargets(
  plant: PlantUnderFuzz,
): Promise<{ targets: FuzzTargets; events: EventTargets }> {
  const setup = new Setup(plant);
  const confirmOrders = await setup.release(2, 1e9, 2, true);
  const [countOrder] = await setup.release(1, 1e9, 2, true);
  const releasedOrders = await setup.release(4, 100, 2, false);
  const operationOrders = (await setup.release(2, 100, 40, true)).map((order) => ({
    order,
    operations: Array.from({ length: 40 }, (_, i) => String((i + 1) * 10).padStart(4, '0')),
  }));
  const posted = await setup.posted(confirmOrders[0]);
  const failedPostings = await setup.failedPostings();
  const running = await setup.runningEquipment();
  const targets: FuzzTargets = {
    plant: plant.plant,
    releasedOrders,
    confirmOrders,
    operationOrders,
    failedPostings,
    confirmations: posted.map((c) => ({ order: c.manufacturingOrder, id: c.confirmationKey })),
    endpointId: 'line1',
    nodeIds: [
      'i=85',
      'ns=1;s=Line1',
      'ns=1;s=Line1.M01',
      'ns=1;s=Line1.M01.GoodParts',
      'ns=1;s=Nowhere',
      'i=84',
    ],
  };
  const events: EventTargets = {
    plant: plant.plant,
    countOrder,
    posted,
    running,
    erpHoldings: () => plant.erp.holdings(),
    contexts: () => plant.contexts(),
    confirmOverRest: async () => {
      const path = `${setup.orderPath(countOrder)}/confirmations`;
      const result = await plant.request('orders', 'POST', path, confirmation('0020'), uniqueToken('rest'));
      return result.status === 202 ? ((result.body as Json).confirmationId as string) : undefined;
    },
  };
  return { targets, events };
}
