import { defineEvent } from '../../../catalog/event-definition';
import { MaterialMovementV1 } from '../../common/material-movement';

/** MES or WMS asked for a goods movement; it is not in ERP yet. */
export class MaterialMovementRequestedV1 extends MaterialMovementV1 {}

export const MaterialMovementRequestedV1Event = defineEvent(
  'inventory',
  'material-movement-requested',
  1,
  MaterialMovementRequestedV1,
);
