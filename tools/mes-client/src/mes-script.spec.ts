import { MesCallError, type MesClient, type MesOrderView } from './mes-client';
import { MesScript } from './mes-script';

/** production-order-sync's order states, as far as the script sees them. */
class FakeOrders {
  readonly orders: MesOrderView[] = [];
  readonly calls: string[] = [];
  refuseStart = new Set<string>();

  constructor(private readonly withInventory = false) {}

  release(id: string, operations = ['0010', '0020']): void {
    this.orders.push({
      manufacturingOrder: id,
      plant: 'P1',
      status: 'released',
      totalQuantity: 10,
      unit: 'PC',
      operations: operations.map((operation) => ({ operation, status: 'pending' })),
    });
  }

  client(): MesClient {
    const find = (id: string) => this.orders.find((o) => o.manufacturingOrder === id) as MesOrderView;
    const op = (id: string, operation: string) =>
      find(id).operations.find((o) => o.operation === operation) as MesOrderView['operations'][number];
    return {
      orders: async () => structuredClone(this.orders),
      acknowledge: async (id: string) => {
        this.calls.push(`ack ${id}`);
        find(id).status = 'acknowledged';
        return find(id);
      },
      startOperation: async (id: string, operation: string, equipment: string) => {
        if (this.refuseStart.has(id)) throw new MesCallError(409, 'order closed', 'start');
        this.calls.push(`start ${id}/${operation} on ${equipment}`);
        op(id, operation).status = 'started';
        find(id).status = 'in-progress';
        return find(id);
      },
      completeOperation: async (id: string, operation: string) => {
        this.calls.push(`complete ${id}/${operation}`);
        op(id, operation).status = 'completed';
        op(id, operation).confirmedYield = 9;
        return find(id);
      },
      inventoryUrl: this.withInventory ? 'http://inventory' : undefined,
      components: async (id: string) => ({
        manufacturingOrder: id,
        material: 'FG-1',
        unit: 'PC',
        storageLocation: 'FG9',
        components: [
          {
            reservation: 'R',
            reservationItem: '0001',
            material: 'RM-1',
            operation: '0010',
            storageLocation: 'S1',
            openQuantity: 20,
            unit: 'PC',
            backflush: true,
          },
          {
            reservation: 'R',
            reservationItem: '0002',
            material: 'RM-2',
            operation: '0020',
            storageLocation: 'S2',
            batch: 'B7',
            openQuantity: 5,
            unit: 'KG',
            backflush: false,
          },
        ],
      }),
      move: async (step: string, body: Record<string, unknown>) => {
        this.calls.push(
          `move ${step} ${body.movementType} ${body.quantity} ${body.material}${body.batch ? ` ${body.batch}` : ''}`,
        );
        return { movementId: step, status: 'accepted' };
      },
    } as unknown as MesClient;
  }
}

/** The script's step log is for people; these tests read the calls it made. */
const ignoreLog = (_line: string) => undefined;

describe('MesScript', () => {
  it('acknowledges released orders, runs their operations in turn on free machines and completes them after the set time', async () => {
    const erp = new FakeOrders();
    erp.release('A');
    erp.release('B', ['0010']);
    erp.release('C', ['0010']);
    const script = new MesScript(erp.client(), {
      equipment: ['M1', 'M2'],
      operationMs: 1000,
      log: ignoreLog,
    });

    await script.step(0);
    expect(erp.calls).toEqual(['ack A', 'ack B', 'ack C', 'start A/0010 on M1', 'start B/0010 on M2']);

    erp.calls.length = 0;
    await script.step(500);
    expect(erp.calls).toEqual([]);

    await script.step(1000);
    // The freed machines take the next operations: A's second, then C's first.
    expect(erp.calls).toEqual([
      'complete A/0010',
      'complete B/0010',
      'start A/0020 on M1',
      'start C/0010 on M2',
    ]);
  });

  it('leaves an order another party changed (409) and goes on with the others', async () => {
    const erp = new FakeOrders();
    erp.release('A', ['0010']);
    erp.release('B', ['0010']);
    erp.refuseStart.add('A');
    const script = new MesScript(erp.client(), { equipment: ['M1'], operationMs: 1000, log: ignoreLog });
    await script.step(0);
    expect(script.assignments().size).toBe(0);
    erp.refuseStart.clear();
    erp.orders.shift();
    await script.step(1);
    expect(erp.calls).toContain('start B/0010 on M1');
  });

  it('with inventory-movement, issues what an operation consumes unless backflushed, and receives the yield after the last', async () => {
    const erp = new FakeOrders(true);
    erp.release('A');
    const script = new MesScript(erp.client(), { equipment: ['M1'], operationMs: 1000, log: ignoreLog });
    for (const now of [0, 1000, 1000, 2000, 2000]) await script.step(now);
    expect(erp.calls.filter((c) => !c.startsWith('ack'))).toEqual([
      'start A/0010 on M1',
      'complete A/0010',
      'start A/0020 on M1',
      'move issue:A/R/0002 261 5 RM-2 B7',
      'complete A/0020',
      'move receive:A 101 9 FG-1',
    ]);
  });

  it('without inventory-movement, moves no material', async () => {
    const erp = new FakeOrders(false);
    erp.release('A', ['0010']);
    const script = new MesScript(erp.client(), { equipment: ['M1'], operationMs: 1000, log: ignoreLog });
    for (const now of [0, 1000, 2000]) await script.step(now);
    expect(erp.calls.some((c) => c.startsWith('move'))).toBe(false);
  });
});
