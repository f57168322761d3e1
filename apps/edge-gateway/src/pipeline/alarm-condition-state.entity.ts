import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ConditionState } from '../normalization/condition-tracker';

/**
 * What the gateway remembers of each OPC UA condition (Alarms & Conditions) of each endpoint: its
 * last EventId, its episode (active since) and acknowledgment. Committed with the alarm events it
 * produced, so a ConditionRefresh after a restart raises nothing twice and misses no clear.
 */
@Entity({ name: 'alarm_condition_state' })
export class AlarmConditionStateRecord implements ConditionState {
  @PrimaryColumn({ name: 'endpoint_id', type: 'varchar', length: 32 })
  endpointId!: string;

  @PrimaryColumn({ name: 'condition_id', type: 'varchar', length: 255 })
  conditionId!: string;

  @Column({ name: 'equipment_id', type: 'varchar', length: 64 })
  equipmentId!: string;

  @Column({ name: 'last_event_id', type: 'text' })
  lastEventId!: string;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ name: 'active_since', type: 'varchar', length: 30, nullable: true })
  activeSince!: string | null;

  @Column({ type: 'boolean' })
  acked!: boolean;

  @Column({ type: 'integer' })
  severity!: number;

  @Column({ type: 'text' })
  message!: string;

  @Column({ name: 'source_node', type: 'text' })
  sourceNode!: string;

  @Column({ name: 'source_name', type: 'text' })
  sourceName!: string;

  @Column({ name: 'suppressed_or_shelved', type: 'boolean' })
  suppressedOrShelved!: boolean;

  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt!: string;
}
