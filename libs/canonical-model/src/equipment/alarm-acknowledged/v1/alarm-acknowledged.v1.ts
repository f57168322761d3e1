import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { defineEvent } from '../../../catalog/event-definition';
import { IsIdentifier, IsText, IsTimestamp, Optional } from '../../../common/field-rules';
import { EquipmentEventV1 } from '../../common/equipment-event';

/**
 * An operator acknowledged an OPC UA condition's alarm episode (AckedState became true). Only
 * conditions are acknowledged, so the condition and episode fields are required here.
 */
export class AlarmAcknowledgedV1 extends EquipmentEventV1 {
  @IsIdentifier()
  alarmId!: string;

  /** The NodeId of the OPC UA condition (its ConditionId). */
  @IsIdentifier(255)
  conditionId!: string;

  /** When the condition became active: the start of the episode acknowledged. */
  @IsTimestamp()
  activeSince!: string;

  /** `<conditionId>@<activeSince>`, as on the episode's alarm-raised and alarm-cleared events. */
  @IsIdentifier(300)
  episodeId!: string;

  /** OPC UA severity, 1 (lowest) to 1000 (highest). */
  @IsInt()
  @Min(1)
  @Max(1000)
  severity!: number;

  @IsText(255)
  message!: string;

  @Optional()
  @IsIdentifier(255)
  sourceNode?: string;

  @Optional()
  @IsText(255)
  sourceName?: string;

  @Optional()
  @IsBoolean()
  suppressedOrShelved?: boolean;
}

export const AlarmAcknowledgedV1Event = defineEvent(
  'equipment',
  'alarm-acknowledged',
  1,
  AlarmAcknowledgedV1,
);
