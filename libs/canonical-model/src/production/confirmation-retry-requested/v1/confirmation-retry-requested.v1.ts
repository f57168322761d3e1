import { defineEvent } from '../../../catalog/event-definition';
import {
  IsIdentifier,
  IsOperationNumber,
  IsOrderNumber,
  IsPlantCode,
  IsText,
  IsTimestamp,
  Optional,
} from '../../../common/field-rules';

/** An operator sent a failed confirmation back to ERP from the exception queue. */
export class ConfirmationRetryRequestedV1 {
  @IsIdentifier(40)
  confirmationKey!: string;

  @IsOrderNumber()
  manufacturingOrder!: string;

  @IsOperationNumber()
  operation!: string;

  @IsPlantCode()
  plant!: string;

  @IsText(64)
  requestedBy!: string;

  @Optional()
  @IsText(255)
  reason?: string;

  @IsTimestamp()
  requestedAt!: string;
}

export const ConfirmationRetryRequestedV1Event = defineEvent(
  'production',
  'confirmation-retry-requested',
  1,
  ConfirmationRetryRequestedV1,
);
