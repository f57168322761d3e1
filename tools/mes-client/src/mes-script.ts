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
 * `operationMs`. With inventory-movement's URL it moves the material too: at an operation's start it
 * issues the components staged for it that ERP does not backflush, and when an order's last
 * operation completes it receives the order's yield. One `step()` looks at the orders once; call it on an interval. A step that fails
 * (the service restarting, say) is simply taken again next time: every call is idempotent.
 */
export class MesScript {
  private readonly running = new Map<string, Running>();
  /** Orders whose last operation is completed and whose yield is not received yet. */
  private readonly toReceive = new Set<string>();

  constructor(
    private readonly mes: MesClient,
    private readonly options: MesScriptOptions,
  ) {}

  async step(now = Date.now()): Promise<void> {
    await this.receiveCompleted();
    const orders = await this.mes.orders();
    for (const order of orders.filter((o) => o.status === 'released')) {
      await this.mes.acknowledge(order.manufacturingOrder);
      this.options.log(
        `acknowledged order ${order.manufacturingOrder} (${order.totalQuantity} ${order.unit})`,
      );
    }
    for (const [equipment, run] of this.running) {
      if (now - run.since < this.options.operationMs) continue;
      const order = await this.mes.completeOperation(run.order, run.operation);
      this.running.delete(equipment);
      this.options.log(`completed ${run.order}/${run.operation} on ${equipment}`);
      const last = order.operations[order.operations.length - 1];
      if (this.mes.inventoryUrl && last?.operation === run.operation) this.toReceive.add(run.order);
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
    if (this.mes.inventoryUrl) await this.stage(order, operation);
  }

  /**
   * Issues to the order what its operation consumes and ERP does not backflush: each component
   * staged for the operation, its open quantity, from its reserved storage location and batch. Once
   * per component (its step names it), so a repeated start issues nothing twice.
   */
  private async stage(order: string, operation: string): Promise<void> {
    const { components } = await this.mes.components(order);
    for (const c of components.filter(
      (c) => c.operation === operation && !c.backflush && c.openQuantity > 0,
    )) {
      await this.moveOrSay(`issue:${order}/${c.reservation}/${c.reservationItem}`, {
        movementType: '261',
        material: c.material,
        quantity: c.openQuantity,
        unit: c.unit,
        storageLocation: c.storageLocation,
        batch: c.batch,
        manufacturingOrder: order,
      });
    }
  }

  /**
   * Receives what the last operation of each completed order yielded (101), once it is completed;
   * tried again each step until inventory-movement takes it (it may be away).
   */
  private async receiveCompleted(): Promise<void> {
    if (!this.toReceive.size) return;
    const orders = await this.mes.orders();
    for (const id of [...this.toReceive]) {
      const order = orders.find((o) => o.manufacturingOrder === id);
      const made = order?.operations[order.operations.length - 1]?.confirmedYield ?? 0;
      if (order && made > 0) {
        const { material, storageLocation } = await this.mes.components(id);
        await this.moveOrSay(`receive:${id}`, {
          movementType: '101',
          material,
          quantity: made,
          unit: order.unit,
          storageLocation,
          manufacturingOrder: id,
        });
      }
      this.toReceive.delete(id);
    }
  }

  /** A movement the service refuses for a rule (422, 409) is said and left: the MES moves on. */
  private async moveOrSay(step: string, body: Record<string, unknown>): Promise<void> {
    try {
      // No time in the body: a repeated step must be the same request to be a replay.
      await this.mes.move(step, body);
      this.options.log(`${step}: ${String(body.quantity)} ${String(body.unit)} ${String(body.material)}`);
    } catch (error) {
      if (error instanceof MesCallError && error.status < 500)
        return this.options.log(`${step} refused: ${error.message}`);
      throw error;
    }
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
