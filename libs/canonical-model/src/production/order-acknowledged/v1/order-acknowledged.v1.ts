import { IsBoolean, IsString, Length, ValidateIf } from 'class-validator';
import { IsOrderNumber, IsPlantCode, IsText, IsTimestamp, Optional } from '../../../common/field-rules';
import { defineEvent } from '../../../catalog/event-definition';

/** The plant's MES accepted a released order, or rejected it with a reason. */
export class OrderAcknowledgedV1 {
  @IsOrderNumber()
  manufacturingOrder!: string;

  @IsPlantCode()
  plant!: string;

  @IsBoolean()
  accepted!: boolean;

  /** Required when the order is rejected. */
  @ValidateIf((ack: OrderAcknowledgedV1) => ack.accepted === false || ack.rejectionReason !== undefined)
  @IsString()
  @Length(1, 255)
  rejectionReason?: string;

  @Optional()
  @IsText(64)
  acknowledgedBy?: string;

  @IsTimestamp()
  acknowledgedAt!: string;
}

export const OrderAcknowledgedV1Event = defineEvent(
  'production',
  'order-acknowledged',
  1,
  OrderAcknowledgedV1,
);
