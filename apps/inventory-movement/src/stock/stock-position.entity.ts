import type { StockType } from '@plantbridge/erp';
import { EntityTable } from '@plantbridge/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The plant's stock of one material, storage location, batch and stock type as its posted movements
 * make it. Until a reconciliation opens the position from ERP's stock (`openedAt`), `quantity` holds
 * only the net of the movements posted through Plantbridge: ERP's opening stock is not known yet.
 */
@Entity({ name: 'stock_position' })
export class StockPositionRecord {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  plant!: string;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  material!: string;

  @PrimaryColumn({ name: 'storage_location', type: 'varchar', length: 4 })
  storageLocation!: string;

  /** '' for a material without batches (a key column cannot be null). */
  @PrimaryColumn({ type: 'varchar', length: 10 })
  batch!: string;

  @PrimaryColumn({ name: 'stock_type', type: 'varchar', length: 20 })
  stockType!: StockType;

  @Column({ type: 'double precision' })
  quantity!: number;

  @Column({ type: 'varchar', length: 3 })
  unit!: string;

  /** When a reconciliation took ERP's stock as the opening balance; null before. */
  @Column({ name: 'opened_at', type: 'varchar', length: 30, nullable: true })
  openedAt!: string | null;

  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt!: string;
}

/**
 * That a posted movement's effect is in the projection: written in the transaction that changes the
 * positions, so a movement found posted twice (a lookup after a lost answer, a second worker) moves
 * the projection once.
 */
@Entity({ name: 'stock_effect' })
export class StockEffectRecord {
  @PrimaryColumn({ name: 'movement_key', type: 'varchar', length: 36 })
  movementKey!: string;

  @Column({ name: 'applied_at', type: 'varchar', length: 30 })
  appliedAt!: string;
}

/** One comparison of the projection with ERP's stock, with what differed. */
@Entity({ name: 'stock_reconciliation' })
export class StockReconciliationRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  plant!: string;

  @Column({ name: 'started_at', type: 'varchar', length: 30 })
  startedAt!: string;

  @Column({ name: 'finished_at', type: 'varchar', length: 30 })
  finishedAt!: string;

  /** `scheduled` or `on-demand` (with who asked). */
  @Column({ name: 'requested_by', type: 'varchar', length: 64 })
  requestedBy!: string;

  @Column({ name: 'positions_compared', type: 'integer' })
  positionsCompared!: number;

  /** Positions taken from ERP as their opening balance in this run. */
  @Column({ name: 'positions_opened', type: 'integer' })
  positionsOpened!: number;

  /** Materials left out because postings of theirs were still open (ERP may hold them already). */
  @Column({ name: 'materials_skipped', type: 'simple-json' })
  materialsSkipped!: string[];

  @Column({ type: 'simple-json' })
  discrepancies!: StockDiscrepancy[];
}

export interface StockDiscrepancy {
  material: string;
  storageLocation: string;
  batch: string;
  stockType: StockType;
  projectedQuantity: number;
  erpQuantity: number;
  difference: number;
  unit: string;
}

export const stockPositionTable = new EntityTable(StockPositionRecord);
export const stockEffectTable = new EntityTable(StockEffectRecord);
