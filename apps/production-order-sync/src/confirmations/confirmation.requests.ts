import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsOperationNumber,
  IsSapQuantity,
  IsTimestamp,
  IsUnitOfMeasure,
  Optional,
  SAP_QUANTITY_MAX,
} from '@plantbridge/canonical-model';
import { IsBoolean } from 'class-validator';

/**
 * An operation confirmation from MES (SAP `ProdnOrdConf2`). Its fields follow the rules of the
 * `operation-confirmed` event it becomes (canonical-model's field rules), tightened where ERP is
 * stricter (quantities: SAP's 3 decimals), so nothing is accepted that the event or ERP refuses.
 */
export class ConfirmOperationRequest {
  @ApiProperty({ example: '0010', description: 'Operation number of the order' })
  @IsOperationNumber()
  operation!: string;

  @ApiProperty({ example: 40, minimum: 0, maximum: SAP_QUANTITY_MAX })
  @IsSapQuantity()
  yieldQuantity!: number;

  @ApiPropertyOptional({ example: 1, minimum: 0, maximum: SAP_QUANTITY_MAX, default: 0 })
  @Optional()
  @IsSapQuantity()
  scrapQuantity?: number;

  @ApiPropertyOptional({ example: 0, minimum: 0, maximum: SAP_QUANTITY_MAX, default: 0 })
  @Optional()
  @IsSapQuantity()
  reworkQuantity?: number;

  @ApiProperty({ example: 'PC', description: "The order's unit of measure" })
  @IsUnitOfMeasure()
  unit!: string;

  @ApiPropertyOptional({ default: false, description: 'The operation is finished with this confirmation' })
  @Optional()
  @IsBoolean()
  finalConfirmation?: boolean;

  @ApiProperty({ example: '2026-11-26T06:00:00Z' })
  @IsTimestamp()
  executionStart!: string;

  @ApiProperty({ example: '2026-11-26T08:00:00Z' })
  @IsTimestamp()
  executionEnd!: string;

  @ApiPropertyOptional({
    description:
      "An instant; SAP gets the plant's calendar day of it (PLANT_TIME_ZONE). Defaults to the day of executionEnd",
  })
  @Optional()
  @IsTimestamp()
  postingDate?: string;
}
