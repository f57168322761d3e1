import { MesCallError, type MesClient, type MesOrderView } from './mes-client';

export interface MesScriptOptions {
  /** The machines orders run on, one order operation at a time each. */
  equipment: string[];
  /** How long an operation runs before MES completes it. */
  operationMs: number;
  /** What the script did, one line per step. */
  log: (line: string) => void;
}

interface Running {
  order: string;
  operation: string;
  since: number;
}

/**
 * What a plant's MES does all day, scripted: acknowledge what ERP released, run each order's
 * operations one after another on the next free machine, complete an operation after
 * `operationMs`. One `step()` looks at the orders once; call it on an interval. A step that fails
 * (the service restarting, say) is simply taken again next time: every call is idempotent.
 */
export class MesScript {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly mes: MesClient,
    private readonly options: MesScriptOptions,
  ) {}

  async step(now = Date.now()): Promise<void> {
    const orders = await this.mes.orders();
    for (const order of orders.filter((o) => o.status === 'released')) {
      await this.mes.acknowledge(order.manufacturingOrder);
      this.options.log(
        `acknowledged order ${order.manufacturingOrder} (${order.totalQuantity} ${order.unit})`,
      );
    }
    for (const [equipment, run] of this.running) {
      if (now - run.since < this.options.operationMs) continue;
      await this.mes.completeOperation(run.order, run.operation);
      this.running.delete(equipment);
      this.options.log(`completed ${run.order}/${run.operation} on ${equipment}`);
    }
    for (const equipment of this.options.equipment.filter((e) => !this.running.has(e))) {
      const next = this.nextOperation(await this.mes.orders());
      if (!next) return;
      await this.start(next.order, next.operation, equipment, now);
    }
  }

  /** Operations running now, by machine. */
  assignments(): ReadonlyMap<string, Running> {
    return this.running;
  }

  private async start(order: string, operation: string, equipment: string, now: number): Promise<void> {
    try {
      await this.mes.startOperation(order, operation, equipment);
    } catch (error) {
      // Another MES instance (or an operator) changed the order meanwhile: leave it to them.
      if (error instanceof MesCallError && error.status === 409) return;
      throw error;
    }
    this.running.set(equipment, { order, operation, since: now });
    this.options.log(`started ${order}/${operation} on ${equipment}`);
  }

  /** The first operation not yet started of an acknowledged or running order that no machine runs. */
  private nextOperation(orders: MesOrderView[]): { order: string; operation: string } | undefined {
    const busy = new Set([...this.running.values()].map((r) => r.order));
    for (const order of orders) {
      if (!['acknowledged', 'in-progress'].includes(order.status) || busy.has(order.manufacturingOrder))
        continue;
      const operation = order.operations.find((o) => o.status === 'pending');
      if (operation) return { order: order.manufacturingOrder, operation: operation.operation };
    }
    return undefined;
  }
}
