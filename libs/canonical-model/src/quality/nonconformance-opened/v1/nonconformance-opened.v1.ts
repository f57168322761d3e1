import { IsIn, IsString } from 'class-validator';
import { defineEvent } from '../../../catalog/event-definition';
import {
  IsBatch,
  IsIdentifier,
  IsMaterialNumber,
  IsOrderNumber,
  IsPlantCode,
  IsQuantity,
  IsText,
  IsTimestamp,
  IsUnitOfMeasure,
  Optional,
} from '../../../common/field-rules';

export const NONCONFORMANCE_SEVERITIES = ['minor', 'major', 'critical'] as const;
export type NonconformanceSeverity = (typeof NONCONFORMANCE_SEVERITIES)[number];

/** A defect was found (SAP quality notification, ISA-95 nonconformance). */
export class NonconformanceOpenedV1 {
  @IsIdentifier(40)
  nonconformanceId!: string;

  @IsPlantCode()
  plant!: string;

  @Optional()
  @IsMaterialNumber()
  material?: string;

  @Optional()
  @IsBatch()
  batch?: string;

  @Optional()
  @IsOrderNumber()
  manufacturingOrder?: string;

  @IsIdentifier(40)
  defectCode!: string;

  @IsText(1000)
  description!: string;

  @IsString()
  @IsIn(NONCONFORMANCE_SEVERITIES)
  severity!: NonconformanceSeverity;

  @Optional()
  @IsQuantity()
  quantity?: number;

  @Optional()
  @IsUnitOfMeasure()
  unit?: string;

  @IsTimestamp()
  openedAt!: string;
}

export const NonconformanceOpenedV1Event = defineEvent(
  'quality',
  'nonconformance-opened',
  1,
  NonconformanceOpenedV1,
);
