import { IsInt, Max, Min } from 'class-validator';
import { defineEvent } from '../../../catalog/event-definition';
import { IsText, Optional } from '../../../common/field-rules';
import { AlarmEventV1 } from '../../common/alarm-event';

export class AlarmClearedV1 extends AlarmEventV1 {
  /** OPC UA severity when the condition was cleared (conditions only). */
  @Optional()
  @IsInt()
  @Min(1)
  @Max(1000)
  severity?: number;

  /** The condition's message when it was cleared (conditions only). */
  @Optional()
  @IsText(255)
  message?: string;
}

export const AlarmClearedV1Event = defineEvent('equipment', 'alarm-cleared', 1, AlarmClearedV1);
