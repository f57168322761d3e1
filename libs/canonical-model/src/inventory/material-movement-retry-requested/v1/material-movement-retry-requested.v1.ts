import { defineEvent } from '../../../catalog/event-definition';
import { IsText, IsTimestamp, Optional } from '../../../common/field-rules';
import { MaterialMovementReferenceV1 } from '../../common/material-movement';

/** An operator sent a failed movement back to ERP from the exception queue. */
export class MaterialMovementRetryRequestedV1 extends MaterialMovementReferenceV1 {
  @IsText(64)
  requestedBy!: string;

  @Optional()
  @IsText(255)
  reason?: string;

  @IsTimestamp()
  requestedAt!: string;
}

export const MaterialMovementRetryRequestedV1Event = defineEvent(
  'inventory',
  'material-movement-retry-requested',
  1,
  MaterialMovementRetryRequestedV1,
);
