import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBatch,
  IsMaterialNumber,
  IsOrderNumber,
  IsSapQuantity,
  IsStorageLocation,
  IsTimestamp,
  IsUnitOfMeasure,
  Optional,
  SAP_QUANTITY_MAX,
} from '@plantbridge/canonical-model';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsPositive, IsString, Matches, Max, Min } from 'class-validator';

export const MOVEMENT_TYPES = ['261', '101', '311', '551'] as const;
export type RequestedMovementType = (typeof MOVEMENT_TYPES)[number];

/**
 * A goods movement from the MES or WMS (one SAP material document item): an issue to a production
 * order (261), a receipt from one (101), a transfer between storage locations (311) or scrap (551).
 * Its fields follow the rules of the `material-movement-requested` event it becomes, tightened where
 * ERP is stricter (quantities: SAP's 3 decimals), so nothing is accepted that the event or ERP refuses.
 */
export class MaterialMovementRequest {
  @ApiProperty({ enum: MOVEMENT_TYPES, example: '261', description: 'SAP GoodsMovementType' })
  @IsIn(MOVEMENT_TYPES, { message: 'movementType must be one of 261, 101, 311, 551' })
  movementType!: RequestedMovementType;

  @ApiProperty({ example: 'RM-100' })
  @IsMaterialNumber()
  material!: string;

  @ApiProperty({ example: 10, exclusiveMinimum: true, minimum: 0, maximum: SAP_QUANTITY_MAX })
  @IsSapQuantity()
  @IsPositive({ message: 'quantity must be more than 0' })
  quantity!: number;

  @ApiProperty({ example: 'PC', description: "The material's base unit of measure" })
  @IsUnitOfMeasure()
  unit!: string;

  @ApiProperty({ example: '0001', description: 'Where the material is taken from (101: received into)' })
  @IsStorageLocation()
  storageLocation!: string;

  @ApiPropertyOptional({ example: '0002', description: '311 only: the storage location it goes to' })
  @Optional()
  @IsStorageLocation()
  receivingStorageLocation?: string;

  @ApiPropertyOptional({ example: 'B0001', description: 'Required for a batch-managed material; upper case' })
  @Optional()
  @IsBatch()
  @Matches(/^[^a-z]*$/, { message: 'batch must be upper case, as SAP keeps batches' })
  batch?: string;

  @ApiPropertyOptional({ example: '1000000', description: '261 and 101 only, and required there: the order' })
  @Optional()
  @IsOrderNumber()
  manufacturingOrder?: string;

  @ApiPropertyOptional({
    example: '0001',
    description: '551 only, and required there: SAP GoodsMovementReasonCode, why it was scrapped',
  })
  @Optional()
  @IsString()
  @Matches(/^\d{1,4}$/, { message: "reasonCode must be SAP's reason code: 1 to 4 digits" })
  reasonCode?: string;

  @ApiPropertyOptional({
    description:
      "When the material moved; SAP's posting date is the plant's calendar day of it (PLANT_TIME_ZONE). Default: now",
  })
  @Optional()
  @IsTimestamp()
  occurredAt?: string;
}

/** The reversal of a posted movement (SAP `CancelItem`). */
export class MovementReversalRequest {
  @ApiPropertyOptional({
    description: "When it was reversed; SAP's posting date is its plant day. Default: now",
  })
  @Optional()
  @IsTimestamp()
  occurredAt?: string;
}

export const MOVEMENT_STATUSES = ['accepted', 'posting', 'posted', 'failed', 'discarded'] as const;
export type MovementStatus = (typeof MOVEMENT_STATUSES)[number];

/** `GET …/material-movements` filters. */
export class MovementListQuery {
  @ApiPropertyOptional() @Optional() @IsOrderNumber() order?: string;
  @ApiPropertyOptional() @Optional() @IsMaterialNumber() material?: string;
  @ApiPropertyOptional() @Optional() @IsBatch() batch?: string;

  @ApiPropertyOptional({ enum: MOVEMENT_STATUSES })
  @IsOptional()
  @IsIn(MOVEMENT_STATUSES, { message: `status must be one of ${MOVEMENT_STATUSES.join(', ')}` })
  status?: MovementStatus;

  @ApiPropertyOptional({ description: 'Moved at or after (occurredAt)' })
  @Optional()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({ description: 'Moved before (occurredAt)' })
  @Optional()
  @IsTimestamp()
  to?: string;

  @ApiPropertyOptional({ default: 100, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/**
 * The rules between a movement's fields, each broken one named (a 400): which fields each movement
 * type needs and which it must not have.
 */
export function movementFieldProblems(r: MaterialMovementRequest): Array<{ field: string; reason: string }> {
  const problems: Array<{ field: string; reason: string }> = [];
  const needs = (field: keyof MaterialMovementRequest, types: RequestedMovementType[]) => {
    const wanted = types.includes(r.movementType);
    if (wanted && r[field] === undefined)
      problems.push({ field, reason: `is required for movement type ${r.movementType}` });
    if (!wanted && r[field] !== undefined)
      problems.push({ field, reason: `is only for movement type ${types.join(' or ')}` });
  };
  needs('manufacturingOrder', ['261', '101']);
  needs('receivingStorageLocation', ['311']);
  needs('reasonCode', ['551']);
  if (r.receivingStorageLocation !== undefined && r.receivingStorageLocation === r.storageLocation)
    problems.push({ field: 'receivingStorageLocation', reason: 'must differ from storageLocation' });
  return problems;
}
