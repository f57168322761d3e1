import { defineEvent } from '../../../catalog/event-definition';
import { ConfirmationReferenceV1 } from '../../common/confirmation-reference';
import { IsIdentifier, IsTimestamp } from '../../../common/field-rules';

/** ERP holds an operation confirmation: its document (SAP confirmation group and counter). */
export class ConfirmationPostedV1 extends ConfirmationReferenceV1 {
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
