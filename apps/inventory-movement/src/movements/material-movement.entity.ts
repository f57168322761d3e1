import type { Inventory } from '@plantbridge/canonical-model';
import type { StockType } from '@plantbridge/erp';
import { EntityTable } from '@plantbridge/persistence';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Where a movement came from: the MES or WMS over REST, or a posted operation confirmation. */
export type MovementSource = 'mes' | 'confirmation';

/**
 * A goods movement accepted from the plant, posted to ERP as one material document item. Its id is
 * the posting key, written into the item's text so an uncertain posting can be found in ERP. Its
 * state is its ERP posting's (the ledger's).
 */
@Entity({ name: 'material_movement' })
@Index('material_movement_plant_accepted', ['plant', 'acceptedAt'])
@Index('material_movement_order', ['plant', 'manufacturingOrder'])
@Index('material_movement_material', ['plant', 'material'])
@Index('material_movement_confirmation', ['confirmationKey'])
@Index('material_movement_reversal', ['reversesMovementKey'])
export class MaterialMovementRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  plant!: string;

  @Column({ name: 'movement_kind', type: 'varchar', length: 20 })
  movementKind!: Inventory.MovementKind;

  /** 261, 101, 311, 551; a reversal the reversing type (262, 102, 312, 552). */
  @Column({ name: 'goods_movement_type', type: 'varchar', length: 3 })
  goodsMovementType!: string;

  @Column({ type: 'varchar', length: 40 })
  material!: string;

  @Column({ name: 'storage_location', type: 'varchar', length: 4 })
  storageLocation!: string;

  @Column({ name: 'receiving_storage_location', type: 'varchar', length: 4, nullable: true })
  receivingStorageLocation!: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  batch!: string | null;

  @Column({ type: 'double precision' })
  quantity!: number;

  @Column({ type: 'varchar', length: 3 })
  unit!: string;

  /**
   * The stock type a receipt goes to (quality inspection for a material that posts to inspection
   * stock, from the material master when it was accepted); unrestricted for every other movement.
   */
  @Column({ name: 'stock_type', type: 'varchar', length: 20 })
  stockType!: StockType;

  @Column({ name: 'manufacturing_order', type: 'varchar', length: 12, nullable: true })
  manufacturingOrder!: string | null;

  /** The order component a goods issue withdraws against. */
  @Column({ type: 'varchar', length: 10, nullable: true })
  reservation!: string | null;

  @Column({ name: 'reservation_item', type: 'varchar', length: 4, nullable: true })
  reservationItem!: string | null;

  /** SAP `GoodsMovementReasonCode`, e.g. why material was scrapped. */
  @Column({ name: 'movement_reason', type: 'varchar', length: 4, nullable: true })
  movementReason!: string | null;

  /**
   * The movement this one reverses. At most one reversal per movement is not discarded (checked
   * with the original locked, see AcceptMovement.reverse); a discarded one makes way for another.
   */
  @Column({ name: 'reverses_movement_key', type: 'varchar', length: 36, nullable: true })
  reversesMovementKey!: string | null;

  /** The confirmation an automatic receipt or backflush came from. */
  @Column({ name: 'confirmation_key', type: 'varchar', length: 40, nullable: true })
  confirmationKey!: string | null;

  @Column({ name: 'occurred_at', type: 'varchar', length: 30 })
  occurredAt!: string;

  @Column({ type: 'varchar', length: 20 })
  source!: MovementSource;

  /** The MES Idempotency-Key, or the confirmation key it derives from. */
  @Column({ name: 'source_ref', type: 'varchar', length: 200 })
  sourceRef!: string;

  @Column({ name: 'accepted_at', type: 'varchar', length: 30 })
  acceptedAt!: string;
}

/** Movement rows on the hot path, without the query builder (see EntityTable). */
export const movementTable = new EntityTable(MaterialMovementRecord);
