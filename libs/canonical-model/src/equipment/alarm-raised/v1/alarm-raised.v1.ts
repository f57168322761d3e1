import { IsInt, Max, Min } from 'class-validator';
import { defineEvent } from '../../../catalog/event-definition';
import { IsIdentifier, IsText, Optional } from '../../../common/field-rules';
import { AlarmEventV1 } from '../../common/alarm-event';

export class AlarmRaisedV1 extends AlarmEventV1 {
  /** Alarm class as configured for the tag, used by maintenance routing rules. */
  @Optional()
  @IsIdentifier(40)
  alarmClass?: string;

  /** OPC UA severity, 1 (lowest) to 1000 (highest). */
  @IsInt()
  @Min(1)
  @Max(1000)
  severity!: number;

  @IsText(255)
  message!: string;
}

export const AlarmRaisedV1Event = defineEvent('equipment', 'alarm-raised', 1, AlarmRaisedV1);
