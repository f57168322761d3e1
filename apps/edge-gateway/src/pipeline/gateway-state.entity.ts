import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * What the gateway remembers of one tag of one endpoint, committed with the events it produced:
 * counts, alarm tags and machine states survive restarts without counting or raising twice.
 * `state` is the JSON of a `TagState` (normalization/tag-state.ts).
 */
@Entity({ name: 'tag_state' })
export class TagStateRecord {
  @PrimaryColumn({ name: 'endpoint_id', type: 'varchar', length: 32 })
  endpointId!: string;

  @PrimaryColumn({ name: 'node_id', type: 'varchar', length: 255 })
  nodeId!: string;

  @Column({ type: 'text' })
  state!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt!: string;
}

/** One row per equipment, about an order operation on it. */
abstract class EquipmentOperationRow {
  @PrimaryColumn({ name: 'equipment_id', type: 'varchar', length: 64 })
  equipmentId!: string;

  @Column({ name: 'manufacturing_order', type: 'varchar', length: 12 })
  manufacturingOrder!: string;

  @Column({ type: 'varchar', length: 4 })
  operation!: string;
}

/** The order operation running on a piece of equipment, learned from operation-started events. */
@Entity({ name: 'production_context' })
export class ProductionContextRecord extends EquipmentOperationRow {
  @Column({ type: 'varchar', length: 30 })
  since!: string;
}

/** Parts counted per equipment for its order operation and not yet sent as production-counted. */
@Entity({ name: 'count_period' })
export class CountPeriodRecord extends EquipmentOperationRow {
  @Column({ type: 'varchar', length: 3 })
  unit!: string;

  @Column({ name: 'good_count', type: 'integer' })
  goodCount!: number;

  @Column({ name: 'scrap_count', type: 'integer' })
  scrapCount!: number;

  @Column({ name: 'period_start', type: 'varchar', length: 30 })
  periodStart!: string;

  @Column({ name: 'period_end', type: 'varchar', length: 30 })
  periodEnd!: string;
}
