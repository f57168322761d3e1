import { IsIn, IsInt, IsString, Min } from 'class-validator';
import { defineEvent } from '../../../catalog/event-definition';
import { Optional } from '../../../common/field-rules';
import { EquipmentEventV1 } from '../../common/equipment-event';

/** OPC 40001-1 `MachineryItemState` values. */
export const MACHINERY_ITEM_STATES = ['NotAvailable', 'OutOfService', 'NotExecuting', 'Executing'] as const;
export type MachineryItemState = (typeof MACHINERY_ITEM_STATES)[number];

/** OPC 40001-1 `MachineryOperationMode` values. */
export const MACHINERY_OPERATION_MODES = ['None', 'Maintenance', 'Setup', 'Processing'] as const;
export type MachineryOperationMode = (typeof MACHINERY_OPERATION_MODES)[number];

export class StateChangedV1 extends EquipmentEventV1 {
  @IsString()
  @IsIn(MACHINERY_ITEM_STATES)
  state!: MachineryItemState;

  @Optional()
  @IsString()
  @IsIn(MACHINERY_ITEM_STATES)
  previousState?: MachineryItemState;

  /** How long the equipment was in `previousState`. */
  @Optional()
  @IsInt()
  @Min(0)
  previousStateDurationMs?: number;

  @Optional()
  @IsString()
  @IsIn(MACHINERY_OPERATION_MODES)
  mode?: MachineryOperationMode;
}

export const StateChangedV1Event = defineEvent('equipment', 'state-changed', 1, StateChangedV1);
