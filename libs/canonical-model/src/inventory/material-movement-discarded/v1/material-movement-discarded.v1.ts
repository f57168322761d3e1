import { defineEvent } from '../../../catalog/event-definition';
import { IsText, IsTimestamp } from '../../../common/field-rules';
import { MaterialMovementReferenceV1 } from '../../common/material-movement';

/**
 * An operator gave up on a failed movement from the exception queue: it will not reach ERP from
 * Plantbridge (say, it was posted by hand). The material's later movements, which waited behind it
 * so that ERP sees them in order, go on.
 */
export class MaterialMovementDiscardedV1 extends MaterialMovementReferenceV1 {
  @IsText(64)
  discardedBy!: string;

  @IsText(255)
  reason!: string;

  @IsTimestamp()
  discardedAt!: string;
}

export const MaterialMovementDiscardedV1Event = defineEvent(
  'inventory',
  'material-movement-discarded',
  1,
  MaterialMovementDiscardedV1,
);
