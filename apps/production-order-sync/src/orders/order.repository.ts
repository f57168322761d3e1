import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EntityTable } from '@plantbridge/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { ProductionOrderRecord } from './production-order.entity';

/** Every confirmation reads and writes its order: without the query builder (see EntityTable). */
const orders = new EntityTable(ProductionOrderRecord);

/** Orders and their confirmed totals; writes go through the caller's transaction manager. */
@Injectable()
export class OrderRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private manager(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  find(plant: string, manufacturingOrder: string, tx?: EntityManager): Promise<ProductionOrderRecord | null> {
    return orders.findOne(this.manager(tx), { plant, manufacturingOrder });
  }

  /**
   * The order, or a 404 naming it. `lock` takes a row lock on PostgreSQL so checks against the order
   * (quantities confirmed so far, its state) hold until the transaction commits; SQLite transactions
   * are serialized already.
   */
  async get(
    plant: string,
    manufacturingOrder: string,
    tx?: EntityManager,
    options: { lock?: boolean } = {},
  ): Promise<ProductionOrderRecord> {
    const order = await orders.findOne(
      this.manager(tx),
      { plant, manufacturingOrder },
      { forUpdate: options.lock && tx !== undefined },
    );
    if (!order)
      throw new NotFoundException(`production order ${manufacturingOrder} is not known in plant ${plant}`);
    return order;
  }

  list(plant: string, status?: ProductionOrderRecord['mesStatus']): Promise<ProductionOrderRecord[]> {
    return this.dataSource.manager.find(ProductionOrderRecord, {
      where: status ? { plant, mesStatus: status } : { plant },
      order: { manufacturingOrder: 'ASC' },
    });
  }

  /** Writes back what MES changes on an order (a plain UPDATE: `save` would read the row again first). */
  async update(order: ProductionOrderRecord, tx: EntityManager): Promise<void> {
    await orders.update(
      tx,
      { manufacturingOrder: order.manufacturingOrder },
      {
        mesStatus: order.mesStatus,
        rejectionReason: order.rejectionReason,
        acknowledgedBy: order.acknowledgedBy,
        acknowledgedAt: order.acknowledgedAt,
        operations: order.operations,
      },
    );
  }
}
