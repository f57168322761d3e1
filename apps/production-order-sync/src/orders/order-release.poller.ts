import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createEvent, describeFieldErrors, Production, validateAs } from '@plantbridge/canonical-model';
import { type ErpOrder, ProductionOrdersPort } from '@plantbridge/erp';
import { isUniqueViolation, UnitOfWork } from '@plantbridge/persistence';
import { ErpStatusSections } from '@plantbridge/erp-posting';
import { EventOrigins } from '@plantbridge/service-runtime';
import { Counter, Gauge } from 'prom-client';
import { type DataSource, In } from 'typeorm';
import { ProductionOrderSyncConfig } from '../config';
import { OrderReleaseCursor, ProductionOrderRecord } from './production-order.entity';

const metrics = {
  announced: new Counter({ name: 'plantbridge_orders_released_total', help: 'Orders announced as released' }),
  polls: new Counter({
    name: 'plantbridge_order_polls_total',
    help: 'ERP release polls',
    labelNames: ['outcome'],
  }),
  lastSuccess: new Gauge({
    name: 'plantbridge_order_poll_last_success_seconds',
    help: 'Unix time of the last good poll',
  }),
};

export interface PollStatus {
  lastSuccessAt?: string;
  lastError?: string;
  announced: number;
}

/**
 * Brings orders ERP released to this plant into the plant: polls ERP for orders changed since its
 * watermark (minus an overlap, so a late ERP commit is not missed), stores each new order and
 * publishes `order-released` in the same transaction. A known order is never announced again, also
 * across restarts and replicas; ERP status changes (closed, technically completed) are taken over.
 */
@Injectable()
export class OrderReleasePoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrderReleasePoller.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;
  private readonly refused = new Set<string>();
  readonly status: PollStatus = { announced: 0 };

  constructor(
    private readonly erp: ProductionOrdersPort,
    private readonly unitOfWork: UnitOfWork,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(ProductionOrderSyncConfig) private readonly config: ProductionOrderSyncConfig,
    private readonly origins: EventOrigins,
    status: ErpStatusSections,
  ) {
    status.add('orderPolling', () => this.status);
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pollOnce().finally(() => this.schedule(this.config.ORDER_POLL_MS));
    }, delayMs);
  }

  /** One poll; returns the number of orders announced. Never throws: ERP being away is normal. */
  async pollOnce(): Promise<number> {
    const plant = this.config.PLANT_ID;
    const cursor = await this.dataSource.manager.findOneBy(OrderReleaseCursor, { plant });
    const since = cursor
      ? new Date(Date.parse(cursor.watermark) - this.config.ORDER_POLL_OVERLAP_MS).toISOString()
      : undefined;
    let orders: ErpOrder[];
    try {
      orders = await this.erp.listReleasedOrders(plant, since);
    } catch (error) {
      const message = (error as Error).message;
      if (this.status.lastError !== message)
        this.logger.warn(`cannot read released orders from ERP: ${message}`);
      this.status.lastError = message;
      metrics.polls.inc({ outcome: 'error' });
      return 0;
    }
    let announced = 0;
    let watermark = cursor?.watermark ?? '';
    // The overlap returns orders already known; only new ones and ERP status changes need a write.
    const known = await this.knownStatuses(orders.map((o) => o.manufacturingOrder));
    for (const order of orders) {
      if (order.plant !== plant) continue;
      if (order.lastChangedAt > watermark) watermark = order.lastChangedAt;
      if (known.get(order.manufacturingOrder) === order.status) continue;
      if (await this.apply(order)) announced += 1;
    }
    const now = new Date().toISOString();
    await this.unitOfWork.transaction((m) =>
      m.save(OrderReleaseCursor, { plant, watermark: watermark || now, polledAt: now }),
    );
    if (this.status.lastError) this.logger.log('ERP answers again; release polling resumed');
    this.status.lastError = undefined;
    this.status.lastSuccessAt = now;
    this.status.announced += announced;
    metrics.polls.inc({ outcome: 'ok' });
    metrics.announced.inc(announced);
    metrics.lastSuccess.set(Date.now() / 1000);
    if (announced) this.logger.log(`${announced} order(s) released to plant ${plant}`);
    return announced;
  }

  /** ERP status of the orders already stored, read in chunks (SQLite bounds a statement's parameters). */
  private async knownStatuses(orders: string[]): Promise<Map<string, string>> {
    const statuses = new Map<string, string>();
    for (let i = 0; i < orders.length; i += 500) {
      const rows = await this.dataSource.manager.find(ProductionOrderRecord, {
        select: { manufacturingOrder: true, erpStatus: true },
        where: { manufacturingOrder: In(orders.slice(i, i + 500)) },
      });
      for (const row of rows) statuses.set(row.manufacturingOrder, row.erpStatus);
    }
    return statuses;
  }

  /** Stores a new order and announces it, or takes over ERP's status of a known one. */
  private async apply(order: ErpOrder): Promise<boolean> {
    try {
      return await this.unitOfWork.run(async (tx) => {
        const known = await tx.manager.findOneBy(ProductionOrderRecord, {
          manufacturingOrder: order.manufacturingOrder,
        });
        if (known) {
          if (known.erpStatus !== order.status) {
            await tx.manager.update(
              ProductionOrderRecord,
              { manufacturingOrder: known.manufacturingOrder },
              { erpStatus: order.status, erpChangedAt: order.lastChangedAt },
            );
          }
          return false;
        }
        if (order.status !== 'released') return false;
        const payload = releasedPayload(order, new Date().toISOString());
        const valid = validateAs(Production.OrderReleasedV1, payload);
        if (!valid.ok) {
          if (!this.refused.has(order.manufacturingOrder)) {
            this.logger.error(
              `order ${order.manufacturingOrder} from ERP cannot be announced: ${describeFieldErrors(valid.errors)}`,
            );
            this.refused.add(order.manufacturingOrder);
          }
          return false;
        }
        await tx.manager.insert(ProductionOrderRecord, toRecord(order, payload.releasedAt));
        await tx.publish(
          createEvent(
            Production.OrderReleasedV1Event,
            payload,
            this.origins.forPlant(order.plant, order.manufacturingOrder),
          ),
        );
        return true;
      });
    } catch (error) {
      if (isUniqueViolation(error)) return false; // another replica announced it first
      throw error;
    }
  }
}

function releasedPayload(order: ErpOrder, releasedAt: string): Production.OrderReleasedV1 {
  return {
    manufacturingOrder: order.manufacturingOrder,
    plant: order.plant,
    material: order.material,
    totalQuantity: order.totalQuantity,
    unit: order.unit,
    scheduledStart: order.scheduledStart,
    scheduledEnd: order.scheduledEnd,
    operations: order.operations.map((op) => ({
      operation: op.operation,
      workCenter: op.workCenter,
      description: op.description,
      plannedQuantity: op.plannedQuantity,
    })),
    releasedAt,
  };
}

function toRecord(order: ErpOrder, releasedAt: string): ProductionOrderRecord {
  return {
    manufacturingOrder: order.manufacturingOrder,
    plant: order.plant,
    material: order.material,
    totalQuantity: order.totalQuantity,
    unit: order.unit,
    scheduledStart: order.scheduledStart,
    scheduledEnd: order.scheduledEnd,
    erpStatus: order.status,
    mesStatus: 'released',
    rejectionReason: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    operations: order.operations.map((op) => ({
      operation: op.operation,
      sequence: op.sequence,
      workCenter: op.workCenter,
      description: op.description,
      plannedQuantity: op.plannedQuantity,
      status: 'pending',
      confirmedYield: 0,
      confirmedScrap: 0,
      confirmedRework: 0,
    })),
    releasedAt,
    erpChangedAt: order.lastChangedAt,
  };
}
