import { defineEvent } from '../../../catalog/event-definition';
import {
  IsIdentifier,
  IsOperationNumber,
  IsOrderNumber,
  IsPlantCode,
  IsTimestamp,
} from '../../../common/field-rules';

/** ERP holds an operation confirmation: its document (SAP confirmation group and counter). */
export class ConfirmationPostedV1 {
  @IsIdentifier(40)
  confirmationKey!: string;

  @IsOrderNumber()
  manufacturingOrder!: string;

  @IsOperationNumber()
  operation!: string;

  @IsPlantCode()
  plant!: string;

  /** SAP `ConfirmationGroup` (RUECK). */
  @IsIdentifier(10)
  confirmationGroup!: string;

  /** SAP `ConfirmationCount` (RMZHL). */
  @IsIdentifier(8)
  confirmationCount!: string;

  @IsTimestamp()
  postedAt!: string;
}

export const ConfirmationPostedV1Event = defineEvent(
  'production',
  'confirmation-posted',
  1,
  ConfirmationPostedV1,
);
