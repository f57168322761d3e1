import { IsIn, IsString, Matches } from 'class-validator';
import {
  IsBatch,
  IsIdentifier,
  IsMaterialNumber,
  IsOrderNumber,
  IsPlantCode,
  IsQuantity,
  IsStorageLocation,
  IsTimestamp,
  IsUnitOfMeasure,
  Optional,
} from '../../common/field-rules';

export const MOVEMENT_KINDS = ['goods-issue', 'goods-receipt', 'transfer', 'scrap'] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

/**
 * The fields every material movement event shares (SAP `A_MaterialDocumentItem`). Versioned with the
 * events that use it: a v2 movement gets its own copy in its own folder.
 */
export class MaterialMovementV1 {
  /** Business idempotency key of the movement (one ERP material document item at most). */
  @IsIdentifier(40)
  movementKey!: string;

  @IsString()
  @IsIn(MOVEMENT_KINDS)
  movementKind!: MovementKind;

  /** SAP `GoodsMovementType`, e.g. 261 issue to order, 101 receipt, 311 transfer, 551 scrap. */
  @IsString()
  @Matches(/^\d{3}$/)
  goodsMovementType!: string;

  @IsMaterialNumber()
  material!: string;

  @IsPlantCode()
  plant!: string;

  @IsStorageLocation()
  storageLocation!: string;

  /** Destination of a transfer. */
  @Optional()
  @IsStorageLocation()
  issuingOrReceivingStorageLocation?: string;

  @IsQuantity()
  quantity!: number;

  @IsUnitOfMeasure()
  unit!: string;

  @Optional()
  @IsBatch()
  batch?: string;

  @Optional()
  @IsOrderNumber()
  manufacturingOrder?: string;

  @IsTimestamp()
  occurredAt!: string;
}
