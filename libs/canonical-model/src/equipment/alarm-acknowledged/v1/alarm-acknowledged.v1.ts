import { IsInt, Max, Min } from 'class-validator';
import { defineEvent } from '../../../catalog/event-definition';
import { IsIdentifier, IsText, IsTimestamp } from '../../../common/field-rules';
import { AlarmFieldsV1 } from '../../common/alarm-event';

/**
 * An operator acknowledged an OPC UA condition's alarm episode (AckedState became true). Only
 * conditions are acknowledged, so the condition and episode fields are required here; the alarm,
 * its source and SuppressedOrShelved are those of every alarm event.
 */
export class AlarmAcknowledgedV1 extends AlarmFieldsV1 {
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
}

export const AlarmAcknowledgedV1Event = defineEvent(
  'equipment',
  'alarm-acknowledged',
  1,
  AlarmAcknowledgedV1,
);
