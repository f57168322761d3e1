import { EntityTable } from '@plantbridge/persistence';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type ConfirmationSource = 'mes' | 'equipment-counts';

/** An operation confirmation accepted from the plant. Its id is SAP's `ExternalSystemConfirmation`. */
@Entity({ name: 'confirmation' })
@Index('confirmation_order_operation', ['plant', 'manufacturingOrder', 'operation'])
export class ConfirmationRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  plant!: string;

  @Column({ name: 'manufacturing_order', type: 'varchar', length: 12 })
  manufacturingOrder!: string;

  @Column({ type: 'varchar', length: 4 })
  operation!: string;

  @Column({ type: 'varchar', length: 8 })
  sequence!: string;

  @Column({ name: 'yield_quantity', type: 'double precision' })
  yieldQuantity!: number;

  @Column({ name: 'scrap_quantity', type: 'double precision' })
  scrapQuantity!: number;

  @Column({ name: 'rework_quantity', type: 'double precision' })
  reworkQuantity!: number;

  @Column({ type: 'varchar', length: 3 })
  unit!: string;

  @Column({ name: 'final_confirmation', type: 'boolean' })
  finalConfirmation!: boolean;

  @Column({ name: 'execution_start', type: 'varchar', length: 30 })
  executionStart!: string;

  @Column({ name: 'execution_end', type: 'varchar', length: 30 })
  executionEnd!: string;

  @Column({ name: 'posting_date', type: 'varchar', length: 30, nullable: true })
  postingDate!: string | null;

  @Column({ type: 'varchar', length: 20 })
  source!: ConfirmationSource;

  /** The MES Idempotency-Key or the production-count event id it came from. */
  @Column({ name: 'source_ref', type: 'varchar', length: 200 })
  sourceRef!: string;

  @Column({ name: 'accepted_at', type: 'varchar', length: 30 })
  acceptedAt!: string;
}

/** Confirmation rows on the hot path, without the query builder (see EntityTable). */
export const confirmationTable = new EntityTable(ConfirmationRecord);
