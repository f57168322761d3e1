import type { ErpOrderComponent, ErpOrderStatus } from '@plantbridge/erp';
import { EntityTable } from '@plantbridge/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A production order with its operations and components as last read from ERP: the synchronous
 * checks of a movement use it, so the MES keeps moving material of known orders while ERP is down.
 */
@Entity({ name: 'erp_order' })
export class ErpOrderRecord {
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

  /** Where the order's output is received, if the order names it (SAP `StorageLocation`). */
  @Column({ name: 'storage_location', type: 'varchar', length: 4, nullable: true })
  storageLocation!: string | null;

  @Column({ name: 'erp_status', type: 'varchar', length: 30 })
  erpStatus!: ErpOrderStatus;

  /** The operation numbers in routing order; the last one reports the order's output. */
  @Column({ type: 'simple-json' })
  operations!: string[];

  @Column({ type: 'simple-json' })
  components!: ErpOrderComponent[];

  @Column({ name: 'fetched_at', type: 'varchar', length: 30 })
  fetchedAt!: string;
}

export const erpOrderTable = new EntityTable(ErpOrderRecord);
