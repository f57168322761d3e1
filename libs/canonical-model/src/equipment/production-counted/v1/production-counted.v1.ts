import { IsInt, Min } from 'class-validator';
import { defineEvent } from '../../../catalog/event-definition';
import {
  IsIdentifier,
  IsOperationNumber,
  IsOrderNumber,
  IsPlantCode,
  IsTimestamp,
  IsUnitOfMeasure,
} from '../../../common/field-rules';

/**
 * Parts counted on one piece of equipment for one order operation over a period: the edge
 * gateway's aggregate of cycle-completed counts, what production-order-sync turns into automatic
 * confirmations. Periods of one equipment and operation do not overlap, so counts add up.
 */
export class ProductionCountedV1 {
  @IsIdentifier()
  equipmentId!: string;

  @IsPlantCode()
  plant!: string;

  @IsOrderNumber()
  manufacturingOrder!: string;

  @IsOperationNumber()
  operation!: string;

  @IsInt()
  @Min(0)
  goodCount!: number;

  @IsInt()
  @Min(0)
  scrapCount!: number;

  @IsUnitOfMeasure()
  unit!: string;

  @IsTimestamp()
  periodStart!: string;

  @IsTimestamp()
  periodEnd!: string;
}

export const ProductionCountedV1Event = defineEvent(
  'equipment',
  'production-counted',
  1,
  ProductionCountedV1,
);
