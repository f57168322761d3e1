import {
  IsIdentifier,
  IsOperationNumber,
  IsOrderNumber,
  IsPlantCode,
  IsTimestamp,
  IsWorkCenter,
  Optional,
} from '../../../common/field-rules';
import { defineEvent } from '../../../catalog/event-definition';

/** An order operation started on a work center (and, when known, on one piece of equipment). */
export class OperationStartedV1 {
  @IsOrderNumber()
  manufacturingOrder!: string;

  @IsOperationNumber()
  operation!: string;

  @IsPlantCode()
  plant!: string;

  @IsWorkCenter()
  workCenter!: string;

  @Optional()
  @IsIdentifier()
  equipmentId?: string;

  @IsTimestamp()
  startedAt!: string;
}

export const OperationStartedV1Event = defineEvent('production', 'operation-started', 1, OperationStartedV1);
