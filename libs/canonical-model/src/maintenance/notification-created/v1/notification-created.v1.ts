import { defineEvent } from '../../../catalog/event-definition';
import { IsIdentifier, IsPlantCode, IsTimestamp } from '../../../common/field-rules';

/** ERP created the maintenance notification requested under `requestKey`. */
export class NotificationCreatedV1 {
  @IsIdentifier(40)
  requestKey!: string;

  @IsPlantCode()
  plant!: string;

  @IsIdentifier()
  equipmentId!: string;

  @IsIdentifier(12)
  maintenanceNotification!: string;

  @IsTimestamp()
  createdAt!: string;
}

export const NotificationCreatedV1Event = defineEvent(
  'maintenance',
  'notification-created',
  1,
  NotificationCreatedV1,
);
