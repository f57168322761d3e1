import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type MesOrderStatus = 'released' | 'acknowledged' | 'rejected' | 'in-progress' | 'completed';
export type ErpOrderStatusColumn = 'created' | 'released' | 'technically-completed' | 'closed';
export type OperationStatus = 'pending' | 'started' | 'completed';

/** One operation of an order as the plant runs it. */
export interface OrderOperationState {
  operation: string;
  sequence: string;
  workCenter: string;
  description?: string;
  plannedQuantity?: number;
  status: OperationStatus;
  equipmentId?: string;
  startedAt?: string;
  completedAt?: string;
  /** Quantities of the confirmations accepted so far, kept with the order so a check is O(1). */
  confirmedYield: number;
  confirmedScrap: number;
  confirmedRework: number;
}

/** The plant's copy of an order released by ERP, with the MES side of its life. */
@Entity({ name: 'production_order' })
@Index('production_order_plant_status', ['plant', 'mesStatus'])
export class ProductionOrderRecord {
  @PrimaryColumn({ name: 'manufacturing_order', type: 'varchar', length: 12 })
  manufacturingOrder!: string;

  @Column({ type: 'varchar', length: 32 })
  plant!: string;

  @Column({ type: 'varchar', length: 40 })
  material!: string;

  @Column({ name: 'total_quantity', type: 'double precision' })
  totalQuantity!: number;

  @Column({ type: 'varchar', length: 3 })
  unit!: string;

  @Column({ name: 'scheduled_start', type: 'varchar', length: 30 })
  scheduledStart!: string;

  @Column({ name: 'scheduled_end', type: 'varchar', length: 30 })
  scheduledEnd!: string;

  @Column({ name: 'erp_status', type: 'varchar', length: 30 })
  erpStatus!: ErpOrderStatusColumn;

  @Column({ name: 'mes_status', type: 'varchar', length: 20 })
  mesStatus!: MesOrderStatus;

  @Column({ name: 'rejection_reason', type: 'varchar', length: 255, nullable: true })
  rejectionReason!: string | null;

  @Column({ name: 'acknowledged_by', type: 'varchar', length: 64, nullable: true })
  acknowledgedBy!: string | null;

  @Column({ name: 'acknowledged_at', type: 'varchar', length: 30, nullable: true })
  acknowledgedAt!: string | null;

  @Column({ type: 'simple-json' })
  operations!: OrderOperationState[];

  @Column({ name: 'released_at', type: 'varchar', length: 30 })
  releasedAt!: string;

  @Column({ name: 'erp_changed_at', type: 'varchar', length: 30 })
  erpChangedAt!: string;
}

/** Where the release poller of a plant got to in ERP's change history. */
@Entity({ name: 'order_release_cursor' })
export class OrderReleaseCursor {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  plant!: string;

  /** The latest `LastChangeDateTime` seen. */
  @Column({ type: 'varchar', length: 30 })
  watermark!: string;

  @Column({ name: 'polled_at', type: 'varchar', length: 30 })
  polledAt!: string;
}
