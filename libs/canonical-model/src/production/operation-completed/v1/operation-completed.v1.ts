import {
  IsIdentifier,
  IsOperationNumber,
  IsOrderNumber,
  IsPlantCode,
  IsTimestamp,
  Optional,
} from '../../../common/field-rules';
import { defineEvent } from '../../../catalog/event-definition';

/** An order operation finished; the equipment is free for the next one. */
export class OperationCompletedV1 {
  @IsOrderNumber()
  manufacturingOrder!: string;

  @IsOperationNumber()
  operation!: string;

  @IsPlantCode()
  plant!: string;

  @Optional()
  @IsIdentifier()
  equipmentId?: string;

  @IsTimestamp()
  completedAt!: string;
}

export const OperationCompletedV1Event = defineEvent(
  'production',
  'operation-completed',
  1,
  OperationCompletedV1,
);
