import { defineEvent } from '../../../catalog/event-definition';
import { IsText, IsTimestamp } from '../../../common/field-rules';
import { ConfirmationReferenceV1 } from '../../common/confirmation-reference';

/**
 * An operator gave up on a failed confirmation from the exception queue: it will not reach ERP from
 * Plantbridge (say, it was posted by hand). The operation's later confirmations, which waited behind
 * it so that ERP sees them in order, go on.
 */
export class ConfirmationDiscardedV1 extends ConfirmationReferenceV1 {
  @IsText(64)
  discardedBy!: string;

  @IsText(255)
  reason!: string;

  @IsTimestamp()
  discardedAt!: string;
}

export const ConfirmationDiscardedV1Event = defineEvent(
  'production',
  'confirmation-discarded',
  1,
  ConfirmationDiscardedV1,
);
