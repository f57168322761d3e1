import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNumber, IsOptional, IsString, Length, Matches, Min } from 'class-validator';
import { IsRequestTimestamp } from '../common/request-rules';

const QUANTITY = { allowNaN: false, allowInfinity: false, maxDecimalPlaces: 3 };
const QUANTITY_MESSAGE = '$property must be a number with at most 3 decimals (SAP quantity)';

/** An operation confirmation from MES (SAP `ProdnOrdConf2`). */
export class ConfirmOperationRequest {
  @ApiProperty({ example: '0010', description: 'Operation number of the order' })
  @Matches(/^\d{4}$/, { message: 'operation must be a 4-digit operation number such as 0010' })
  operation!: string;

  @ApiProperty({ example: 40, minimum: 0 })
  @IsNumber(QUANTITY, { message: QUANTITY_MESSAGE })
  @Min(0)
  yieldQuantity!: number;

  @ApiPropertyOptional({ example: 1, minimum: 0, default: 0 })
  @IsOptional()
  @IsNumber(QUANTITY, { message: QUANTITY_MESSAGE })
  @Min(0)
  scrapQuantity?: number;

  @ApiPropertyOptional({ example: 0, minimum: 0, default: 0 })
  @IsOptional()
  @IsNumber(QUANTITY, { message: QUANTITY_MESSAGE })
  @Min(0)
  reworkQuantity?: number;

  @ApiProperty({ example: 'PC', description: "The order's unit of measure" })
  @IsString()
  @Length(1, 3)
  unit!: string;

  @ApiPropertyOptional({ default: false, description: 'The operation is finished with this confirmation' })
  @IsOptional()
  @IsBoolean()
  finalConfirmation?: boolean;

  @ApiProperty({ example: '2026-11-26T06:00:00Z' })
  @IsRequestTimestamp()
  executionStart!: string;

  @ApiProperty({ example: '2026-11-26T08:00:00Z' })
  @IsRequestTimestamp()
  executionEnd!: string;

  @ApiPropertyOptional({ description: 'Defaults to the day of executionEnd' })
  @IsOptional()
  @IsRequestTimestamp()
  postingDate?: string;
}
