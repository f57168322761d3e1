import { EntityTable } from '@plantbridge/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An operation confirmation production-order-sync accepted, kept until ERP has posted it: its
 * yield and scrap are what the automatic goods receipt and backflush move, once
 * `confirmation-posted` says ERP holds it (that event carries no quantities).
 */
@Entity({ name: 'production_confirmation' })
export class ProductionConfirmationRecord {
  @PrimaryColumn({ name: 'confirmation_key', type: 'varchar', length: 40 })
  confirmationKey!: string;

  @Column({ type: 'varchar', length: 32 })
  plant!: string;

  @Column({ name: 'manufacturing_order', type: 'varchar', length: 12 })
  manufacturingOrder!: string;

  @Column({ type: 'varchar', length: 4 })
  operation!: string;

  @Column({ name: 'yield_quantity', type: 'double precision' })
  yieldQuantity!: number;

  @Column({ name: 'scrap_quantity', type: 'double precision' })
  scrapQuantity!: number;

  @Column({ type: 'varchar', length: 3 })
  unit!: string;

  @Column({ name: 'execution_end', type: 'varchar', length: 30 })
  executionEnd!: string;

  /**
   * When its movements were made (after ERP posted it); null while it waits. A confirmation accepted
   * before automatic movements were switched on moves nothing: it is kept with that time.
   */
  @Column({ name: 'moved_at', type: 'varchar', length: 30, nullable: true })
  movedAt!: string | null;
}

/**
 * Since when the plant has automatic movements switched on (AUTO_GOODS_RECEIPT, AUTO_BACKFLUSH): the
 * service's consumers of confirmations read the stream from its start, and a confirmation from
 * before was moved another way (by the MES) or not at all, so it must not be moved now. A start with
 * both off forgets it, so switching on again starts afresh.
 */
@Entity({ name: 'automatic_movements' })
export class AutomaticMovementsRecord {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  plant!: string;

  @Column({ type: 'varchar', length: 30 })
  since!: string;
}

export const productionConfirmationTable = new EntityTable(ProductionConfirmationRecord);
export const automaticMovementsTable = new EntityTable(AutomaticMovementsRecord);
