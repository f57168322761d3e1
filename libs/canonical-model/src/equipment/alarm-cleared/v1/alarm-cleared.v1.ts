import { defineEvent } from '../../../catalog/event-definition';
import { IsIdentifier } from '../../../common/field-rules';
import { EquipmentEventV1 } from '../../common/equipment-event';

export class AlarmClearedV1 extends EquipmentEventV1 {
  @IsIdentifier()
  alarmId!: string;
}

export const AlarmClearedV1Event = defineEvent('equipment', 'alarm-cleared', 1, AlarmClearedV1);
