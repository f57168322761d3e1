import { defineEvent } from '../../../catalog/event-definition';
import { IsIdentifier, IsText, Optional } from '../../../common/field-rules';
import { MaterialMovementV1 } from '../../common/material-movement';

/** The movement was refused (a quality hold, or ERP's business rejection with its message). */
export class MaterialMovementRejectedV1 extends MaterialMovementV1 {
  @IsText(255)
  reason!: string;

  /** ERP message code or Plantbridge rule, e.g. `M7/021` or `quality-hold`. */
  @Optional()
  @IsIdentifier(40)
  reasonCode?: string;
}

export const MaterialMovementRejectedV1Event = defineEvent(
  'inventory',
  'material-movement-rejected',
  1,
  MaterialMovementRejectedV1,
);
