import { IsIn, IsString } from 'class-validator';
import { defineEvent } from '../../../catalog/event-definition';
import { IsIdentifier, IsPlantCode, IsText, IsTimestamp, Optional } from '../../../common/field-rules';

/** SAP notification priorities: 1 very high to 4 low. */
export const MAINTENANCE_PRIORITIES = ['1', '2', '3', '4'] as const;
export type MaintenancePriority = (typeof MAINTENANCE_PRIORITIES)[number];

/** A maintenance notification should be created in ERP (SAP `MaintenanceNotification`). */
export class NotificationRequestedV1 {
  @IsIdentifier(40)
  requestKey!: string;

  @IsPlantCode()
  plant!: string;

  @IsIdentifier()
  equipmentId!: string;

  @Optional()
  @IsIdentifier(40)
  functionalLocation?: string;

  /** SAP `NotificationType`, e.g. M1 maintenance request, M2 malfunction report. */
  @IsIdentifier(2)
  notificationType!: string;

  @IsString()
  @IsIn(MAINTENANCE_PRIORITIES)
  priority!: MaintenancePriority;

  @IsText(40)
  description!: string;

  /** The alarm that triggered the request, for lineage. */
  @Optional()
  @IsIdentifier()
  alarmId?: string;

  @IsTimestamp()
  detectedAt!: string;
}

export const NotificationRequestedV1Event = defineEvent(
  'maintenance',
  'notification-requested',
  1,
  NotificationRequestedV1,
);
