import { defineEvent } from '../../../catalog/event-definition';
import {
  IsBatch,
  IsIdentifier,
  IsMaterialNumber,
  IsOperationNumber,
  IsOrderNumber,
  IsPlantCode,
  IsQuantity,
  IsText,
  IsTimestamp,
  IsUnitOfMeasure,
  Optional,
} from '../../../common/field-rules';

/** An inspection is due (SAP inspection lot trigger): for a goods receipt, an operation, a batch. */
export class InspectionRequestedV1 {
  @IsIdentifier(40)
  inspectionKey!: string;

  @IsPlantCode()
  plant!: string;

  @IsMaterialNumber()
  material!: string;

  @Optional()
  @IsBatch()
  batch?: string;

  @Optional()
  @IsOrderNumber()
  manufacturingOrder?: string;

  @Optional()
  @IsOperationNumber()
  operation?: string;

  @IsText(255)
  reason!: string;

  @IsQuantity()
  quantity!: number;

  @IsUnitOfMeasure()
  unit!: string;

  @IsTimestamp()
  requestedAt!: string;
}

export const InspectionRequestedV1Event = defineEvent(
  'quality',
  'inspection-requested',
  1,
  InspectionRequestedV1,
);
