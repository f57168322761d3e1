import { IsIn, IsNumber, IsString } from 'class-validator';
import { defineEvent } from '../../../catalog/event-definition';
import {
  IsIdentifier,
  IsPlantCode,
  IsText,
  IsTimestamp,
  IsUnitOfMeasure,
  Optional,
} from '../../../common/field-rules';

export const INSPECTION_VALUATIONS = ['accepted', 'rejected'] as const;
export type InspectionValuation = (typeof INSPECTION_VALUATIONS)[number];

/** One inspection characteristic's result (SAP `InspectionResult`), valued accepted or rejected. */
export class ResultRecordedV1 {
  @IsIdentifier(40)
  inspectionKey!: string;

  @IsPlantCode()
  plant!: string;

  @IsIdentifier(40)
  characteristic!: string;

  @IsString()
  @IsIn(INSPECTION_VALUATIONS)
  valuation!: InspectionValuation;

  @Optional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  measuredValue?: number;

  @Optional()
  @IsUnitOfMeasure()
  unit?: string;

  @Optional()
  @IsText(64)
  inspector?: string;

  @IsTimestamp()
  recordedAt!: string;
}

export const ResultRecordedV1Event = defineEvent('quality', 'result-recorded', 1, ResultRecordedV1);
