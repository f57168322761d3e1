import { defineEvent } from '../../../catalog/event-definition';
import { ConfirmationReferenceV1 } from '../../common/confirmation-reference';
import { IsText, IsTimestamp, Optional } from '../../../common/field-rules';

/** An operator sent a failed confirmation back to ERP from the exception queue. */
export class ConfirmationRetryRequestedV1 extends ConfirmationReferenceV1 {
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
