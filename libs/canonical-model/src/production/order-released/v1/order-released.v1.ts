import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import {
  IsMaterialNumber,
  IsOperationNumber,
  IsOrderNumber,
  IsPlantCode,
  IsQuantity,
  IsText,
  IsTimestamp,
  IsUnitOfMeasure,
  IsWorkCenter,
  Optional,
} from '../../../common/field-rules';
import { defineEvent } from '../../../catalog/event-definition';

/** An operation of a released order (SAP `A_ProductionOrderOperation_2`). */
export class ReleasedOperationV1 {
  @IsOperationNumber()
  operation!: string;

  @IsWorkCenter()
  workCenter!: string;

  @Optional()
  @IsText(40)
  description?: string;

  @Optional()
  @IsQuantity()
  plannedQuantity?: number;
}

/** ERP released a production order to a plant (SAP `A_ProductionOrder_2`, ISA-95 work order). */
export class OrderReleasedV1 {
  @IsOrderNumber()
  manufacturingOrder!: string;

  @IsPlantCode()
  plant!: string;

  @IsMaterialNumber()
  material!: string;

  @IsQuantity()
  totalQuantity!: number;

  @IsUnitOfMeasure()
  unit!: string;

  @IsTimestamp()
  scheduledStart!: string;

  @IsTimestamp()
  scheduledEnd!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => ReleasedOperationV1)
  operations!: ReleasedOperationV1[];

  @IsTimestamp()
  releasedAt!: string;
}

export const OrderReleasedV1Event = defineEvent('production', 'order-released', 1, OrderReleasedV1);
