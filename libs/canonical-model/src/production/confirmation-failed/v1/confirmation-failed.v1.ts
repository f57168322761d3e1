import { defineEvent } from '../../../catalog/event-definition';
import { ConfirmationReferenceV1 } from '../../common/confirmation-reference';
import { IsIdentifier, IsText, IsTimestamp, Optional } from '../../../common/field-rules';

/** ERP refused an operation confirmation, or posting gave up: it waits in the exception queue. */
export class ConfirmationFailedV1 extends ConfirmationReferenceV1 {
  /** ERP's message, or why posting gave up. */
  @IsText(1000)
  reason!: string;

  /** ERP's message code, e.g. SAP `RU/140`. */
  @Optional()
  @IsIdentifier(40)
  erpCode?: string;

  @IsTimestamp()
  failedAt!: string;
}

export const ConfirmationFailedV1Event = defineEvent(
  'production',
  'confirmation-failed',
  1,
  ConfirmationFailedV1,
);
